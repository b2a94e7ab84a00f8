// Two facts about value objects the RDB writer needs and the value classes do not expose
// through a getter, read here through their public packed form (types/packed.ts documents it):
//
//  - a list's fill (list-max-listpack-size when the list was created: Redis splits its
//    quicklist nodes by the list's own fill, not by the current setting);
//  - an intset's element width (2, 4 or 8 bytes: Redis's intset never narrows, so a set that
//    once held a large integer keeps 8-byte elements) and its members as little-endian ints.
//
// Both come first in the packed layout. If the value classes grow `fill` / `intsetWidth`
// getters, these helpers shrink to one line each.

import type { ListValue } from '../keyspace/types/list.js';
import type { SetValue } from '../keyspace/types/set.js';

/** Reads a LEB128 varint at b[off]; returns [value, offset after]. */
function varint(b: Uint8Array, off: number): [number, number] {
  let n = 0;
  let mul = 1;
  for (;;) {
    const x = b[off++];
    n += (x & 0x7f) * mul;
    if (x < 0x80) return [n, off];
    mul *= 128;
  }
}

/**
 * The fill a list was created with, or `fallback` (the current list-max-listpack-size) for a
 * list too big for the packed form, whose fill cannot be read without copying it whole.
 */
export function listFillOf(list: ListValue, fallback: number): number {
  const size = list.packedSize();
  if (size < 0) return fallback;
  const b = Buffer.allocUnsafe(size);
  list.pack(b, 0);
  const z = varint(b, 0)[0];
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/**
 * The intset blob Redis keeps for an intset-encoded set: <width: uint32 LE> <count: uint32 LE>
 * <members ascending, little-endian, `width` bytes each>. The set must be intset-encoded.
 */
export function intsetBlobOf(set: SetValue): Buffer {
  const n = set.size;
  // The packed intset: <width byte> <count varint> <members, width bytes each>.
  const packed = Buffer.allocUnsafe(1 + 5 + n * 8);
  set.pack(packed, 0);
  const width = packed[0];
  const [count, off] = varint(packed, 1);
  const blob = Buffer.allocUnsafe(8 + count * width);
  blob.writeUInt32LE(width, 0);
  blob.writeUInt32LE(count, 4);
  packed.copy(blob, 8, off, off + count * width);
  return blob;
}
