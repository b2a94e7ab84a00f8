// Micro-benchmark of the in-process command path (parse -> dispatch -> handler -> reply
// encoding) without sockets: measures JS cost per command so hot-path changes can be compared.
// Run: npm run build && node dist/bench/dispatch-micro.js [GET|SET|INCR|MSET] [pipeline] [seconds]
//      node dist/bench/dispatch-micro.js 'HGET h f1' 16 3 'HSET h f1 v1 f2 v2'
//        (any command line, words split on spaces, run after an optional setup command line)
//      REPLICAS=2 node dist/bench/dispatch-micro.js SET 16 5
//        (with 2 replicas attached through PSYNC ... CONTINUE on null sockets: the master's
//        propagation path, the backlog and one stream write per replica per batch)
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { loadConfig } from '../src/server/config/load.js';
import { Server } from '../src/server/server.js';
import { Client } from '../src/server/network/client.js';
import { createBacklog, flushTurn } from '../src/server/replication/master.js';

class NullSocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  localAddress = '127.0.0.1';
  localPort = 6379;
  writableLength = 0;
  bytes = 0;
  write(b: Buffer): boolean {
    this.bytes += b.length;
    return true;
  }
  end(): void {}
  destroy(): void {}
  destroySoon(): void {}
  setNoDelay(): void {}
}

const cmd = (process.argv[2] ?? 'GET').toUpperCase();
const pipeline = Number(process.argv[3] ?? 16);
const seconds = Number(process.argv[4] ?? 5);
const { config } = loadConfig(['--save', '', '--loglevel', 'warning']);
const srv = new Server({ config });
const sock = new NullSocket();
const c = new Client(srv, sock as unknown as Socket, 1, srv.keyspace.dbs[0], true, Date.now());
srv.clients.set(1, c);

const K = '$16\r\nkey:000000000042\r\n';
const V = '$3\r\nxxx\r\n';
const ONE: Record<string, string> = {
  GET: `*2\r\n$3\r\nGET\r\n${K}`,
  SET: `*3\r\n$3\r\nSET\r\n${K}${V}`,
  INCR: `*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n`,
  MSET: `*21\r\n$4\r\nMSET\r\n${(K + V).repeat(10)}`,
};
/** A command line as a RESP array of bulk strings. */
function resp(line: string): string {
  const words = line.split(' ').filter((w) => w.length > 0);
  return `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w, 'latin1')}\r\n${w}\r\n`).join('')}`;
}
const raw = process.argv[2] ?? 'GET';
const one = raw.includes(' ') ? resp(raw) : ONE[cmd] ?? ONE.GET;
sock.emit('data', Buffer.from('*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$3\r\nxxx\r\n'));
if (process.argv[5] !== undefined) sock.emit('data', Buffer.from(resp(process.argv[5]), 'latin1'));
const replicas = Number(process.env.REPLICAS ?? 0);
const replicaSocks: NullSocket[] = [];
if (replicas > 0) {
  createBacklog(srv);
  for (let i = 0; i < replicas; i++) {
    const rs = new NullSocket();
    const rc = new Client(srv, rs as unknown as Socket, 100 + i, srv.keyspace.dbs[0], true, Date.now());
    srv.clients.set(100 + i, rc);
    rs.emit('data', Buffer.from(resp('REPLCONF capa eof capa psync2'), 'latin1'));
    rc.flush(); // PSYNC is refused while a reply is pending
    rs.emit('data', Buffer.from(resp(`PSYNC ${srv.repl.replId} ${srv.repl.masterReplOffset + 1}`), 'latin1'));
    replicaSocks.push(rs);
  }
  if (srv.repl.replicas.size !== replicas) throw new Error(`${srv.repl.replicas.size} replicas attached, not ${replicas}`);
}
const batch = one.repeat(pipeline);
let n = 0;
const end = Date.now() + seconds * 1000;
const t0 = process.hrtime.bigint();
while (Date.now() < end) {
  for (let i = 0; i < 1000; i++) {
    sock.emit('data', Buffer.from(batch, 'latin1'));
    // The server flushes at the end of the event-loop turn; this loop never yields, so here.
    c.flush();
    if (replicas > 0) flushTurn(srv);
  }
  n += 1000 * pipeline;
}
const ns = Number(process.hrtime.bigint() - t0);
const streamed = replicaSocks.length > 0 ? `, ${replicas} replica(s) got ${(replicaSocks[0].bytes / n).toFixed(1)} stream bytes/command` : '';
console.log(`${cmd} -P ${pipeline}: ${(ns / n).toFixed(1)} ns/command, ${Math.round((n / ns) * 1e9)} commands/s (in-process, no sockets)${streamed}`);
void srv.close();
