// The configuration knobs the RDB code reads, gathered in one place: how values are written
// (rdbcompression, list-max-listpack-size, list-compress-depth), how loaded values are shaped
// (the *-max-listpack-* / set-max-intset-entries thresholds) and which per-key access
// information a file carries (maxmemory-policy).

import type { Config } from '../config/config.js';
import type { LoadLimits } from './deserialize.js';
import type { ValueOptions } from './serialize.js';

/** Settings for writing values (DUMP payloads and RDB files). */
export interface WriteOptions extends ValueOptions {
  /** rdbcompression: LZF-compress strings longer than 20 bytes. */
  readonly compress: boolean;
}

export function writeOptions(cfg: Config): WriteOptions {
  return {
    compress: cfg.getBool('rdbcompression'),
    listFill: cfg.getNumber('list-max-listpack-size'),
    listCompressDepth: cfg.getNumber('list-compress-depth'),
  };
}

export function loadLimits(cfg: Config): LoadLimits {
  return {
    hashMaxEntries: cfg.getNumber('hash-max-listpack-entries'),
    hashMaxValue: cfg.getNumber('hash-max-listpack-value'),
    zsetMaxEntries: cfg.getNumber('zset-max-listpack-entries'),
    zsetMaxValue: cfg.getNumber('zset-max-listpack-value'),
    setMaxIntset: cfg.getNumber('set-max-intset-entries'),
    listFill: cfg.getNumber('list-max-listpack-size'),
  };
}

/** Which access information rdbSaveKeyValuePair writes per key under a maxmemory-policy. */
export type AccessInfo = 'none' | 'lru' | 'lfu';

/** MAXMEMORY_FLAG_LRU / MAXMEMORY_FLAG_LFU of a maxmemory-policy. */
export function accessInfoOf(policy: string): AccessInfo {
  if (policy === 'volatile-lru' || policy === 'allkeys-lru') return 'lru';
  if (policy === 'volatile-lfu' || policy === 'allkeys-lfu') return 'lfu';
  return 'none';
}

/**
 * Whether Redis keeps the integers 0..9999 as shared objects under this configuration (no
 * maxmemory, or a policy without per-key LRU/LFU data): then such a value's access clock is the
 * shared object's (Keyspace.sharedLru).
 */
export function integersShared(cfg: Config): boolean {
  const policy = cfg.getString('maxmemory-policy');
  return cfg.getNumber('maxmemory') === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}
