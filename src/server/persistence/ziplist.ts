// Parsers of the encodings older Redis versions wrote and Redis 7.0 still loads (and converts):
// ziplists (lists before 3.2 and inside quicklist v1 nodes, small hashes and sorted sets before
// 7.0) and zipmaps (small hashes before 2.6). Shoal only reads them. Both parsers validate as
// Redis's loader does (it always validates these deeply): every length within bounds, every
// back-reference consistent, the element count as declared.
//
// Ziplist layout (ziplist.c):
//   <zlbytes: uint32 LE> <zltail: uint32 LE, offset of the last entry> <zllen: uint16 LE,
//   65535 = unknown> <entries> <0xFF>
//   entry = <prevlen: 1 byte < 254, or 0xFE + uint32 LE> <encoding> <data>
//   encoding  00pppppp                       string, 6-bit length
//             01pppppp qqqqqqqq              string, 14-bit length (big-endian)
//             10xxxxxx + 4 bytes             string, 32-bit length (big-endian)
//             0xC0 / 0xD0 / 0xE0             int16 / int32 / int64 (little-endian)
//             0xF0 / 0xFE                    int24 / int8
//             0xF1 .. 0xFD                   the integers 0 .. 12, no data
//
// Zipmap layout (zipmap.c): <count: 1 byte, 254 = unknown> then per pair
//   <len> field <len> <free: 1 byte> value <free bytes>, and 0xFF at the end; a <len> is one
//   byte below 254, or 254 followed by a uint32 (little-endian).

const ZL_HEADER = 10;
const ZL_END = 0xff;

/**
 * The elements of the ziplist in zl (the whole buffer) as latin1 text (integers in decimal),
 * or null when it is malformed in any way ziplistValidateIntegrity (deep) refuses.
 */
export function parseZiplist(zl: Buffer): string[] | null {
  const size = zl.length;
  if (size < ZL_HEADER + 1) return null;
  if (zl.readUInt32LE(0) !== size) return null;
  if (zl[size - 1] !== ZL_END) return null;
  const tail = zl.readUInt32LE(4);
  if (tail > size - 1) return null;
  const header = zl.readUInt16LE(8);
  const last = size - 1;
  const out: string[] = [];
  let p = ZL_HEADER;
  let prevRaw = 0;
  let prevStart = -1;
  while (p < last && zl[p] !== ZL_END) {
    const start = p;
    // prevlen
    let prevlen: number;
    if (zl[p] < 254) {
      prevlen = zl[p];
      p += 1;
    } else {
      if (p + 5 > last) return null;
      prevlen = zl.readUInt32LE(p + 1);
      p += 5;
    }
    if (prevlen !== prevRaw) return null;
    if (p >= last) return null;
    const enc = zl[p];
    let text: string;
    if (enc < 0xc0) {
      let len: number;
      let lensize: number;
      const kind = enc & 0xc0;
      if (kind === 0x00) {
        lensize = 1;
        len = enc & 0x3f;
      } else if (kind === 0x40) {
        lensize = 2;
        if (p + 2 > last) return null;
        len = ((enc & 0x3f) << 8) | zl[p + 1];
      } else {
        lensize = 5;
        if (p + 5 > last) return null;
        len = zl.readUInt32BE(p + 1);
      }
      p += lensize;
      if (p + len > last) return null;
      text = zl.toString('latin1', p, p + len);
      p += len;
    } else {
      let width: number;
      if (enc === 0xc0) width = 2;
      else if (enc === 0xd0) width = 4;
      else if (enc === 0xe0) width = 8;
      else if (enc === 0xf0) width = 3;
      else if (enc === 0xfe) width = 1;
      else if (enc >= 0xf1 && enc <= 0xfd) width = 0;
      else return null;
      p += 1;
      if (p + width > last) return null;
      if (width === 0) text = String((enc & 0x0f) - 1);
      else if (width === 8) text = String(zl.readBigInt64LE(p));
      else text = String(zl.readIntLE(p, width));
      p += width;
    }
    out.push(text);
    prevRaw = p - start;
    prevStart = start;
  }
  if (p !== last) return null;
  if (prevStart >= 0 && prevStart !== tail) return null;
  if (header !== 65535 && header !== out.length) return null;
  return out;
}

/**
 * The field/value pairs of the zipmap in zm (flattened: field, value, ...), or null when it is
 * malformed (zipmapValidateIntegrity, deep): anything reaching past the end, no pairs at all,
 * or a count byte that does not match.
 */
export function parseZipmap(zm: Buffer): string[] | null {
  const size = zm.length;
  if (size < 2) return null;
  if (zm[size - 1] !== 0xff) return null;
  const out: string[] = [];
  const outOfRange = (q: number): boolean => q < 2 || q > size - 1;
  /** A <len> at q: [length, bytes it takes], or null past the end. */
  const readLen = (q: number): [number, number] | null => {
    if (zm[q] < 254) return outOfRange(q + 1) ? null : [zm[q], 1];
    if (outOfRange(q + 5)) return null;
    return [zm.readUInt32LE(q + 1), 5];
  };
  let p = 1;
  let count = 0;
  while (zm[p] !== 0xff) {
    const f = readLen(p);
    if (f === null) return null;
    p += f[1];
    if (outOfRange(p + f[0])) return null;
    const field = zm.toString('latin1', p, p + f[0]);
    p += f[0];
    const v = readLen(p);
    if (v === null) return null;
    p += v[1];
    if (outOfRange(p + 1)) return null;
    const free = zm[p++];
    if (outOfRange(p + v[0] + free)) return null;
    const value = zm.toString('latin1', p, p + v[0]);
    p += v[0] + free;
    out.push(field, value);
    count++;
  }
  if (count === 0) return null;
  if (zm[0] !== 254 && zm[0] !== count) return null;
  return out;
}
