// Server administration: TIME, SHUTDOWN, MONITOR and DEBUG (SLEEP, SET-ACTIVE-EXPIRE, OBJECT,
// POPULATE, PROTOCOL, HELP).
//
// DEBUG is one command with arity -2 in the table (no subcommand specs), so its handler
// parses argv[1] itself and answers Redis's "unknown subcommand or wrong number of
// arguments" for anything it does not know or with the wrong argument count. As in Redis it
// is refused unless `enable-debug-command` allows it (yes, or local for loopback/unix peers).

import { writeOptions } from '../persistence/options.js';
import { dumpEntry } from '../persistence/payload.js';
import type { Handler } from '../command-table.js';
import { Err } from '../../lib/errors.js';
import type { Client } from '../network/client.js';
import { NONE, type Database } from '../keyspace/database.js';
import { lruIdleSeconds } from '../keyspace/keyspace.js';
import { isKeyword } from './util.js';
import { longAtLeast } from './lists-common.js';
import { signalModifiedKey } from '../signals.js';
import { stringMeta } from '../keyspace/store.js';
import { NO_EXPIRY, StrEnc } from '../keyspace/entry.js';
import { replyHelp } from './util.js';
import { objectAccessClock, objectEncoding, objectRefcount } from './keys-object.js';
import { abortShutdown, shutdownPending, startShutdown } from '../persistence/shutdown.js';


// Redis's own DEBUG HELP wording, limited to the subcommands Shoal implements.
const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

// ---------------------------------------------------------------------------------------------
// TIME, MONITOR

/** TIME: [unix seconds, microseconds] as bulk strings, from the injected clock. */
const timeCommand: Handler = (c) => {
  const us = c.srv.clock.nowUs();
  c.w.array(2);
  c.w.bulkString(String(Math.floor(us / 1e6)));
  c.w.bulkString(String(us % 1e6));
};

/** MONITOR: from now on this connection receives every command the server runs. */
const monitorCommand: Handler = (c) => {
  if (!c.monitor) {
    c.monitor = true;
    c.srv.monitors.add(c);
  }
  c.w.ok();
};

// ---------------------------------------------------------------------------------------------
// SHUTDOWN

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success nothing is replied: the server
 * closes every connection (this one included) and `server.closed` resolves, on which the
 * CLI exits. A master with lagging replicas first waits for them (persistence/shutdown.ts),
 * without replying, unless NOW; ABORT cancels such a wait.
 */
const shutdownCommand: Handler = (c, argv) => {
  let nosave = false;
  let save = false;
  let other = false;
  let force = false;
  let now = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (isKeyword(a, 'nosave')) nosave = true;
    else if (isKeyword(a, 'save')) save = true;
    else if (isKeyword(a, 'force')) force = other = true;
    else if (isKeyword(a, 'now')) now = other = true;
    else if (isKeyword(a, 'abort')) abort = true;
    else {
      c.w.error(Err.syntax);
      return;
    }
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) {
    c.w.error(Err.syntax);
    return;
  }
  const srv = c.srv;
  if (abort) {
    if (abortShutdown(srv)) c.w.ok();
    else c.w.error(Err.noShutdown);
    return;
  }
  // A caller while a shutdown waits joins it, silently.
  if (!shutdownPending(srv)) srv.log.warning('User requested shutdown...');
  if (startShutdown(srv, { save, nosave, force, now }, c) === 'failed') c.w.error(Err.shutdownErrors);
};

// ---------------------------------------------------------------------------------------------
// DEBUG

/** True if this connection may run DEBUG under the enable-debug-command setting. */
function debugAllowed(c: Client): boolean {
  const mode = c.srv.config.getString('enable-debug-command');
  if (mode === 'yes') return true;
  if (mode === 'local') return c.isLocal;
  return false;
}

/** Blocks the whole process for ms milliseconds, as Redis's DEBUG SLEEP blocks its event loop. */
function blockFor(ms: number): void {
  if (!(ms > 0)) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** C's atof/strtod on a prefix: the leading number, 0 if there is none. */
function leadingFloat(arg: Buffer): number {
  const v = parseFloat(arg.toString('latin1'));
  return Number.isNaN(v) ? 0 : v;
}

/** C's atoi: the leading integer, 0 if there is none. */
function leadingInt(arg: Buffer): number {
  const v = parseInt(arg.toString('latin1'), 10);
  return Number.isNaN(v) ? 0 : v;
}

/** DEBUG OBJECT's "Value at": where the entry's record sits in the arena. */
function addressOf(db: Database, e: number): string {
  return '0x' + (0x7f3a00000000 + db.store.addrOf(e) * 8).toString(16);
}

/**
 * The value's RDB serialized length (Redis's rdbSavedObjectLen): the DUMP payload without its
 * type byte, RDB version and CRC (LZF compression and encodings included, as SAVE writes it).
 */
function serializedLength(c: Client, e: number): number {
  return dumpEntry(c.db.store, e, writeOptions(c.srv.config)).length - 11;
}

/** DEBUG OBJECT key: Redis's one-line status about the value (no expiry check, no touch). */
function debugObject(c: Client, key: Buffer): void {
  const e = c.db.find(key);
  if (e === NONE) {
    c.w.error(Err.noSuchKey);
    return;
  }
  // The same refcount and access clock OBJECT reports (a shared small integer's are global).
  const lru = objectAccessClock(c, e);
  c.w.simple(
    `Value at:${addressOf(c.db, e)} refcount:${objectRefcount(c, e)} encoding:${objectEncoding(c.db, e)}` +
      ` serializedlength:${serializedLength(c, e)} lru:${lru} lru_seconds_idle:${lruIdleSeconds(lru, c.srv.now)}`,
  );
}

/**
 * DEBUG PROTOCOL <type>: one sample reply of each RESP type, for client and protocol tests.
 * Values and RESP2 fallbacks as Redis 7.0 (push is refused in RESP2; attributes are dropped).
 */
function debugProtocol(c: Client, type: string): void {
  const w = c.w;
  switch (type) {
    case 'string':
      w.bulkString('Hello World');
      break;
    case 'integer':
      w.integer(12345);
      break;
    case 'double':
      w.double(3.141);
      break;
    case 'bignum':
      w.bigNumber('1234567999999999999999999999999999999');
      break;
    case 'null':
      w.nil();
      break;
    case 'array':
    case 'set':
    case 'map': {
      const n = 3;
      if (type === 'array') w.array(n);
      else if (type === 'set') w.set(n);
      else w.map(n);
      for (let j = 0; j < n; j++) {
        w.integer(j);
        if (type === 'map') w.bool(j === 1);
      }
      break;
    }
    case 'attrib':
      if (w.resp >= 3) {
        w.attribute(1);
        w.bulkString('key-popularity');
        w.array(2);
        w.bulkString('key:123');
        w.integer(90);
      }
      w.bulkString('Some real reply following the attribute');
      break;
    case 'push':
      if (w.resp < 3) {
        w.error(Err.pushResp2);
        break;
      }
      w.push(2);
      w.bulkString('server-cpu-usage');
      w.integer(42);
      w.bulkString('Some real reply following the push reply');
      break;
    case 'true':
    case 'false':
      w.bool(type === 'true');
      break;
    case 'verbatim':
      w.verbatim('This is a verbatim\nstring');
      break;
    default:
      w.error(Err.protocolType);
  }
}

/**
 * DEBUG POPULATE <count> [<prefix>] [<size>], as Redis 7.0: string keys `<prefix>:<j>` (prefix
 * "key") for j in [0, count) holding `value:<j>`, zero-padded or cut to `size` bytes when a size
 * is given; keys that exist are left as they are. Not propagated and not counted in `dirty`;
 * the only keyspace event is dbAdd's `new`; WATCH and tracking see the keys (signalModifiedKey).
 */
function debugPopulate(c: Client, argv: Buffer[]): void {
  const count = longAtLeast(c, argv[2], 0, Err.mustBePositive);
  if (count === null) return;
  let size = 0;
  if (argv.length === 5) {
    const v = longAtLeast(c, argv[4], 0, Err.mustBePositive);
    if (v === null) return;
    size = v;
  }
  const prefix = argv.length >= 4 ? argv[3].toString('latin1') : 'key';
  const ks = c.srv.keyspace;
  const db = c.db;
  db.reserve(db.size + count);
  const now = c.srv.now;
  const padded = size > 0 ? Buffer.alloc(size) : null;
  for (let j = 0; j < count; j++) {
    const key = Buffer.from(`${prefix}:${j}`, 'latin1');
    if (ks.lookupWrite(db, key, now, true) !== NONE) continue;
    let value = Buffer.from(`value:${j}`, 'latin1');
    if (padded !== null) {
      padded.fill(0, value.copy(padded, 0, 0, Math.min(size, value.length)));
      value = padded;
    }
    signalModifiedKey(c, db, key);
    db.addString(key, value, stringMeta(StrEnc.NoInt, ks.initialLru(now)), NO_EXPIRY);
  }
  c.w.ok();
}

const debugCommand: Handler = (c, argv) => {
  if (!debugAllowed(c)) {
    c.w.error(Err.debugNotAllowed);
    return;
  }
  const sub = argv[1];
  const argc = argv.length;
  if (isKeyword(sub, 'help') && argc === 2) {
    replyHelp(c, DEBUG_HELP);
  } else if (isKeyword(sub, 'sleep') && argc === 3) {
    blockFor(leadingFloat(argv[2]) * 1000);
    c.w.ok();
  } else if (isKeyword(sub, 'set-active-expire') && argc === 3) {
    c.srv.activeExpireEnabled = leadingInt(argv[2]) !== 0;
    c.w.ok();
  } else if (isKeyword(sub, 'object') && argc === 3) {
    debugObject(c, argv[2]);
  } else if (isKeyword(sub, 'populate') && argc >= 3 && argc <= 5) {
    debugPopulate(c, argv);
  } else if (isKeyword(sub, 'protocol') && argc === 3) {
    debugProtocol(c, argv[2].toString('latin1').toLowerCase());
  } else {
    c.w.error(Err.subcommandSyntax(sub.toString('latin1'), 'DEBUG'));
  }
};

export const adminHandlers: Record<string, Handler> = {
  time: timeCommand,
  shutdown: shutdownCommand,
  monitor: monitorCommand,
  debug: debugCommand,
};
