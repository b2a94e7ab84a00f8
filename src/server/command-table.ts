// The live command table: each spec from src/commands joined with its handler.
//
// Built once at startup. A handler without a spec is a programming error and throws. A spec
// without a handler is left out of the table (so COMMAND never advertises what does not run)
// and listed in `missing`; the server logs it and a unit test requires `missing` to be empty,
// so docs/COMMANDS.md cannot drift from what runs.
// Flags are pre-computed into a bitmask so the dispatch gate tests them with one AND.

import type { CommandSpec } from '../commands/types.js';
import { allSpecs } from '../commands/index.js';
import type { Client } from './network/client.js';

/** A command implementation. Replies go through c.w; errors through c.w.error. */
export type Handler = (c: Client, argv: Buffer[]) => void;

export const F = {
  write: 1 << 0,
  readonly: 1 << 1,
  denyoom: 1 << 2,
  admin: 1 << 3,
  pubsub: 1 << 4,
  noscript: 1 << 5,
  blocking: 1 << 6,
  loading: 1 << 7,
  stale: 1 << 8,
  skipMonitor: 1 << 9,
  skipSlowlog: 1 << 10,
  fast: 1 << 11,
  noAuth: 1 << 12,
  mayReplicate: 1 << 13,
  noMulti: 1 << 14,
  movableKeys: 1 << 15,
  allowBusy: 1 << 16,
  asking: 1 << 17,
  noMandatoryKeys: 1 << 18,
  noAsyncLoading: 1 << 19,
} as const;

const FLAG_BITS: Record<string, number> = {
  write: F.write,
  readonly: F.readonly,
  denyoom: F.denyoom,
  admin: F.admin,
  pubsub: F.pubsub,
  noscript: F.noscript,
  blocking: F.blocking,
  loading: F.loading,
  stale: F.stale,
  skip_monitor: F.skipMonitor,
  skip_slowlog: F.skipSlowlog,
  fast: F.fast,
  no_auth: F.noAuth,
  may_replicate: F.mayReplicate,
  no_multi: F.noMulti,
  movablekeys: F.movableKeys,
  allow_busy: F.allowBusy,
  asking: F.asking,
  no_mandatory_keys: F.noMandatoryKeys,
  no_async_loading: F.noAsyncLoading,
};

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

let nextCommandId = 0;

export class Command {
  /** A small dense number, for per-command arrays (latency histograms). */
  readonly id = nextCommandId++;
  readonly spec: CommandSpec;
  /** 'get', or 'config|get' for a subcommand. */
  readonly fullName: string;
  readonly arity: number;
  readonly flags: number;
  readonly handler: Handler | null;
  readonly parent: Command | null;
  readonly subcommands: Map<string, Command> | null;
  readonly stats: CommandStats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };

  constructor(spec: CommandSpec, handler: Handler | null, parent: Command | null, subs: Map<string, Command> | null) {
    this.spec = spec;
    this.fullName = spec.name;
    this.arity = spec.arity;
    let flags = 0;
    for (const f of spec.flags) flags |= FLAG_BITS[f] ?? 0;
    this.flags = flags;
    this.handler = handler;
    this.parent = parent;
    this.subcommands = subs;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  /** The name as Redis prints it in COMMAND and INFO commandstats ('config|get'). */
  get name(): string {
    return this.fullName;
  }
}

export class CommandTable {
  /** Top-level commands by lower-case name (upper-case aliases added for the hot path). */
  readonly #byName = new Map<string, Command>();
  readonly commands: Command[] = [];
  /** Spec names that have no handler (left out of the table). */
  readonly missing: string[] = [];

  constructor(handlers: Record<string, Handler>, specs: CommandSpec[] = allSpecs) {
    const used = new Set<string>();
    const take = (name: string): Handler | undefined => {
      const h = handlers[name];
      if (h === undefined) this.missing.push(name);
      else used.add(name);
      return h;
    };
    for (const spec of specs) {
      let cmd: Command;
      if (spec.subcommands && spec.subcommands.length > 0) {
        const subs = new Map<string, Command>();
        const kept = spec.subcommands.filter((s) => take(s.name) !== undefined);
        // A container may also run on its own (COMMAND with no subcommand, as Redis's
        // commandCommand): its optional handler is keyed by the container's name.
        const own = handlers[spec.name] ?? null;
        if (own !== null) used.add(spec.name);
        cmd = new Command({ ...spec, subcommands: kept }, own, null, subs);
        for (const s of kept) {
          const subName = s.name.slice(s.name.indexOf('|') + 1);
          subs.set(subName, new Command(s, handlers[s.name], cmd, null));
        }
        if (kept.length === 0) continue;
      } else {
        const h = take(spec.name);
        if (h === undefined) continue;
        cmd = new Command(spec, h, null, null);
      }
      this.commands.push(cmd);
      this.#byName.set(spec.name, cmd);
      this.#byName.set(spec.name.toUpperCase(), cmd);
    }
    for (const name of Object.keys(handlers)) {
      if (!used.has(name)) throw new Error(`command table: handler '${name}' has no spec`);
    }
    this.#indexBytes();
  }

  // A byte-keyed, case-insensitive hash table over top-level command names, so the hot path
  // finds a command from argv[0] without allocating a string.
  #slots: (Command | undefined)[] = new Array(1024);
  #slotNames: (Buffer | undefined)[] = new Array(1024);

  #indexBytes(): void {
    for (const cmd of this.commands) {
      const name = Buffer.from(cmd.fullName, 'latin1');
      let i = foldHash(name) & 1023;
      while (this.#slots[i] !== undefined) i = (i + 1) & 1023;
      this.#slots[i] = cmd;
      this.#slotNames[i] = name;
    }
  }

  /** Looks up a top-level command from its raw name bytes, case-insensitively, allocation-free. */
  lookupBytes(arg: Buffer): Command | undefined {
    let i = foldHash(arg) & 1023;
    for (;;) {
      const name = this.#slotNames[i];
      if (name === undefined) return undefined;
      if (name.length === arg.length) {
        let j = 0;
        for (; j < name.length; j++) {
          let a = arg[j];
          if (a >= 65 && a <= 90) a |= 0x20;
          if (name[j] !== a) break;
        }
        if (j === name.length) return this.#slots[i];
      }
      i = (i + 1) & 1023;
    }
  }

  /** Looks up a top-level command by its first argument, case-insensitively. */
  lookup(name: string): Command | undefined {
    return this.#byName.get(name) ?? this.#byName.get(name.toLowerCase());
  }

  /** Looks up 'name' or 'container|sub' (COMMAND INFO / DOCS syntax). */
  lookupFullName(fullName: string): Command | undefined {
    const lower = fullName.toLowerCase();
    const bar = lower.indexOf('|');
    if (bar < 0) return this.#byName.get(lower);
    return this.#byName.get(lower.slice(0, bar))?.subcommands?.get(lower.slice(bar + 1));
  }

  /** Every command and subcommand, for commandstats and COMMAND LIST. */
  *all(): IterableIterator<Command> {
    for (const c of this.commands) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }

  get size(): number {
    return this.commands.length;
  }
}

/** FNV-1a over the bytes with ASCII letters folded to lower case. */
function foldHash(b: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    let c = b[i];
    if (c >= 65 && c <= 90) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}
