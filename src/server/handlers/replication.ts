// Replication commands of the master side and ROLE: SYNC, PSYNC, REPLCONF, WAIT
// (replication.c). The machinery is in src/server/replication/; REPLICAOF is in replicaof.ts.

import { Err, sanitizeErrorText } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { replicaAck, syncCommand, waitCommand } from '../replication/master.js';
import { roleCommand } from '../replication/info.js';
import { replicaGetAck } from '../replication/replica.js';
import { lowerArg, safeIntArg } from './util.js';

/** Longest REPLCONF ip-address (NET_HOST_STR_LEN - 1). */
const MAX_HOST_LEN = 255;

/**
 * REPLCONF option value ...: what a replica tells before its PSYNC (listening-port,
 * ip-address, capa), and afterwards ACK <offset> (no reply) and, from a master, GETACK (no
 * reply; the replica answers with an ACK). Unknown capabilities are ignored, as Redis does.
 */
const replconfCommand: Handler = (c, argv) => {
  if (argv.length % 2 === 0) return void c.w.error(Err.syntax);
  for (let j = 1; j < argv.length; j += 2) {
    const opt = lowerArg(argv[j]);
    const val = argv[j + 1];
    if (opt === 'ack') {
      if (c.replica === null) return;
      const s = val.toString('latin1');
      if (!/^-?\d+$/.test(s)) return;
      replicaAck(c.srv, c, Number(s));
      return;
    }
    if (opt === 'getack') {
      if (c.isMaster) replicaGetAck(c.srv, c);
      return;
    }
    const conf = (c.replConf ??= { listeningPort: 0, ip: '', capaEof: false, capaPsync2: false });
    if (opt === 'listening-port') {
      const port = safeIntArg(c, val);
      if (port === null) return;
      conf.listeningPort = port;
    } else if (opt === 'ip-address') {
      if (val.length > MAX_HOST_LEN) {
        return void c.w.error(Err.replconfIpTooLong(val.length));
      }
      conf.ip = val.toString('latin1');
    } else if (opt === 'capa') {
      const capa = lowerArg(val);
      if (capa === 'eof') conf.capaEof = true;
      else if (capa === 'psync2') conf.capaPsync2 = true;
    } else if (opt === 'rdb-only' || opt === 'rdb-filter-only') {
      // Accepted (redis-cli --rdb sends them); the payload is the whole dataset either way.
    } else {
      return void c.w.errorLatin1(sanitizeErrorText(Err.replconfUnrecognized(argv[j].toString('latin1'))));
    }
  }
  c.w.ok();
};

/** WAIT numreplicas timeout (ms; 0 waits forever). */
const waitHandler: Handler = (c, argv) => {
  if (c.srv.repl.isReplica) return void c.w.error(Err.waitOnReplica);
  const num = safeIntArg(c, argv[1]);
  if (num === null) return;
  const timeout = safeIntArg(c, argv[2], Err.timeoutNotInt);
  if (timeout === null) return;
  if (timeout < 0) return void c.w.error(Err.timeoutNegative);
  waitCommand(c, num, timeout);
};

export const replicationHandlers: Record<string, Handler> = {
  sync: syncCommand,
  psync: syncCommand,
  replconf: replconfCommand,
  wait: waitHandler,
  role: (c) => roleCommand(c),
};
