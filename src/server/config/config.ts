// The live configuration: current values of every parameter (as CONFIG GET prints them), typed
// getters, CONFIG SET semantics (validation, atomic multi-set, change hooks with rollback),
// CONFIG GET glob matching, config-file directive application and CONFIG REWRITE.

import { Err } from '../../lib/errors.js';
import { globMatchString } from '../../lib/glob.js';
import type { ParamSpec } from './schema.js';
import { DEPRECATED_PARAMS, FILE_ONLY_DIRECTIVES, PARAMS, lookupParam } from './schema.js';
import { ValueError, keyspaceEventClasses, normalizeValue, parseMemory } from './values.js';
import { rewriteConfigFile } from './rewrite.js';

/** Called after a parameter changed through CONFIG SET; throw to reject (the whole SET rolls back). */
export type ChangeHook = (newValue: string, name: string) => void;

export interface SetOptions {
  /** The client is local (loopback / unix socket): allows protected configs when
   * enable-protected-configs is 'local'. */
  readonly local?: boolean;
}

const GLOB_CHARS = /[*?[]/;

export class Config {
  /** Absolute path of the config file the server was started with (CONFIG REWRITE target). */
  configFile: string | undefined;
  /** Config-file-only directives seen while loading (rename-command, user, loadmodule), verbatim args. */
  readonly fileDirectives: string[][] = [];
  /** Sentinel mode (`shoal sentinel`): `sentinel ...` lines are read into sentinelDirectives. */
  sentinelMode = false;
  /** The `sentinel ...` lines read (arguments after "sentinel"), for the sentinel to apply. */
  readonly sentinelDirectives: { args: string[]; lineNo: number; line: string }[] = [];
  /**
   * The `sentinel ...` lines a rewrite writes (the sentinel's state); null outside sentinel
   * mode, where the file's own lines are kept verbatim.
   */
  sentinelLines: (() => string[]) | null = null;

  private readonly values = new Map<string, string>();
  /**
   * What the server acts on, where it differs from what CONFIG GET prints: Redis prints
   * notify-keyspace-events "KEAn" as "AKE" but keeps the "n" class. Keyed by canonical name.
   */
  private readonly acting = new Map<string, string>();
  private readonly hooks = new Map<string, ChangeHook[]>();
  private saveSeenWhileLoading = false;

  /** All parameters at their 7.0 defaults; `dir` is the process working directory. */
  constructor() {
    for (const p of PARAMS) this.values.set(p.name, p.defaultValue);
    this.values.set('dir', process.cwd());
  }

  /** The parameter spec for a name or alias (case-insensitive), or undefined. */
  spec(name: string): ParamSpec | undefined {
    return lookupParam(name);
  }

  /** Current value as CONFIG GET prints it, or undefined for an unknown name. */
  get(name: string): string | undefined {
    const p = lookupParam(name);
    return p === undefined ? undefined : this.values.get(p.name);
  }

  /**
   * The value the server acts on: as CONFIG GET prints it, except for parameters whose
   * printed form drops information (see `acting`).
   */
  actingValue(name: string): string {
    const p = lookupParam(name);
    return (p !== undefined ? this.acting.get(p.name) : undefined) ?? this.getString(name);
  }

  /** Current value text; throws for an unknown parameter (a programming error). */
  getString(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw new Error(`unknown config parameter '${name}'`);
    return v;
  }

  /**
   * Numeric value: integers as-is (octal ones decoded), memory values in bytes. A percent
   * memory value ("5%") is returned negated (-5), Redis's internal convention.
   * Values beyond 2^53 lose precision; use getBigInt for those.
   */
  getNumber(name: string): number {
    return Number(this.getBigInt(name));
  }

  /** Like getNumber but exact. Throws if the parameter is not numeric. */
  getBigInt(name: string): bigint {
    const p = lookupParam(name);
    const v = this.getString(name);
    if (p?.type.kind === 'int') return p.type.octal === true ? BigInt('0o' + v) : BigInt(v);
    if (p?.type.kind === 'memory') {
      if (v.endsWith('%')) return -BigInt(v.slice(0, -1));
      const n = parseMemory(v);
      if (n !== null) return n;
    }
    throw new Error(`config parameter '${name}' is not numeric`);
  }

  /** yes/no parameters as booleans; throws if the parameter is not a bool. */
  getBool(name: string): boolean {
    const p = lookupParam(name);
    if (p?.type.kind !== 'bool') throw new Error(`config parameter '${name}' is not a bool`);
    return this.getString(name) === 'yes';
  }

  /** Default value of a parameter in CONFIG GET format. */
  defaultOf(p: ParamSpec): string {
    return p.name === 'dir' ? process.cwd() : p.defaultValue;
  }

  /**
   * Registers a hook run when `name` (or its alias) changes via set/setMany. Hooks run only
   * when the normalized value actually changed. Returns an unsubscribe function.
   */
  onChange(name: string, hook: ChangeHook): () => void {
    const p = lookupParam(name);
    if (p === undefined) throw new Error(`unknown config parameter '${name}'`);
    const list = this.hooks.get(p.name) ?? [];
    list.push(hook);
    this.hooks.set(p.name, list);
    return () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** CONFIG SET of one parameter; see setMany. */
  set(name: string, value: string, opts: SetOptions = {}): void {
    this.setMany([[name, value]], opts);
  }

  /**
   * CONFIG SET with one or more pairs, atomically (all or none), like Redis 7.0:
   * 1. names are checked in order: unknown, immutable, protected, duplicate (same spelling,
   *    case-insensitive; an alias and its canonical name are not duplicates — last wins);
   * 2. values are validated/normalized in order;
   * 3. values are stored, then change hooks run; if one throws, every value is restored,
   *    hooks already run are re-run with the old values, and the SET fails.
   * Throws Error whose message is Redis's exact error reply text.
   */
  setMany(pairs: readonly (readonly [string, string])[], opts: SetOptions = {}): void {
    const specs: ParamSpec[] = [];
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const p = lookupParam(name);
      if (p === undefined) throw new Error(Err.configUnknownOption(name));
      if (p.immutable) throw new Error(Err.configSetFailed(name, "can't set immutable config"));
      if (p.protectedConfig && !this.protectedAllowed(opts)) {
        throw new Error(Err.configSetFailed(name, "can't set protected config"));
      }
      const key = name.toLowerCase();
      if (seen.has(key)) throw new Error(Err.configSetFailed(name, 'duplicate parameter'));
      seen.add(key);
      specs.push(p);
    }
    const next = new Map<string, string>();
    const nextActing = new Map<string, string>();
    const blame = new Map<string, string>();
    pairs.forEach(([name, value], i) => {
      const p = specs[i];
      if (p === undefined) return;
      const current = next.get(p.name) ?? this.values.get(p.name) ?? '';
      try {
        next.set(p.name, normalizeValue(p, value, current));
        const acting = actingValueOf(p.name, value);
        if (acting !== null) nextActing.set(p.name, acting);
        blame.set(p.name, name);
      } catch (e) {
        if (e instanceof ValueError) throw new Error(Err.configSetFailed(name, e.message));
        throw e;
      }
    });
    const old = new Map<string, string>();
    const oldActing = new Map<string, string | undefined>();
    for (const [k, v] of next) {
      old.set(k, this.values.get(k) ?? '');
      oldActing.set(k, this.acting.get(k));
      this.values.set(k, v);
      const a = nextActing.get(k);
      if (a === undefined) this.acting.delete(k);
      else this.acting.set(k, a);
    }
    const applied: string[] = [];
    for (const [k, v] of next) {
      if (old.get(k) === v && oldActing.get(k) === this.acting.get(k)) continue;
      try {
        this.runHooks(k, v);
        applied.push(k);
      } catch (e) {
        for (const [ok, ov] of old) this.values.set(ok, ov);
        for (const [ok, oa] of oldActing) {
          if (oa === undefined) this.acting.delete(ok);
          else this.acting.set(ok, oa);
        }
        for (const a of applied) {
          try {
            this.runHooks(a, old.get(a) ?? '');
          } catch {
            // best effort, as Redis: the restore of an already-applied value may fail too
          }
        }
        const reason = e instanceof Error ? e.message : String(e);
        throw new Error(Err.configSetFailed(blame.get(k) ?? k, reason));
      }
    }
  }

  private runHooks(name: string, value: string): void {
    for (const h of this.hooks.get(name) ?? []) h(value, name);
  }

  private protectedAllowed(opts: SetOptions): boolean {
    const mode = this.values.get('enable-protected-configs');
    return mode === 'yes' || (mode === 'local' && opts.local === true);
  }

  /**
   * CONFIG GET for one pattern. Without glob characters (* ? [) it is an exact, case-insensitive
   * lookup (hidden parameters included) and the reply uses the name as given; otherwise a
   * case-insensitive glob over canonical names and aliases (hidden parameters excluded).
   */
  match(pattern: string): [string, string][] {
    if (!GLOB_CHARS.test(pattern)) {
      const v = this.get(pattern);
      return v === undefined ? [] : [[pattern, v]];
    }
    const out: [string, string][] = [];
    for (const p of PARAMS) {
      if (p.hidden) continue;
      const v = this.values.get(p.name) ?? '';
      if (globMatchString(pattern, p.name, true)) out.push([p.name, v]);
      if (p.alias !== undefined && globMatchString(pattern, p.alias, true)) out.push([p.alias, v]);
    }
    return out;
  }

  /** CONFIG GET with several patterns: union of match() results, each name once (first wins). */
  matchMany(patterns: readonly string[]): [string, string][] {
    const seen = new Set<string>();
    const out: [string, string][] = [];
    for (const pat of patterns) {
      for (const [n, v] of this.match(pat)) {
        const key = n.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([n, v]);
      }
    }
    return out;
  }

  /** [canonical name, value] for every parameter (hidden included), in schema order. */
  entries(): [string, string][] {
    return PARAMS.map((p) => [p.name, this.values.get(p.name) ?? '']);
  }

  /**
   * Applies one config-file line (already split into args, name first) with config-file
   * semantics: immutable/protected parameters allowed, no hooks, `save` lines accumulate
   * (the first one replaces the default, `save ""` clears), other repeats replace.
   * `include` must be handled by the caller. Throws ValueError with Redis's reason text.
   */
  applyDirective(args: readonly string[], lineNo = 0, line = ''): void {
    const name = (args[0] ?? '').toLowerCase();
    const argc = args.length;
    if (FILE_ONLY_DIRECTIVES.has(name)) {
      if (name === 'sentinel') {
        if (!this.sentinelMode) throw new ValueError('sentinel directive while not in sentinel mode');
        this.sentinelDirectives.push({ args: args.slice(1), lineNo, line });
        return;
      }
      if ((name === 'rename-command' && argc !== 3) || argc < 2) {
        throw new ValueError('Bad directive or wrong number of arguments');
      }
      this.fileDirectives.push([...args]);
      return;
    }
    if (DEPRECATED_PARAMS.has(name) && argc === 2) return;
    const p = lookupParam(name);
    if (p === undefined) throw new ValueError('Bad directive or wrong number of arguments');
    if (p.multiArg ? argc < 2 && p.name !== 'save' && p.name !== 'bind' : argc !== 2) {
      throw new ValueError('wrong number of arguments');
    }
    const raw = args.slice(1).join(' ');
    const current = this.values.get(p.name) ?? '';
    const value = normalizeValue(p, raw, current);
    if (p.name === 'save') {
      const base = this.saveSeenWhileLoading ? current : '';
      this.saveSeenWhileLoading = true;
      this.values.set('save', value === '' ? '' : base === '' ? value : `${base} ${value}`);
      return;
    }
    this.values.set(p.name, value);
    const acting = actingValueOf(p.name, raw);
    if (acting !== null) this.acting.set(p.name, acting);
  }

  /**
   * CONFIG REWRITE: rewrites `path` (default: the config file the server was started with)
   * to reflect the current configuration, Redis style (see rewrite.ts). Throws Error with
   * Redis's reply text, e.g. "ERR The server is running without a config file".
   */
  rewrite(path?: string): void {
    const target = path ?? this.configFile;
    if (target === undefined) throw new Error(Err.noConfigFile);
    rewriteConfigFile(this, target);
  }
}

/** The acting value of a parameter whose printed form loses information, else null. */
function actingValueOf(name: string, raw: string): string | null {
  return name === 'notify-keyspace-events' ? keyspaceEventClasses(raw) : null;
}
