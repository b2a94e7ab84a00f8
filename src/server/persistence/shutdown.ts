// What a node saves before it exits (server.c prepareForShutdown): SHUTDOWN, and SIGTERM /
// SIGINT through shutdown-on-sigterm / shutdown-on-sigint. A BGSAVE in progress is abandoned
// (its temp file removed); the dataset is saved synchronously when SAVE is asked for, or when
// save points are configured and NOSAVE is not; a failed save stops the shutdown unless FORCE.

import type { Server } from '../server.js';
import { aofRewriting } from './aof/feed.js';
import { aofOf } from './aof/startup.js';
import { killBgsave, savePoints } from './bgsave.js';
import { writeRdbFile } from './rdb-writer.js';

export interface ShutdownFlags {
  save: boolean;
  nosave: boolean;
  force: boolean;
}

/** The flags of a shutdown-on-sigterm / shutdown-on-sigint value ("default", "save now", ...). */
export function shutdownFlagsOf(value: string): ShutdownFlags {
  const words = value.split(/\s+/);
  return { save: words.includes('save'), nosave: words.includes('nosave'), force: words.includes('force') };
}

/**
 * Saves what must be saved before exiting. Returns false, having logged why, when the node
 * must not exit (the final save failed without FORCE).
 */
export function prepareForShutdown(srv: Server, flags: ShutdownFlags): boolean {
  if (srv.persistence.bgsave !== null) {
    srv.log.warning('There is a child saving an .rdb. Killing it!');
    killBgsave(srv, 'Background saving terminated: shutdown');
  }
  if (aofRewriting(srv) && srv.snapshot !== null) {
    srv.log.warning('There is a child rewriting the AOF. Killing it!');
    srv.snapshot.abort('Background AOF rewrite terminated: shutdown');
  }
  if (aofOf(srv).writer !== null) srv.log.notice('Calling fsync() on the AOF file.');
  if ((savePoints(srv).length > 0 && !flags.nosave) || flags.save) {
    srv.log.notice('Saving the final RDB snapshot before exiting.');
    try {
      writeRdbFile(srv);
    } catch {
      if (flags.force) {
        srv.log.warning('Error trying to save the DB. Exit anyway.');
      } else {
        srv.log.warning("Error trying to save the DB, can't exit.");
        srv.log.warning('Errors trying to shut down the server. Check the logs for more information.');
        return false;
      }
    }
  }
  return true;
}
