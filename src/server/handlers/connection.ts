// Connection commands: PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH — the per-connection
// state a client sets up for itself (protocol version, database, name, authentication).
// The CLIENT container lives in connection-client.ts and is merged into this record.
//
// Authentication model until ACLs land: a single user, 'default'. With `requirepass` unset it
// is a "nopass" user (AUTH default <anything> succeeds, AUTH <password> is an error); with
// `requirepass` set, its password is that value.

import { discardTransaction } from '../multi.js';
import type { Handler } from '../command-table.js';
import { Err } from '../../lib/errors.js';
import { ReplyMode, type Client } from '../network/client.js';
import { REDIS_COMPAT_VERSION } from '../server.js';
import { intArg, isKeyword, safeIntArg } from './util.js';
import { clientHandlers, setClientName } from './connection-client.js';


// ---------------------------------------------------------------------------------------------
// Authentication

/**
 * Checks user/password against the one 'default' user. Returns true on success and marks the
 * connection authenticated (lifting the pre-auth request size limits); on failure the client
 * keeps whatever authentication it had, as in Redis.
 */
export function authenticate(c: Client, user: Buffer, pass: Buffer): boolean {
  if (user.toString('latin1') !== 'default') return false;
  const required = c.srv.config.getString('requirepass');
  if (required !== '' && !pass.equals(Buffer.from(required))) return false;
  c.authenticated = true;
  c.user = 'default';
  c.parser.limits.authRequired = false;
  return true;
}

/** What MONITOR and the slow log show instead of a password (argv is redacted in place). */
const REDACTED = Buffer.from('(redacted)');

/** AUTH [username] password */
const authCommand: Handler = (c, argv) => {
  if (argv.length > 3) {
    c.w.error(Err.syntax);
    return;
  }
  // Redis redacts both arguments of the forms it accepts (user and password alike).
  const user = argv[1];
  const pass = argv.length === 3 ? argv[2] : argv[1];
  argv[1] = REDACTED;
  if (argv.length === 3) argv[2] = REDACTED;
  let ok: boolean;
  if (argv.length === 2) {
    // The one-argument form authenticates 'default', which must then have a password.
    if (c.srv.config.getString('requirepass') === '') {
      c.w.error(Err.authNoPassword);
      return;
    }
    ok = authenticate(c, Buffer.from('default'), pass);
  } else {
    ok = authenticate(c, user, pass);
  }
  if (ok) c.w.ok();
  else c.w.error(Err.wrongPass);
};

// ---------------------------------------------------------------------------------------------
// HELLO

/**
 * HELLO [protover [AUTH user pass] [SETNAME name]]. As Redis 7.0.15: the protocol version is
 * checked first; then options are applied one by one as they are parsed — AUTH authenticates
 * (WRONGPASS stops there), SETNAME validates and sets the name at once — so an error later in
 * the line leaves earlier options in effect. Only then "must be authenticated" is checked; the
 * protocol switches last, and the reply is encoded in the protocol just selected.
 */
const helloCommand: Handler = (c, argv) => {
  let ver = 0;
  if (argv.length >= 2) {
    const v = safeIntArg(c, argv[1], Err.helloProtoNotInt);
    if (v === null) return;
    if (v < 2 || v > 3) {
      c.w.error(Err.noProto);
      return;
    }
    ver = v;
  }
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isKeyword(argv[j], 'auth') && more >= 2) {
      const user = argv[j + 1];
      const pass = argv[j + 2];
      // Redacted for MONITOR and the slow log as soon as the option is parsed.
      argv[j + 1] = REDACTED;
      argv[j + 2] = REDACTED;
      if (!authenticate(c, user, pass)) {
        c.w.error(Err.wrongPass);
        return;
      }
      j += 2;
    } else if (isKeyword(argv[j], 'setname') && more >= 1) {
      if (!setClientName(c, argv[j + 1])) return;
      j++;
    } else {
      c.w.error(Err.helloSyntax(argv[j].toString('latin1')));
      return;
    }
  }
  if (!c.authenticated) {
    c.w.error(Err.helloNoAuth);
    return;
  }
  if (ver !== 0) c.w.resp = ver as 2 | 3;

  const w = c.w;
  w.map(7);
  w.bulkString('server');
  w.bulkString('redis');
  w.bulkString('version');
  w.bulkString(REDIS_COMPAT_VERSION);
  w.bulkString('proto');
  w.integer(w.resp);
  w.bulkString('id');
  w.integer(c.id);
  w.bulkString('mode');
  w.bulkString(c.srv.sentinel !== null ? 'sentinel' : 'standalone');
  w.bulkString('role');
  w.bulkString('master');
  w.bulkString('modules');
  w.array(0);
};

// ---------------------------------------------------------------------------------------------
// PING, ECHO, QUIT, RESET, SELECT

const PONG_BULK = Buffer.from('$4\r\npong\r\n');

const pingCommand: Handler = (c, argv) => {
  // Arity is -1 so the gate lets PING a b through; Redis rejects it here with the arity text.
  if (argv.length > 2) {
    c.w.error(Err.wrongArity('ping'));
  } else if (c.pubsub && c.w.resp === 2) {
    // In RESP2 Pub/Sub mode a reply must look like a message: ["pong", <argument or "">].
    c.w.array(2);
    c.w.raw(PONG_BULK);
    if (argv.length === 2) c.w.bulk(argv[1]);
    else c.w.bulkLatin1('');
  } else if (argv.length === 2) {
    c.w.bulk(argv[1]);
  } else {
    c.w.pong();
  }
};

const echoCommand: Handler = (c, argv) => {
  c.w.bulk(argv[1]);
};

const quitCommand: Handler = (c) => {
  c.w.ok();
  c.closeAfterReply = true;
};

/**
 * RESET: back to a fresh connection's state — MONITOR off, tracking off, db 0, RESP2, the
 * default user authenticated only if it needs no password, no transaction, no subscriptions
 * (dropped silently), no name, replies on, no-touch off. Redis 7.0 keeps the no-evict flag
 * across RESET (checked against 7.0.15), so it is kept here too.
 */
const resetCommand: Handler = (c) => {
  const srv = c.srv;
  srv.tracking.disable(c);
  c.db = srv.keyspace.dbs[0];
  c.name = '';
  c.w.resp = 2;
  c.replyMode = ReplyMode.On;
  c.noTouch = false;
  if (c.monitor) {
    c.monitor = false;
    srv.monitors.delete(c);
  }
  c.user = 'default';
  c.authenticated = !srv.authRequired;
  c.parser.limits.authRequired = !c.authenticated;
  discardTransaction(c);
  srv.pubsub.forget(c);
  c.w.simple('RESET');
};

const selectCommand: Handler = (c, argv) => {
  const v = intArg(c, argv[1]);
  if (v === null) return;
  // Redis parses the index as a C int (getIntFromObjectOrReply), with its own range error.
  if (v < -2147483648 || v > 2147483647) {
    c.w.error(Err.intRange);
    return;
  }
  const id = Number(v);
  const dbs = c.srv.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    c.w.error(Err.dbIndexOutOfRange);
    return;
  }
  c.db = dbs[id];
  c.w.ok();
};

export const connectionHandlers: Record<string, Handler> = {
  ping: pingCommand,
  echo: echoCommand,
  quit: quitCommand,
  reset: resetCommand,
  select: selectCommand,
  hello: helloCommand,
  auth: authCommand,
  ...clientHandlers,
};
