// What the keyspace stores per key, as the rest of the server names it: value types, string
// encodings and the expiry sentinel. The fields themselves live in typed arrays (store.ts);
// handlers hold integer handles (Entry) and read fields through the Database.

/** Value types, numbered as Redis's OBJ_* constants (and the RDB type family). */
export const VType = {
  String: 0,
  List: 1,
  Set: 2,
  ZSet: 3,
  Hash: 4,
  Stream: 6,
} as const;
export type VType = (typeof VType)[keyof typeof VType];

/** TYPE command names, indexed by VType. */
export const TYPE_NAMES: readonly string[] = ['string', 'list', 'set', 'zset', 'hash', 'module', 'stream'];

/** String encodings as OBJECT ENCODING reports them. */
export const StrEnc = {
  /** Derived from content: "int" if a canonical int64 within 20 chars, "embstr" if <= 44 bytes, else "raw". */
  Auto: 0,
  /** Forced "raw": the value was modified in place (APPEND, SETRANGE), as Redis unshares it. */
  Raw: 1,
  /**
   * Like Auto, but the value is a private object rather than one of Redis's shared integers
   * 0..9999 (COPY duplicates the object, so OBJECT REFCOUNT reports 1 for the copy).
   */
  Unshared: 2,
  /**
   * Never "int": "embstr" up to 44 bytes, else "raw". Redis stores INCRBYFLOAT results this
   * way (it builds the string object directly, without trying the integer encoding).
   */
  NoInt: 3,
} as const;
export type StrEnc = (typeof StrEnc)[keyof typeof StrEnc];

/** Longest string Redis stores as embstr (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
export const EMBSTR_LIMIT = 44;

/** No expiry. */
export const NO_EXPIRY = -1;

/** A key's handle: an integer id into the node's Store (store.ts); NONE (-1) when missing. */
export type Entry = number;

/** OBJECT ENCODING of string value v stored with encoding hint enc (StrEnc), by Redis's rules. */
export function stringEncoding(enc: number, v: Buffer): string {
  if (enc === StrEnc.Raw) return 'raw';
  if (enc !== StrEnc.NoInt && v.length <= 20 && isCanonicalInt64(v)) return 'int';
  return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/** True if b is the canonical decimal spelling of an int64 (what Redis can store as "int"). */
export function isCanonicalInt64(b: Buffer): boolean {
  const n = b.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (b[0] === 45) {
    if (n === 1) return false;
    i = 1;
  }
  if (b[i] === 48) return n === 1;
  for (; i < n; i++) if (b[i] < 48 || b[i] > 57) return false;
  if (n >= 19) {
    try {
      const v = BigInt(b.toString('latin1'));
      return v >= -(2n ** 63n) && v < 2n ** 63n;
    } catch {
      return false;
    }
  }
  return true;
}

