// The CLIENT container: ID, SETNAME, GETNAME, LIST, INFO, KILL, PAUSE, UNPAUSE, REPLY,
// NO-EVICT, NO-TOUCH, HELP, and (from connection-tracking.ts) TRACKING, CACHING, TRACKINGINFO,
// GETREDIR. Merged into connectionHandlers by connection.ts.
//
// CLIENT LIST / INFO print Redis 7.0's line format field for field. Fields Shoal has no direct
// equivalent for (fd, query/reply buffer sizes, memory) carry plausible values derived from
// what the connection really holds, so tools that parse the line keep working.

import { unblockWaiter } from '../replication/master.js';
import type { Handler } from '../command-table.js';
import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { ReplyMode, type Client } from '../network/client.js';
import { isKeyword, replyHelp } from './util.js';
import { trackingClientHandlers } from './connection-tracking.js';


const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  // CLIENT NO-TOUCH is a Redis 7.2 addition Shoal already supports; its help line is 7.2's.
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
  'HELP',
  '    Prints this help.',
];


// ---------------------------------------------------------------------------------------------
// Names

/**
 * Sets (or, with an empty name, clears) the connection name. Names may only hold printable
 * ASCII other than space (0x21..0x7e). Replies the error and returns false on a bad name.
 */
export function setClientName(c: Client, name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) {
    if (name[i] < 0x21 || name[i] > 0x7e) {
      c.w.error(Err.badClientName);
      return false;
    }
  }
  c.name = name.toString('latin1');
  return true;
}

// ---------------------------------------------------------------------------------------------
// CLIENT LIST / INFO line

/** Client type for LIST/KILL TYPE filters. */
type ClientType = 'normal' | 'replica' | 'master' | 'pubsub';

function clientType(c: Client): ClientType {
  // A MONITOR client is a normal client for these filters, as in Redis; a client with any
  // subscription is a pubsub client.
  if (c.isMaster) return 'master';
  if (c.replica !== null) return 'replica';
  return c.pubsub ? 'pubsub' : 'normal';
}

/** Parses a TYPE argument (normal, slave/replica, master, pubsub); null if unknown. */
function parseClientType(arg: Buffer): ClientType | null {
  const t = arg.toString('latin1').toLowerCase();
  if (t === 'normal' || t === 'master' || t === 'pubsub') return t;
  if (t === 'replica' || t === 'slave') return 'replica';
  return null;
}

/** Redis's default query buffer allocation seen in CLIENT LIST (qbuf + qbuf-free). */
const QBUF_ALLOC = 20474;

/** The socket's file descriptor where Node exposes it (TCP and unix sockets on POSIX). */
function socketFd(c: Client): number {
  const handle = (c.socket as unknown as { _handle?: { fd?: number } })._handle;
  return typeof handle?.fd === 'number' ? handle.fd : -1;
}

function encodedLength(argv: Buffer[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

/** Bytes CLIENT LIST's tot-mem counts for a client's own structure and reply buffer. */
const CLIENT_FIXED_BYTES = 800 + 1024;

/**
 * tot-mem of a client that is not running a command: its query buffer (at least Redis's default
 * allocation; a big argument still arriving at its announced length), its fixed part and the
 * output its socket holds. What client eviction weighs
 * (maxmemory-clients, src/server/client-eviction.ts).
 */
export function clientTotalMemory(c: Client): number {
  return CLIENT_FIXED_BYTES + Math.max(QBUF_ALLOC, c.parser.allocatedBytes) + c.socket.writableLength;
}

/**
 * One CLIENT LIST line (without the trailing newline). `current` is the running command of
 * the client asking (its argv and full name), which Redis reports as that client's cmd and
 * counts in its qbuf and argv-mem.
 */
export function clientInfoLine(c: Client, now: number, current?: { client: Client; argv: Buffer[]; name: string }): string {
  const self = current !== undefined && current.client === c;
  const qbuf = c.parser.pendingBytes + (self ? encodedLength(current.argv) : 0);
  const qbufFree = Math.max(0, (self ? QBUF_ALLOC : Math.max(QBUF_ALLOC, c.parser.allocatedBytes)) - qbuf);
  let argvMem = 0;
  if (self) for (const a of current.argv) argvMem += a.length;
  const rbs = self ? 16384 : 1024;
  const obl = c.w.length;
  const omem = c.socket.writableLength;
  const totMem = self ? 800 + qbuf + qbufFree + rbs + argvMem + omem : clientTotalMemory(c);

  const t = c.tracking;
  let flags = '';
  if (c.replica !== null) flags += 'S';
  if (c.isMaster) flags += 'M';
  if (c.monitor) flags += 'O';
  if (c.pubsub) flags += 'P';
  if (c.multi !== null) flags += 'x';
  if (c.suspended) flags += 'b';
  if (t !== null) flags += 't';
  if (t?.brokenRedirect === true) flags += 'R';
  if (t?.bcast === true) flags += 'B';
  if (c.srv.watches.isDirty(c)) flags += 'd';
  if (c.closeAfterReply) flags += 'c';
  if (c.closeAsap) flags += 'A';
  if (c.isUnix) flags += 'U';
  if (c.noEvict) flags += 'e';
  if (c.noTouch) flags += 'T';
  if (flags === '') flags = 'N';

  const cmd = self ? current.name : c.lastCommand !== null ? c.lastCommand.fullName : 'NULL';
  const subs = c.subs;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${socketFd(c)} name=${c.name}` +
    ` age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)}` +
    ` flags=${flags} db=${c.dbIndex} sub=${subs?.channels.size ?? 0} psub=${subs?.patterns.size ?? 0}` +
    ` ssub=${subs?.shard.size ?? 0} multi=${c.multi === null ? -1 : c.multi.queue.length}` +
    ` qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=0` +
    ` rbs=${rbs} rbp=${self ? rbs : obl} obl=${obl} oll=0 omem=${omem} tot-mem=${totMem}` +
    ` events=r${omem > 0 ? 'w' : ''} cmd=${cmd} user=${c.user} redir=${t === null ? -1 : t.redirect} resp=${c.w.resp}`
  );
}

// ---------------------------------------------------------------------------------------------
// Handlers

const clientIdCommand: Handler = (c) => {
  c.w.integer(c.id);
};

const clientSetnameCommand: Handler = (c, argv) => {
  if (setClientName(c, argv[2])) c.w.ok();
};

const clientGetnameCommand: Handler = (c) => {
  if (c.name === '') c.w.nil();
  else c.w.bulkLatin1(c.name);
};

const clientInfoCommand: Handler = (c, argv) => {
  c.w.verbatim(clientInfoLine(c, c.srv.now, { client: c, argv, name: 'client|info' }) + '\n');
};

/** CLIENT LIST [TYPE type] | [ID id [id ...]] */
const clientListCommand: Handler = (c, argv) => {
  const srv = c.srv;
  let clients: Client[];
  if (argv.length === 2) {
    clients = [...srv.clients.values()];
  } else if (argv.length === 4 && isKeyword(argv[2], 'type')) {
    const type = parseClientType(argv[3]);
    if (type === null) {
      c.w.error(Err.unknownClientType(argv[3].toString('latin1')));
      return;
    }
    clients = [...srv.clients.values()].filter((x) => clientType(x) === type);
  } else if (argv.length > 3 && isKeyword(argv[2], 'id')) {
    clients = [];
    const ids: number[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseIntArg(argv[i]);
      if (id === null) {
        c.w.error(Err.invalidClientId);
        return;
      }
      ids.push(Number(id));
    }
    for (const id of ids) {
      const found = srv.clients.get(id);
      if (found !== undefined) clients.push(found);
    }
  } else {
    c.w.error(Err.syntax);
    return;
  }
  const current = { client: c, argv, name: 'client|list' };
  let text = '';
  for (const x of clients) text += clientInfoLine(x, srv.now, current) + '\n';
  c.w.verbatim(text);
};

interface KillFilter {
  id: number | null;
  type: ClientType | null;
  user: string | null;
  addr: string | null;
  laddr: string | null;
  skipMe: boolean;
}

/**
 * CLIENT KILL ip:port (old form: OK or "No such client") or CLIENT KILL <filter value>...
 * (new form: the number killed). Killing the caller itself closes it after this reply.
 */
const clientKillCommand: Handler = (c, argv) => {
  const f: KillFilter = { id: null, type: null, user: null, addr: null, laddr: null, skipMe: true };
  const oldForm = argv.length === 3;
  if (oldForm) {
    f.addr = argv[2].toString('latin1');
    f.skipMe = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      if (i + 1 >= argv.length) {
        c.w.error(Err.syntax);
        return;
      }
      const opt = argv[i];
      const val = argv[i + 1];
      if (isKeyword(opt, 'id')) {
        const id = parseIntArg(val);
        if (id === null || id < 1) {
          c.w.error(Err.clientIdNotPositive);
          return;
        }
        f.id = Number(id);
      } else if (isKeyword(opt, 'type')) {
        f.type = parseClientType(val);
        if (f.type === null) {
          c.w.error(Err.unknownClientType(val.toString('latin1')));
          return;
        }
      } else if (isKeyword(opt, 'user')) {
        f.user = val.toString('latin1');
        // Until ACLs land, 'default' is the only user.
        if (f.user !== 'default') {
          c.w.error(Err.noSuchUser(f.user));
          return;
        }
      } else if (isKeyword(opt, 'addr')) {
        f.addr = val.toString('latin1');
      } else if (isKeyword(opt, 'laddr')) {
        f.laddr = val.toString('latin1');
      } else if (isKeyword(opt, 'skipme')) {
        if (isKeyword(val, 'yes')) f.skipMe = true;
        else if (isKeyword(val, 'no')) f.skipMe = false;
        else {
          c.w.error(Err.syntax);
          return;
        }
      } else {
        c.w.error(Err.syntax);
        return;
      }
    }
  }

  let killed = 0;
  for (const x of [...c.srv.clients.values()]) {
    if (f.id !== null && x.id !== f.id) continue;
    if (f.type !== null && clientType(x) !== f.type) continue;
    if (f.user !== null && x.user !== f.user) continue;
    if (f.addr !== null && x.addr !== f.addr) continue;
    if (f.laddr !== null && x.laddr !== f.laddr) continue;
    if (x === c && f.skipMe) continue;
    if (x === c) c.closeAfterReply = true;
    else x.kill();
    killed++;
  }
  if (!oldForm) c.w.integer(killed);
  else if (killed === 0) c.w.error(Err.noSuchClient);
  else c.w.ok();
};

/** CLIENT PAUSE timeout [WRITE|ALL] — the mode is checked before the timeout, as in Redis. */
const clientPauseCommand: Handler = (c, argv) => {
  if (argv.length > 4) {
    c.w.error(Err.subcommandSyntax(argv[1].toString('latin1'), 'CLIENT'));
    return;
  }
  let type: 'write' | 'all' = 'all';
  if (argv.length === 4) {
    if (isKeyword(argv[3], 'write')) type = 'write';
    else if (!isKeyword(argv[3], 'all')) {
      c.w.error(Err.pauseMode);
      return;
    }
  }
  const t = parseIntArg(argv[2]);
  if (t === null) {
    c.w.error(Err.timeoutNotInt);
    return;
  }
  if (t < 0) {
    c.w.error(Err.timeoutNegative);
    return;
  }
  const now = c.srv.now;
  if (BigInt(t) > 2n ** 63n - 1n - BigInt(now)) {
    c.w.error(Err.timeoutRange);
    return;
  }
  c.srv.pause.pause(type, now + Number(t));
  c.w.ok();
};

/**
 * CLIENT UNBLOCK id [TIMEOUT|ERROR]: releases a client blocked in a blocking command, with the
 * command's timeout reply or an -UNBLOCKED error. 1 if it was blocked, else 0. The reason is
 * checked before the id, as Redis does.
 */
const clientUnblockCommand: Handler = (c, argv) => {
  if (argv.length > 4) return void c.w.error(Err.subcommandSyntax('unblock', 'CLIENT'));
  let withError = false;
  if (argv.length === 4) {
    if (isKeyword(argv[3], 'error')) withError = true;
    else if (!isKeyword(argv[3], 'timeout')) return void c.w.error(Err.unblockReason);
  }
  const id = parseIntArg(argv[2]);
  if (id === null) return void c.w.error(Err.notInteger);
  const target = typeof id === 'number' ? c.srv.clients.get(id) : undefined;
  if (target === undefined) return void c.w.integer(0);
  // A client in WAIT (BLOCKED_WAIT) is released with its ack count or the error.
  if (target.blocked === null) return void c.w.integer(unblockWaiter(c.srv, target, withError ? Err.unblocked : null) ? 1 : 0);
  if (withError) c.srv.blocking.unblockWithError(target, Err.unblocked);
  else c.srv.blocking.timeout(target);
  c.w.integer(1);
};

const clientUnpauseCommand: Handler = (c) => {
  c.srv.pause.unpause();
  c.w.ok();
};

/**
 * CLIENT REPLY ON|OFF|SKIP. The dispatcher's call() applies the mode after the handler:
 * OFF and SKIP reply nothing themselves; SkipNext turns into Skip for the following command.
 */
const clientReplyCommand: Handler = (c, argv) => {
  const a = argv[2];
  if (isKeyword(a, 'on')) {
    c.replyMode = ReplyMode.On;
    c.w.ok();
  } else if (isKeyword(a, 'off')) {
    c.replyMode = ReplyMode.Off;
  } else if (isKeyword(a, 'skip')) {
    if (c.replyMode !== ReplyMode.Off) c.replyMode = ReplyMode.SkipNext;
  } else {
    c.w.error(Err.syntax);
  }
};

/** Parses ON/OFF; replies a syntax error and returns null otherwise. */
function onOff(c: Client, arg: Buffer): boolean | null {
  if (isKeyword(arg, 'on')) return true;
  if (isKeyword(arg, 'off')) return false;
  c.w.error(Err.syntax);
  return null;
}

const clientNoEvictCommand: Handler = (c, argv) => {
  const v = onOff(c, argv[2]);
  if (v === null) return;
  c.noEvict = v;
  c.w.ok();
};

const clientNoTouchCommand: Handler = (c, argv) => {
  const v = onOff(c, argv[2]);
  if (v === null) return;
  c.noTouch = v;
  c.w.ok();
};

const clientHelpCommand: Handler = (c) => {
  replyHelp(c, HELP);
};

export const clientHandlers: Record<string, Handler> = {
  'client|id': clientIdCommand,
  'client|help': clientHelpCommand,
  'client|pause': clientPauseCommand,
  'client|reply': clientReplyCommand,
  'client|list': clientListCommand,
  'client|setname': clientSetnameCommand,
  'client|kill': clientKillCommand,
  'client|info': clientInfoCommand,
  'client|no-evict': clientNoEvictCommand,
  'client|no-touch': clientNoTouchCommand,
  'client|unpause': clientUnpauseCommand,
  'client|unblock': clientUnblockCommand,
  'client|getname': clientGetnameCommand,
  ...trackingClientHandlers,
};
