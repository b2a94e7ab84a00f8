// REPLICAOF host port | NO ONE, and its old name SLAVEOF (replicaofCommand). The machinery is in
// src/server/replication/replica.ts.

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { replicaOf, replicaOfNoOne } from '../replication/replica.js';
import { clientInfoLine } from './connection-client.js';
import { isKeyword } from './util.js';
import { parseIntArg } from '../../lib/numbers.js';

const replicaofCommand: Handler = (c, argv) => {
  const srv = c.srv;
  if (srv.config.getBool('cluster-enabled')) return void c.w.error(Err.replicaofInCluster);
  if (srv.repl.failover !== null) return void c.w.error(Err.replicaofWhileFailingOver);
  const who = (): string => clientInfoLine(c, srv.now, { client: c, argv, name: c.currentCommand?.fullName ?? 'replicaof' });
  if (isKeyword(argv[1], 'no') && isKeyword(argv[2], 'one')) {
    if (srv.repl.master !== null) replicaOfNoOne(srv, who());
    c.w.ok();
    return;
  }
  if (c.replica !== null) return void c.w.error(Err.notValidFromReplica);
  // getRangeLongFromObjectOrReply(0, 65535, "Invalid master port"): one error for both.
  const v = parseIntArg(argv[2]);
  if (v === null || v < 0 || v > 65535) return void c.w.error(Err.invalidMasterPort);
  const port = Number(v);
  const host = argv[1].toString('latin1');
  if (replicaOf(srv, host, port) === 'already') {
    c.w.simple('OK Already connected to specified master');
    return;
  }
  srv.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${who()}')`);
  c.w.ok();
};

export const replicaofHandlers: Record<string, Handler> = {
  replicaof: replicaofCommand,
  slaveof: replicaofCommand,
};
