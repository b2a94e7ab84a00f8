// The codec the store uses to keep small aggregates packed (packed.ts): it unpacks a record's
// bytes into the value class of the entry's type and asks a value object for its packed form.

import type { PackCodec } from '../store.js';
import { VType } from '../entry.js';
import { HashValue } from './hash.js';
import { ListValue } from './list.js';
import { SetValue } from './set.js';
import { ZSetValue } from './zset.js';

/** What every aggregate value class offers for packing. */
interface Packable {
  /** Bytes of the packed form, or -1 when the value stays an object. */
  packedSize(): number;
  /** Writes the packed form at b[off]. */
  pack(b: Buffer, off: number): void;
}

function isPackable(obj: unknown): obj is Packable {
  return typeof obj === 'object' && obj !== null && typeof (obj as Packable).packedSize === 'function';
}

export const aggregateCodec: PackCodec = {
  unpack(type: number, b: Buffer, off: number): unknown {
    switch (type) {
      case VType.Hash:
        return HashValue.unpack(b, off);
      case VType.List:
        return ListValue.unpack(b, off);
      case VType.Set:
        return SetValue.unpack(b, off);
      case VType.ZSet:
        return ZSetValue.unpack(b, off);
      default:
        throw new Error(`no packed form for value type ${type}`);
    }
  },
  packedSize(obj: unknown): number {
    return isPackable(obj) ? obj.packedSize() : -1;
  },
  pack(obj: unknown, b: Buffer, off: number): void {
    (obj as Packable).pack(b, off);
  },
};
