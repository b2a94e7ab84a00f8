// Persistence state of a node (Server.persistence): what LASTSAVE and the INFO persistence
// section report, the background save in progress and what the last load found.

import type { Snapshot } from './snapshot.js';

/** A BGSAVE in progress. */
export interface BgSave {
  readonly snapshot: Snapshot;
  /** srv.dirty when it began: what a success takes off the counter (dirty_before_bgsave). */
  readonly dirtyBefore: number;
  /** Wall-clock start, ms. */
  readonly startedAt: number;
}

export interface PersistenceState {
  /** Unix time (seconds) of the last successful save; the start time until then (Redis). */
  lastSave: number;
  /** Whether the last background save succeeded (INFO rdb_last_bgsave_status). */
  lastSaveOk: boolean;
  /** Duration of the last save in ms, or -1. */
  lastSaveMs: number;
  /** Keys loaded and keys skipped as expired by the last load (INFO rdb_last_load_keys_*). */
  lastLoadKeysLoaded: number;
  lastLoadKeysExpired: number;
  /** A synchronous SAVE is being written. */
  saving: boolean;
  /** The BGSAVE in progress, or null. */
  bgsave: BgSave | null;
  /** BGSAVE SCHEDULE (or one asked for inside MULTI) waits for the running snapshot. */
  bgsaveScheduled: boolean;
  /** Wall-clock ms of the last BGSAVE attempt (a failed one is retried after 5 s). */
  lastBgsaveTry: number;
  /** Saves completed (SAVE and BGSAVE: INFO rdb_saves). */
  rdbSaves: number;
  /** Peak bytes the last BGSAVE held (rdb_last_cow_size). */
  lastCowBytes: number;
}

/** A node's persistence state at start: the start time counts as the last save (Redis). */
export function newPersistenceState(startTimeMs: number): PersistenceState {
  return {
    lastSave: Math.floor(startTimeMs / 1000),
    lastSaveOk: true,
    lastSaveMs: -1,
    lastLoadKeysLoaded: 0,
    lastLoadKeysExpired: 0,
    saving: false,
    bgsave: null,
    bgsaveScheduled: false,
    lastBgsaveTry: 0,
    rdbSaves: 0,
    lastCowBytes: 0,
  };
}
