// Value parsing for configuration parameters: validates a raw value for a parameter and returns
// it normalized to the exact text CONFIG GET prints on Redis 7.0, or throws ValueError whose
// message is Redis's reason text (the part after "... - " in CONFIG SET / config-file errors).

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParamSpec, ParamType, SpecialName, StringCheck } from './schema.js';
import { LL_MAX, ULL_MAX } from './schema.js';

/** A rejected value; `message` is Redis's reason text without any prefix. */
export class ValueError extends Error {}

const TWO_64 = 1n << 64n;

const UNITS: Readonly<Record<string, bigint>> = {
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Parses a memory value like Redis's memtoull: optional digits followed by an optional unit
 * (b k kb m mb g gb, any case). Digits overflow saturates at 2^64-1, the unit multiply wraps
 * modulo 2^64 (both as in C). Empty digits mean 0. Returns null for anything else.
 */
export function parseMemory(s: string): bigint | null {
  const m = /^([0-9]*)([a-zA-Z]{0,2})$/.exec(s);
  if (m === null) return null;
  const digits = m[1] ?? '';
  const unit = (m[2] ?? '').toLowerCase();
  let mul = 1n;
  if (unit !== '') {
    const u = UNITS[unit];
    if (u === undefined) return null;
    mul = u;
  }
  let n = digits === '' ? 0n : BigInt(digits);
  if (n > ULL_MAX) n = ULL_MAX;
  return (n * mul) % TWO_64;
}

/** Strict integer parse like Redis string2ll: no sign '+', no spaces, no leading zeros. */
export function parseStrictInt(s: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const v = BigInt(s);
  if (v < -(1n << 63n) || v > LL_MAX) return null;
  return v;
}

/** Lenient integer parse like C strtoll with full-consumption check (accepts a sign). */
function parseLooseInt(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  return BigInt(s);
}

function rangeError(min: bigint, max: bigint, octal = false): ValueError {
  const f = (v: bigint) => (octal ? v.toString(8) : v.toString());
  return new ValueError(`argument must be between ${f(min)} and ${f(max)} inclusive`);
}

function enumError(values: readonly string[]): ValueError {
  return new ValueError(`argument(s) must be one of the following: ${values.join(', ')}`);
}

/**
 * Validates `raw` for `spec` and returns the normalized CONFIG GET text.
 * `current` is the parameter's present value (needed by client-output-buffer-limit, which
 * only updates the classes named). Throws ValueError with Redis's reason text.
 */
export function normalizeValue(spec: ParamSpec, raw: string, current: string): string {
  return normalizeType(spec.type, raw, current);
}

function normalizeType(t: ParamType, raw: string, current: string): string {
  switch (t.kind) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v === 'yes' || v === 'no') return v;
      throw new ValueError("argument must be 'yes' or 'no'");
    }
    case 'int':
      return normalizeInt(t.min, t.max, raw, t.octal === true, t.clamp);
    case 'memory':
      return normalizeMemory(t.min, t.max, raw, t.percent === true);
    case 'enum': {
      const v = raw.toLowerCase();
      if (!t.values.includes(v)) throw enumError(t.values);
      return t.synonyms?.[v] ?? v;
    }
    case 'flags':
      return normalizeFlags(t.values, raw);
    case 'string':
      if (t.check !== undefined) checkString(t.check, raw);
      return raw;
    case 'special':
      return normalizeSpecial(t.special, raw, current);
  }
}

function normalizeInt(
  min: bigint,
  max: bigint,
  raw: string,
  octal: boolean,
  clamp: readonly [bigint, bigint] | undefined,
): string {
  let v: bigint;
  if (octal) {
    if (!/^[0-7]+$/.test(raw)) throw new ValueError("argument couldn't be parsed as an octal number");
    v = BigInt('0o' + raw);
  } else {
    const p = parseStrictInt(raw);
    if (p === null) throw new ValueError("argument couldn't be parsed into an integer");
    v = p;
  }
  if (v < min || v > max) throw rangeError(min, max, octal);
  if (clamp !== undefined) {
    if (v < clamp[0]) v = clamp[0];
    if (v > clamp[1]) v = clamp[1];
  }
  return octal ? v.toString(8) : v.toString();
}

function normalizeMemory(min: bigint, max: bigint, raw: string, percent: boolean): string {
  const what = percent ? 'argument must be a memory or percent value' : 'argument must be a memory value';
  if (percent && raw.endsWith('%')) {
    const body = raw.slice(0, -1);
    if (!/^[0-9]+$/.test(body)) throw new ValueError(what);
    const p = BigInt(body);
    if (p > 100n) throw new ValueError('percentage argument must be less or equal to 100');
    return p === 0n ? '0' : `${p}%`;
  }
  let v = parseMemory(raw);
  if (v === null) throw new ValueError(what);
  if (max <= LL_MAX && v > LL_MAX) v -= TWO_64; // stored in a signed C type
  if (v < min || v > max) throw rangeError(min, max);
  return v.toString();
}

function normalizeFlags(values: readonly string[], raw: string): string {
  const seen = new Set<string>();
  for (const tok of raw.split(' ')) {
    const v = tok.toLowerCase();
    if (!values.includes(v)) throw enumError(values);
    seen.add(v);
  }
  if (seen.has('save') && seen.has('nosave')) {
    throw new ValueError("shutdown options SAVE and NOSAVE can't be used simultaneously");
  }
  const out = values.filter((v) => v !== values[0] && seen.has(v));
  return out.length === 0 ? (values[0] ?? '') : out.join(' ');
}

const TITLE_VARS = new Set(['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file']);

function checkString(check: StringCheck, raw: string): void {
  if (check === 'hostname') {
    if (!/^[A-Za-z0-9.-]*$/.test(raw)) {
      throw new ValueError('Hostnames may only contain alphanumeric characters, hyphens or dots');
    }
    return;
  }
  // proc-title-template: every {var} must be known; braces must balance.
  const bad = new ValueError('template format is invalid or contains unknown variables');
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === '}') throw bad;
    if (c === '{') {
      const end = raw.indexOf('}', i);
      if (end < 0) throw bad;
      if (!TITLE_VARS.has(raw.slice(i + 1, end))) throw bad;
      i = end + 1;
    } else {
      i++;
    }
  }
}

/** Splits a multi-argument CONFIG SET value the way Redis does: on single spaces; '' = no args. */
export function splitSpaces(raw: string): string[] {
  return raw === '' ? [] : raw.split(' ');
}

function normalizeSpecial(name: SpecialName, raw: string, current: string): string {
  switch (name) {
    case 'save':
      return normalizeSave(raw);
    case 'bind': {
      const addrs = splitSpaces(raw).filter((a) => a !== '');
      if (addrs.length > 16) throw new ValueError('Too many bind addresses specified.');
      return addrs.join(' ');
    }
    case 'client-output-buffer-limit':
      return normalizeClientOutputBufferLimit(raw, current);
    case 'notify-keyspace-events':
      return formatKeyspaceEvents(parseKeyspaceEvents(raw));
    case 'oom-score-adj-values': {
      const toks = splitSpaces(raw);
      if (toks.length !== 3) throw new ValueError('wrong number of arguments');
      return toks
        .map((t) => {
          const v = parseLooseInt(t);
          if (v === null || v < -2000n || v > 2000n) {
            throw new ValueError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
          }
          return v.toString();
        })
        .join(' ');
    }
    case 'latency-tracking-info-percentiles':
      return splitSpaces(raw)
        .map((t) => {
          const v = t.trim() === '' ? NaN : Number(t);
          if (!Number.isFinite(v)) throw new ValueError('Invalid latency-tracking-info-percentiles parameters');
          if (v < 0 || v > 100) {
            throw new ValueError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
          }
          return String(v);
        })
        .join(' ');
    case 'replicaof': {
      const toks = splitSpaces(raw).filter((t) => t !== '');
      if (toks.length === 0) return '';
      if (toks.length !== 2) throw new ValueError('wrong number of arguments');
      const [host = '', port = ''] = toks;
      if (host.toLowerCase() === 'no' && port.toLowerCase() === 'one') return '';
      const p = parseLooseInt(port);
      if (p === null || p < 0n || p > 65535n) throw new ValueError('Invalid master port');
      return `${host} ${p}`;
    }
    case 'dir':
      return normalizeDir(raw);
  }
}

function normalizeSave(raw: string): string {
  const toks = splitSpaces(raw);
  if (toks.length % 2 !== 0) throw new ValueError('Invalid save parameters');
  const out: string[] = [];
  toks.forEach((t, j) => {
    const v = parseLooseInt(t);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) {
      throw new ValueError('Invalid save parameters');
    }
    out.push(v.toString());
  });
  return out.join(' ');
}

function normalizeDir(raw: string): string {
  const abs = resolve(raw);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new ValueError('No such file or directory');
  }
  if (!isDir) throw new ValueError('Not a directory');
  return abs;
}

const COBL_CLASSES = ['normal', 'slave', 'pubsub'] as const;

function normalizeClientOutputBufferLimit(raw: string, current: string): string {
  const toks = splitSpaces(raw);
  if (toks.length % 4 !== 0) throw new ValueError('Wrong number of arguments in buffer limit configuration.');
  const cur = current.split(' ');
  const values = new Map<string, string[]>();
  for (let i = 0; i + 3 < cur.length; i += 4) values.set(cur[i] ?? '', cur.slice(i + 1, i + 4));
  for (let i = 0; i < toks.length; i += 4) {
    let cls = (toks[i] ?? '').toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (cls !== 'normal' && cls !== 'slave' && cls !== 'pubsub') {
      throw new ValueError('Invalid client class specified in buffer limit configuration.');
    }
    const hard = parseMemory(toks[i + 1] ?? '');
    const soft = parseMemory(toks[i + 2] ?? '');
    const secs = parseLooseInt(toks[i + 3] ?? '');
    if (hard === null || soft === null || secs === null || secs < 0n) {
      throw new ValueError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    values.set(cls, [hard.toString(), soft.toString(), secs.toString()]);
  }
  return COBL_CLASSES.map((c) => `${c} ${(values.get(c) ?? ['0', '0', '0']).join(' ')}`).join(' ');
}

/** Keyspace-notification class letters in Redis's printing order; 'A' = all of ALL_CLASSES. */
const ALL_CLASSES = 'g$lshzxetd';

/** Parses a notify-keyspace-events string into its set of class letters ('A' expanded). */
export function parseKeyspaceEvents(raw: string): Set<string> {
  const set = new Set<string>();
  for (const ch of raw) {
    if (ch === 'A') for (const c of ALL_CLASSES) set.add(c);
    else if ('g$lshzxeKEtmdn'.includes(ch)) set.add(ch);
    else throw new ValueError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  return set;
}

/**
 * Every class letter a notify-keyspace-events value enables, 'A' expanded, in a fixed order
 * ('n' kept even where the printed form drops it). Throws ValueError like parseKeyspaceEvents.
 */
export function keyspaceEventClasses(raw: string): string {
  const set = parseKeyspaceEvents(raw);
  let out = '';
  for (const c of ALL_CLASSES + 'nKEm') if (set.has(c)) out += c;
  return out;
}

/** Prints a class set like Redis 7.0 (note: 'n' is not printed when all of 'A' are set). */
export function formatKeyspaceEvents(set: ReadonlySet<string>): string {
  let out = '';
  if ([...ALL_CLASSES].every((c) => set.has(c))) out = 'A';
  else for (const c of ALL_CLASSES + 'n') if (set.has(c)) out += c;
  for (const c of 'KEm') if (set.has(c)) out += c;
  return out;
}

/** Formats a byte count the way CONFIG REWRITE does: largest exact unit of gb/mb/kb. */
export function formatMemoryUnits(bytes: bigint): string {
  if (bytes !== 0n) {
    if (bytes % (1n << 30n) === 0n) return `${bytes / (1n << 30n)}gb`;
    if (bytes % (1n << 20n) === 0n) return `${bytes / (1n << 20n)}mb`;
    if (bytes % 1024n === 0n) return `${bytes / 1024n}kb`;
  }
  return bytes.toString();
}

/** Quotes a string like Redis sdscatrepr (UTF-8 bytes; non-printables as \xHH). */
export function reprString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (b === 7) out += '\\a';
    else if (b === 8) out += '\\b';
    else if (b >= 0x20 && b < 0x7f) out += ch;
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + '"';
}
