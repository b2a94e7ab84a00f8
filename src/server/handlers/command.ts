// The COMMAND container: COMMAND, COUNT, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, LIST, HELP.
// Everything here is derived from the specs in src/commands; nothing re-declares a command.
//
// Also home of key extraction from key specs (getKeysFromCommand), which COMMAND GETKEYS
// uses and which cluster routing and the proxy reuse to find a command's keys.

import type { Command, Handler } from '../command-table.js';
import { F } from '../command-table.js';
import { Err } from '../../lib/errors.js';
import { globMatchString } from '../../lib/glob.js';
import type { Client } from '../network/client.js';
import { isKeyword } from './util.js';
import { replyCommandDocs, replyCommandInfo } from './command-reply.js';
import { replyHelp } from './util.js';


const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

// ---------------------------------------------------------------------------------------------
// Key extraction

/** A key's position in argv and its access flags (key-spec flags, e.g. ['RW', 'access']). */
export interface KeyRef {
  pos: number;
  flags: readonly string[];
}

/**
 * Commands whose key-spec flags depend on the arguments (the spec carries `variable_flags`):
 * the real flags for this call. SET is read-write only with GET.
 */
const VARIABLE_KEY_FLAGS: Record<string, (argv: Buffer[]) => string[]> = {
  set: (argv) => {
    for (let i = 3; i < argv.length; i++) if (isKeyword(argv[i], 'get')) return ['RW', 'access', 'update'];
    return ['OW', 'update'];
  },
};

/**
 * Commands whose keys their key specs cannot locate (begin_search "unknown"): Redis gives them
 * a getkeys procedure, mirrored here. SORT: the sorted key, then the destination of the last
 * STORE (LIMIT's two arguments and the BY / GET patterns are skipped); SORT_RO: the sorted key.
 */
const CUSTOM_KEYS: Record<string, (argv: Buffer[]) => KeyRef[]> = {
  sort: (argv) => {
    const keys: KeyRef[] = [{ pos: 1, flags: ['RO', 'access'] }];
    let store = 0;
    for (let i = 2; i < argv.length; i++) {
      if (isKeyword(argv[i], 'limit')) i += 2;
      else if (isKeyword(argv[i], 'get') || isKeyword(argv[i], 'by')) i += 1;
      else if (isKeyword(argv[i], 'store') && i + 1 < argv.length) store = i + 1;
    }
    if (store !== 0) keys.push({ pos: store, flags: ['OW', 'update'] });
    return keys;
  },
  sort_ro: () => [{ pos: 1, flags: ['RO', 'access'] }],
};

/** True if the command declares any key (a key spec not marked not_key). */
export function commandHasKeys(cmd: Command): boolean {
  return (cmd.spec.keySpecs ?? []).some((ks) => !ks.flags.includes('not_key'));
}

/**
 * The keys of `argv` (argv[0] is the command name; for a subcommand argv[1] is its name) as
 * the command's key specs locate them, in spec order. Returns null when the arguments do not
 * fit a spec (a keyword-less keynum, a count past the end: Redis's "invalid spec"); a command
 * with no key specs yields []. Arity is not checked here.
 *
 * Follows Redis 7.0's getKeysUsingKeySpecs: begin_search by index or keyword, then find_keys
 * by range (lastkey relative to the first key, negative = from the end, limit divides the
 * rest) or keynum (a count argument followed by that many keys).
 */
export function getKeysAndFlags(cmd: Command, argv: Buffer[]): KeyRef[] | null {
  const custom = CUSTOM_KEYS[cmd.fullName];
  if (custom !== undefined) return custom(argv);
  const argc = argv.length;
  const out: KeyRef[] = [];
  const variable = VARIABLE_KEY_FLAGS[cmd.fullName];
  for (const ks of cmd.spec.keySpecs ?? []) {
    let first = 0;
    const bs = ks.beginSearch;
    if (bs.type === 'index') {
      first = bs.index ?? 0;
    } else if (bs.type === 'keyword') {
      const from = bs.startfrom ?? 0;
      const keyword = (bs.keyword ?? '').toLowerCase();
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 1;
      const stepDir = start <= end ? 1 : -1;
      // The end index is exclusive: a keyword in the last position has no key after it.
      for (let i = start; i !== end; i += stepDir) {
        if (i >= argc || i < 1) break;
        if (isKeyword(argv[i], keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword absent: this spec has no keys here
    } else {
      return null;
    }

    const fk = ks.findKeys;
    let last: number;
    let step: number;
    if (fk.type === 'range') {
      step = fk.keystep ?? 1;
      const lastkey = fk.lastkey ?? 0;
      const limit = fk.limit ?? 0;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
    } else if (fk.type === 'keynum') {
      step = fk.keystep ?? 1;
      const idx = first + (fk.keynumidx ?? 0);
      if (idx >= argc) return null;
      const s = argv[idx].toString('latin1');
      if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
      const numkeys = Number(s);
      if (numkeys < 0) return null;
      first += fk.firstkey ?? 1;
      last = first + numkeys - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;

    const flags = variable !== undefined ? variable(argv) : ks.flags;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags });
  }
  return out;
}

/** Positions of the keys in argv (see getKeysAndFlags), or null if the arguments are invalid. */
export function getKeysFromCommand(cmd: Command, argv: Buffer[]): number[] | null {
  const refs = getKeysAndFlags(cmd, argv);
  return refs === null ? null : refs.map((r) => r.pos);
}

/** Resolves argv to a command or subcommand as the dispatcher would (no arity check). */
function resolveCommand(c: Client, argv: Buffer[]): Command | undefined {
  const cmd = c.srv.commands.lookup(argv[0].toString('latin1'));
  if (cmd === undefined || cmd.subcommands === null) return cmd;
  if (argv.length === 1) return cmd.handler !== null ? cmd : undefined;
  return cmd.subcommands.get(argv[1].toString('latin1').toLowerCase());
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS <full-command> */
function getKeysSubcommand(c: Client, argv: Buffer[], withFlags: boolean): void {
  const target = argv.slice(2);
  const cmd = resolveCommand(c, target);
  if (cmd === undefined) {
    c.w.error(Err.invalidCommand);
    return;
  }
  if (!commandHasKeys(cmd)) {
    c.w.error(Err.noKeyArgs);
    return;
  }
  const n = target.length;
  if ((cmd.arity > 0 && cmd.arity !== n) || n < -cmd.arity) {
    c.w.error(Err.invalidArgCount);
    return;
  }
  const keys = getKeysAndFlags(cmd, target);
  if (keys === null || keys.length === 0) {
    if (cmd.has(F.noMandatoryKeys)) c.w.array(0);
    else c.w.error(Err.invalidArgs);
    return;
  }
  c.w.array(keys.length);
  for (const k of keys) {
    if (withFlags) {
      c.w.array(2);
      c.w.bulk(target[k.pos]);
      c.w.set(k.flags.length);
      for (const f of k.flags) c.w.simple(f);
    } else {
      c.w.bulk(target[k.pos]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Handlers

/** COMMAND with no subcommand: the INFO of every command. */
const commandCommand: Handler = (c) => {
  const cmds = c.srv.commands.commands;
  c.w.array(cmds.length);
  for (const cmd of cmds) replyCommandInfo(c.w, cmd);
};

const commandCountCommand: Handler = (c) => {
  c.w.integer(c.srv.commands.size);
};

/** COMMAND INFO [name ...] — all commands without names; a null per unknown name. */
const commandInfoCommand: Handler = (c, argv) => {
  if (argv.length === 2) {
    commandCommand(c, argv);
    return;
  }
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    replyCommandInfo(c.w, c.srv.commands.lookupFullName(argv[i].toString('latin1')));
  }
};

/** COMMAND DOCS [name ...] — a map of name -> docs; unknown names are left out. */
const commandDocsCommand: Handler = (c, argv) => {
  const table = c.srv.commands;
  let found: Command[];
  if (argv.length === 2) {
    found = table.commands;
  } else {
    found = [];
    for (let i = 2; i < argv.length; i++) {
      const cmd = table.lookupFullName(argv[i].toString('latin1'));
      if (cmd !== undefined) found.push(cmd);
    }
  }
  c.w.map(found.length);
  for (const cmd of found) {
    c.w.bulkString(cmd.fullName);
    replyCommandDocs(c.w, cmd);
  }
};

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] */
const commandListCommand: Handler = (c, argv) => {
  let keep: (cmd: Command) => boolean = () => true;
  if (argv.length === 5 && isKeyword(argv[2], 'filterby')) {
    const arg = argv[4].toString('latin1');
    if (isKeyword(argv[3], 'module')) {
      keep = () => false; // Shoal has no modules
    } else if (isKeyword(argv[3], 'aclcat')) {
      const cat = arg.toLowerCase();
      keep = (cmd) => cmd.spec.acl.includes(cat);
    } else if (isKeyword(argv[3], 'pattern')) {
      keep = (cmd) => globMatchString(arg, cmd.fullName, true);
    } else {
      c.w.error(Err.syntax);
      return;
    }
  } else if (argv.length !== 2) {
    c.w.error(Err.syntax);
    return;
  }
  const names: string[] = [];
  for (const cmd of c.srv.commands.all()) if (keep(cmd)) names.push(cmd.fullName);
  c.w.stringArray(names);
};

export const commandHandlers: Record<string, Handler> = {
  command: commandCommand,
  'command|count': commandCountCommand,
  'command|docs': commandDocsCommand,
  'command|info': commandInfoCommand,
  'command|getkeys': (c, argv) => getKeysSubcommand(c, argv, false),
  'command|getkeysandflags': (c, argv) => getKeysSubcommand(c, argv, true),
  'command|help': (c) => replyHelp(c, HELP),
  'command|list': commandListCommand,
};
