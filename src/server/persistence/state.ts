// Persistence state of a node, kept beside the Server object (one per node): what LASTSAVE and
// the INFO persistence section report, and what the last load found.

import type { Server } from '../server.js';

export interface PersistenceState {
  /** Unix time (seconds) of the last successful save; the start time until then (Redis). */
  lastSave: number;
  /** Whether the last save succeeded (INFO rdb_last_bgsave_status). */
  lastSaveOk: boolean;
  /** Duration of the last save in ms, or -1. */
  lastSaveMs: number;
  /** Keys loaded and keys skipped as expired by the last load (INFO rdb_last_load_keys_*). */
  lastLoadKeysLoaded: number;
  lastLoadKeysExpired: number;
  /** A save is being written (SAVE refuses to nest; BGSAVE will set it for its duration). */
  saving: boolean;
}

const states = new WeakMap<Server, PersistenceState>();

/** The persistence state of srv (created on first use). */
export function persistenceOf(srv: Server): PersistenceState {
  let s = states.get(srv);
  if (s === undefined) {
    s = {
      lastSave: Math.floor(srv.startTimeMs / 1000),
      lastSaveOk: true,
      lastSaveMs: -1,
      lastLoadKeysLoaded: 0,
      lastLoadKeysExpired: 0,
      saving: false,
    };
    states.set(srv, s);
  }
  return s;
}
