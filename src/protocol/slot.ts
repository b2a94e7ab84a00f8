// CRC16 (XMODEM, as Redis Cluster uses) and the hash slot of a key, with {hash tag} support.
// Shared by the keyspace (slot partitions), cluster routing, the client and the proxy.

export const SLOT_COUNT = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

/** CRC16-XMODEM of bytes [start, end) of buf. */
export function crc16(buf: Buffer | Uint8Array, start = 0, end = buf.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ buf[i]) & 0xff];
  return crc;
}

/** CRC16 of the latin1 string s in [start, end): same as crc16 of the bytes the string holds. */
function crc16Latin1(s: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

/**
 * The cluster hash slot of a key: CRC16 of the key, or of the part between the first '{' and
 * the next '}' when that part is non-empty, modulo 16384.
 */
export function keyHashSlot(key: Buffer | Uint8Array): number {
  const len = key.length;
  let s = 0;
  for (; s < len; s++) if (key[s] === 123) break;
  if (s === len) return crc16(key, 0, len) & 16383;
  let e = s + 1;
  for (; e < len; e++) if (key[e] === 125) break;
  if (e === len || e === s + 1) return crc16(key, 0, len) & 16383;
  return crc16(key, s + 1, e) & 16383;
}

/** keyHashSlot for a key held as a latin1 string (one char per byte). */
export function keyHashSlotLatin1(key: string): number {
  const len = key.length;
  const s = key.indexOf('{');
  if (s < 0) return crc16Latin1(key, 0, len) & 16383;
  const e = key.indexOf('}', s + 1);
  if (e < 0 || e === s + 1) return crc16Latin1(key, 0, len) & 16383;
  return crc16Latin1(key, s + 1, e) & 16383;
}
