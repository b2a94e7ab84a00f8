// What replication shows: INFO replication, field for field as Redis 7.0 prints it
// (genRedisInfoString), and ROLE. Shoal adds two fields to each slaveN line, after Redis's:
// lag_bytes (the stream the replica has not acknowledged yet) and lag_ms (the replication lag
// measured at its last ACK: how old what it had applied was); parsers of the line (Sentinel's
// included) read the fields they know by name.

import type { Client } from '../network/client.js';
import type { Server } from '../server.js';
import { goodReplicas, replicaIp, settleBacklog, type ReplicaState } from './master.js';

type Lines = [string, string | number][];

const STATE_NAMES: Record<ReplicaState, string> = {
  wait_bgsave_start: 'wait_bgsave',
  wait_bgsave_end: 'wait_bgsave',
  send_bulk: 'send_bulk',
  online: 'online',
};

/** INFO replication. */
export function replicationInfo(srv: Server): Lines {
  const r = srv.repl;
  const now = srv.clock.now();
  const secs = (ms: number): number => Math.floor((now - ms) / 1000);
  const out: Lines = [['role', r.isReplica ? 'slave' : 'master']];
  const master = r.master;
  if (master !== null) {
    const link = r.link;
    const connected = link?.state === 'connected';
    out.push(
      ['master_host', master.host],
      ['master_port', master.port],
      ['master_link_status', connected ? 'up' : 'down'],
      ['master_last_io_seconds_ago', connected && link !== null ? secs(link.lastIoMs) : -1],
      ['master_sync_in_progress', link?.transfer != null ? 1 : 0],
      ['slave_read_repl_offset', link !== null ? link.readOffset : r.masterReplOffset],
      ['slave_repl_offset', r.masterReplOffset],
    );
    const t = link?.transfer ?? null;
    if (t !== null) {
      // Redis's arithmetic: size is -1 until the payload's header, 0 for an EOF-marked one (so
      // left is negative), and C prints the -0 of 0 / -1 as -0.00.
      const left = t.size - t.read;
      const p = t.size !== 0 ? (t.read / t.size) * 100 : 0;
      const perc = Object.is(p, -0) ? '-0.00' : p.toFixed(2);
      out.push(
        ['master_sync_total_bytes', t.size],
        ['master_sync_read_bytes', t.read],
        ['master_sync_left_bytes', left],
        ['master_sync_perc', perc],
        ['master_sync_last_io_seconds_ago', secs(t.lastIoMs)],
      );
    }
    if (!connected) out.push(['master_link_down_since_seconds', link !== null && link.downSinceMs >= 0 ? secs(link.downSinceMs) : -1]);
    out.push(
      ['slave_priority', srv.config.getNumber('replica-priority')],
      ['slave_read_only', srv.config.getBool('replica-read-only') ? 1 : 0],
      ['replica_announced', srv.config.getBool('replica-announced') ? 1 : 0],
    );
  }
  out.push(['connected_slaves', r.replicas.size]);
  if (srv.config.getNumber('min-replicas-to-write') > 0 && srv.config.getNumber('min-replicas-max-lag') > 0) {
    out.push(['min_slaves_good_slaves', goodReplicas(srv)]);
  }
  let i = 0;
  for (const link of r.replicas) {
    const lagBytes = Math.max(0, r.masterReplOffset - link.ackOffset);
    out.push([
      `slave${i++}`,
      `ip=${replicaIp(link.client)},port=${link.listeningPort},state=${STATE_NAMES[link.state]},offset=${link.ackOffset},lag=${secs(link.ackTimeMs)}` +
        `,lag_bytes=${link.state === 'online' ? lagBytes : 0},lag_ms=${link.state === 'online' ? link.lagMs : 0}`,
    ]);
  }
  settleBacklog(srv);
  const b = r.backlog;
  out.push(
    ['master_failover_state', r.failover?.state ?? 'no-failover'],
    ['master_replid', r.replId],
    ['master_replid2', r.replId2],
    ['master_repl_offset', r.masterReplOffset],
    ['second_repl_offset', r.secondReplOffset],
    ['repl_backlog_active', b !== null ? 1 : 0],
    ['repl_backlog_size', srv.config.getNumber('repl-backlog-size')],
    ['repl_backlog_first_byte_offset', b !== null ? b.firstOffset : 0],
    ['repl_backlog_histlen', b !== null ? b.histlen : 0],
  );
  return out;
}

/** ROLE (roleCommand). */
export function roleCommand(c: Client): void {
  const srv = c.srv;
  const r = srv.repl;
  const w = c.w;
  if (r.master === null) {
    const online = [...r.replicas].filter((l) => l.state === 'online');
    w.array(3);
    w.bulkString('master');
    w.integer(r.masterReplOffset);
    w.array(online.length);
    for (const link of online) {
      w.array(3);
      w.bulkString(replicaIp(link.client));
      w.bulkString(String(link.listeningPort));
      w.bulkString(String(link.ackOffset));
    }
    return;
  }
  const link = r.link;
  w.array(5);
  w.bulkString('slave');
  w.bulkString(r.master.host);
  w.integer(r.master.port);
  w.bulkString(link !== null ? link.state : 'connect');
  w.integer(link?.client != null ? r.masterReplOffset : -1);
}
