// `shoal bigkeys` and `shoal hotkeys`: survey a running node (Shoal or Redis) the way
// redis-cli --bigkeys / --memkeys / --hotkeys do, with the same report layout on stdout.
//
// bigkeys: SCAN the database; per batch, TYPE of every key (pipelined), then its size
// (STRLEN / LLEN / SCARD / HLEN / ZCARD / XLEN, or MEMORY USAGE with --memkeys), also
// pipelined; report the biggest key of each type as it is found and a per-type summary.
// hotkeys: when the node offers HOTKEYS (a Shoal node), read its hot-key tracker, which
// ranks keys by their recent access rate under any maxmemory-policy; otherwise (or with
// --freq, or when tracking is off) SCAN with OBJECT FREQ per key, which needs an LFU
// maxmemory-policy, as redis-cli's --hotkeys does.
//
// Progress goes to stderr: a line redrawn in place on a terminal, a plain line per 10 %
// otherwise. The client is ioredis (loaded only by these commands).

import type { Redis as RedisClient } from 'ioredis';
import { compileGlob } from '../lib/glob.js';
import { reprArg } from '../server/handlers/util.js';

export type SurveyMode = 'bigkeys' | 'hotkeys';

export interface SurveyOptions {
  host: string;
  port: number;
  user?: string;
  password?: string;
  db: number;
  /** Pause after each SCAN batch, in ms (-i seconds). */
  intervalMs: number;
  pattern?: string;
  /** bigkeys: sizes by MEMORY USAGE instead of element counts. */
  memkeys: boolean;
  /** bigkeys --memkeys: MEMORY USAGE ... SAMPLES n (0: the server's default). */
  memkeysSamples: number;
  /** hotkeys: keys to report. */
  count: number;
  /** hotkeys: use SCAN + OBJECT FREQ even when the node offers HOTKEYS. */
  freq: boolean;
}

/** Where the survey writes: the report, and progress / warnings. */
export interface SurveyIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown; isTTY?: boolean };
}

const USAGE = (mode: SurveyMode): string => `Usage: shoal ${mode} [options]

Survey a running node (Shoal or Redis) as redis-cli --${mode} does.

Options:
  -h <host>             Server hostname (default: 127.0.0.1).
  -p <port>             Server port (default: 6379).
  -a <password>         Password (AUTH).
  --user <username>     ACL username (with -a).
  -n <db>               Database number (default: 0).
  -i <seconds>          Pause after each SCAN batch, e.g. -i 0.1 (default: 0).
  --pattern <glob>      Only keys matching the pattern (default: all keys).
${
  mode === 'bigkeys'
    ? `  --memkeys             Rank keys by memory (MEMORY USAGE) instead of element counts.
  --memkeys-samples <n> With --memkeys: MEMORY USAGE ... SAMPLES <n>.
`
    : `  --count <n>           Keys to report (default: 16).
  --freq                Use SCAN + OBJECT FREQ (needs an LFU maxmemory-policy) even when
                        the node offers HOTKEYS.
`
}  --help                This help.
`;

/** Parses the command line; a string is an error message (or 'help'). */
export function parseSurveyArgs(mode: SurveyMode, args: string[]): SurveyOptions | string {
  const o: SurveyOptions = { host: '127.0.0.1', port: 6379, db: 0, intervalMs: 0, memkeys: false, memkeysSamples: 0, count: 16, freq: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | null => (i + 1 < args.length ? args[++i] : null);
    const num = (min: number, max: number): number | null => {
      const v = value();
      const n = v === null || !/^-?\d+(\.\d+)?$/.test(v) ? NaN : Number(v);
      return Number.isFinite(n) && n >= min && n <= max ? n : null;
    };
    let ok = true;
    switch (a) {
      case '--help':
        return 'help';
      case '-h': {
        const v = value();
        if (v === null) ok = false;
        else o.host = v;
        break;
      }
      case '-p': {
        const n = num(1, 65535);
        if (n === null || !Number.isInteger(n)) ok = false;
        else o.port = n;
        break;
      }
      case '-a':
      case '--pass': {
        const v = value();
        if (v === null) ok = false;
        else o.password = v;
        break;
      }
      case '--user': {
        const v = value();
        if (v === null) ok = false;
        else o.user = v;
        break;
      }
      case '-n': {
        const n = num(0, 2147483647);
        if (n === null || !Number.isInteger(n)) ok = false;
        else o.db = n;
        break;
      }
      case '-i': {
        const n = num(0, 86400);
        if (n === null) ok = false;
        else o.intervalMs = n * 1000;
        break;
      }
      case '--pattern': {
        const v = value();
        if (v === null) ok = false;
        else o.pattern = v;
        break;
      }
      case '--memkeys':
        if (mode !== 'bigkeys') return `Unrecognized option or bad number of args for: '${a}'`;
        o.memkeys = true;
        break;
      case '--memkeys-samples': {
        const n = mode === 'bigkeys' ? num(0, 2147483647) : null;
        if (n === null || !Number.isInteger(n)) ok = false;
        else {
          o.memkeys = true;
          o.memkeysSamples = n;
        }
        break;
      }
      case '--count': {
        const n = mode === 'hotkeys' ? num(1, 65536) : null;
        if (n === null || !Number.isInteger(n)) ok = false;
        else o.count = n;
        break;
      }
      case '--freq':
        if (mode !== 'hotkeys') return `Unrecognized option or bad number of args for: '${a}'`;
        o.freq = true;
        break;
      default:
        ok = false;
    }
    if (!ok) return `Unrecognized option or bad number of args for: '${a}'`;
  }
  return o;
}

/** Runs `shoal bigkeys|hotkeys <args>`; resolves with the process exit code. */
export async function survey(mode: SurveyMode, args: string[], io: SurveyIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const opts = parseSurveyArgs(mode, args);
  if (opts === 'help') {
    io.out.write(USAGE(mode));
    return 0;
  }
  if (typeof opts === 'string') {
    io.err.write(`${opts}\n\n${USAGE(mode)}`);
    return 1;
  }
  const { Redis } = await import('ioredis');
  const client = new Redis({
    host: opts.host,
    port: opts.port,
    username: opts.user,
    password: opts.password,
    lazyConnect: true,
    // One attempt, no reconnection: a survey reports a lost node instead of waiting for it.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 10_000,
  });
  let lastError = '';
  client.on('error', (e: Error) => (lastError = e.message));
  try {
    await client.connect();
  } catch (e) {
    const why = lastError || (e as Error).message;
    io.err.write(`Could not connect to Redis at ${opts.host}:${opts.port}: ${connectError(why)}\n`);
    client.disconnect();
    return 1;
  }
  const s = new Survey(client, opts, io);
  try {
    // SELECT here rather than through ioredis's db option, which goes on with db 0 when the
    // SELECT fails.
    if (opts.db !== 0) {
      await client.select(opts.db).catch((e: Error) => {
        throw new Error(`SELECT ${opts.db} failed: ${e.message}`);
      });
    }
    if (mode === 'bigkeys') return await s.bigKeys();
    return await s.hotKeys();
  } catch (e) {
    s.progress.end();
    io.err.write(`Error: ${(e as Error).message}\n`);
    return 1;
  } finally {
    client.disconnect();
  }
}

/** redis-cli's wording for the usual connection failures. */
function connectError(msg: string): string {
  if (msg.includes('ECONNREFUSED')) return 'Connection refused';
  if (msg.includes('ENOTFOUND') || msg.includes('EAI_AGAIN')) return 'Name or service not known';
  return msg;
}

// -----------------------------------------------------------------------------------------
// The surveys

const TYPES = ['string', 'list', 'set', 'hash', 'zset', 'stream'] as const;
type KeyType = (typeof TYPES)[number];
const UNITS: Record<KeyType, string> = { string: 'bytes', list: 'items', set: 'members', hash: 'fields', zset: 'members', stream: 'entries' };
const SIZE_COMMANDS: Record<KeyType, string> = { string: 'STRLEN', list: 'LLEN', set: 'SCARD', hash: 'HLEN', zset: 'ZCARD', stream: 'XLEN' };

const isKeyType = (t: string): t is KeyType => (TYPES as readonly string[]).includes(t);

/** redis-cli's "%05.2f": the percentage with two decimals, zero-padded to five characters. */
const pct = (p: number): string => p.toFixed(2).padStart(5, '0');
const repr = (k: Buffer): string => reprArg(k);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface TypeStats {
  count: number;
  total: number;
  biggest: number;
  biggestKey: Buffer | null;
}

class Survey {
  readonly progress: Progress;

  constructor(
    readonly client: RedisClient,
    readonly opts: SurveyOptions,
    readonly io: SurveyIo,
  ) {
    this.progress = new Progress(io.err);
  }

  /** A report line on stdout (the progress line is moved out of its way on a terminal). */
  say(line: string): void {
    this.progress.hide();
    this.io.out.write(line + '\n');
    this.progress.show();
  }

  /**
   * Walks the database with SCAN (MATCH when --pattern is given), calling `batch` with each
   * reply's keys and the share of the database sampled before it (percent, from DBSIZE),
   * pausing -i after each batch. `batch` returns how many of its keys it sampled.
   */
  async scan(batch: (keys: Buffer[], percent: number) => Promise<number>): Promise<number> {
    const total = Number(await this.client.dbsize());
    const match = this.opts.pattern === undefined ? [] : ['MATCH', this.opts.pattern];
    let cursor = '0';
    let sampled = 0;
    do {
      const percent = total > 0 ? (100 * sampled) / total : 0;
      const reply = await this.client.callBuffer('SCAN', cursor, ...match).catch((e: Error) => {
        throw new Error(`SCAN error: ${e.message}`);
      });
      if (!Array.isArray(reply) || reply.length !== 2 || !Buffer.isBuffer(reply[0]) || !Array.isArray(reply[1])) {
        throw new Error('Invalid reply to SCAN');
      }
      cursor = reply[0].toString('latin1');
      const before = sampled;
      sampled += await batch(reply[1] as Buffer[], percent);
      // redis-cli's milestone line, once per million keys.
      if (Math.floor(sampled / 1e6) > Math.floor(before / 1e6)) this.say(`[${pct(percent)}%] Sampled ${Math.floor(sampled / 1e6) * 1e6} keys so far`);
      this.progress.update(sampled, total);
      if (this.opts.intervalMs > 0) await sleep(this.opts.intervalMs);
    } while (cursor !== '0');
    this.progress.end();
    return sampled;
  }

  // ---- bigkeys / memkeys

  async bigKeys(): Promise<number> {
    const memkeys = this.opts.memkeys;
    const stats = new Map<KeyType, TypeStats>(TYPES.map((t) => [t, { count: 0, total: 0, biggest: 0, biggestKey: null }]));
    let keyBytes = 0;
    this.say('');
    this.say('# Scanning the entire keyspace to find biggest keys as well as');
    this.say('# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec');
    this.say('# after each SCAN batch (not usually needed).');
    this.say('');
    const sampled = await this.scan(async (keys, percent) => {
      const types = await this.pipelined(keys.map((k) => ['TYPE', k]));
      const sized: number[] = [];
      const cmds: (string | Buffer)[][] = [];
      types.forEach((t, i) => {
        if (t instanceof Error) throw new Error(`TYPE returned an error: ${t.message}`);
        const type = String(t);
        if (!isKeyType(type)) return; // deleted since SCAN ('none'), or a type without a size command
        sized.push(i);
        const samples = this.opts.memkeysSamples > 0 ? ['SAMPLES', String(this.opts.memkeysSamples)] : [];
        cmds.push(memkeys ? ['MEMORY', 'USAGE', keys[i], ...samples] : [SIZE_COMMANDS[type], keys[i]]);
      });
      const sizes = await this.pipelined(cmds);
      sized.forEach((i, j) => {
        const type = String(types[i]) as KeyType;
        const reply = sizes[j];
        const size = typeof reply === 'number' ? reply : 0;
        if (typeof reply !== 'number') {
          this.progress.hide();
          this.io.err.write(`Warning:  ${cmds[j][0]} on '${repr(keys[i])}' failed (may have changed type)\n`);
          this.progress.show();
        }
        const st = stats.get(type) as TypeStats;
        st.count++;
        st.total += size;
        keyBytes += keys[i].length;
        if (size > st.biggest) {
          this.say(`[${pct(percent)}%] Biggest ${type.padEnd(6)} found so far '${repr(keys[i])}' with ${size} ${memkeys ? 'bytes' : UNITS[type]}`);
          st.biggest = size;
          st.biggestKey = Buffer.from(keys[i]);
        }
      });
      return sized.length;
    });
    this.say('');
    this.say('-------- summary -------');
    this.say('');
    this.say(`Sampled ${sampled} keys in the keyspace!`);
    this.say(`Total key length in bytes is ${keyBytes} (avg len ${(sampled ? keyBytes / sampled : 0).toFixed(2)})`);
    this.say('');
    for (const [type, st] of stats) {
      if (st.biggestKey === null) continue;
      this.say(`Biggest ${type.padStart(6)} found '${repr(st.biggestKey)}' has ${st.biggest} ${memkeys ? 'bytes' : UNITS[type]}`);
    }
    this.say('');
    for (const [type, st] of stats) {
      const share = sampled ? (100 * st.count) / sampled : 0;
      const avg = st.count ? st.total / st.count : 0;
      this.say(`${st.count} ${type}s with ${st.total} ${memkeys ? 'bytes' : UNITS[type]} (${pct(share)}% of keys, avg size ${avg.toFixed(2)})`);
    }
    return 0;
  }

  // ---- hotkeys

  async hotKeys(): Promise<number> {
    if (!this.opts.freq && (await this.offersHotkeys())) {
      const done = await this.hotKeysTracked();
      if (done) return 0;
    }
    return this.hotKeysByFreq();
  }

  /** Whether the node knows HOTKEYS (COMMAND INFO answers with its entry, not a null). */
  async offersHotkeys(): Promise<boolean> {
    try {
      const info = await this.client.call('COMMAND', 'INFO', 'hotkeys');
      return Array.isArray(info) && Array.isArray(info[0]);
    } catch {
      return false;
    }
  }

  /**
   * The report from the node's tracker. False (after a note on stderr) when the node refuses
   * (tracking off): the caller falls back to OBJECT FREQ.
   */
  async hotKeysTracked(): Promise<boolean> {
    const filter = this.opts.pattern === undefined ? null : compileGlob(Buffer.from(this.opts.pattern));
    const ask = filter === null ? this.opts.count : 65536;
    let reply: unknown;
    try {
      reply = await this.client.callBuffer('HOTKEYS', 'COUNT', String(ask), 'DB', String(this.opts.db));
    } catch (e) {
      this.io.err.write(`# HOTKEYS: ${(e as Error).message}\n# Falling back to SCAN + OBJECT FREQ.\n`);
      return false;
    }
    if (!Array.isArray(reply)) throw new Error('Invalid reply to HOTKEYS');
    const rows: [Buffer, string, number][] = [];
    for (const e of reply) {
      if (!Array.isArray(e) || e.length !== 3 || !Buffer.isBuffer(e[0])) throw new Error('Invalid reply to HOTKEYS');
      if (filter !== null && !filter(e[0])) continue;
      rows.push([e[0], String(e[1]), Number(e[2])]);
      if (rows.length === this.opts.count) break;
    }
    this.say('');
    this.say("# Reading the node's hot-key tracker (HOTKEYS): the most accessed keys,");
    this.say('# ranked by their recent access rate (decayed over a few seconds), with the');
    this.say('# accesses counted since tracking started.');
    this.say('');
    this.say('-------- summary -------');
    this.say('');
    this.say(`Tracked hot keys reported: ${rows.length}`);
    for (const [k, rate, total] of rows) this.say(`hot key found with rate: ${rate}/s\taccesses: ${total}\tkeyname: ${repr(k)}`);
    return true;
  }

  /** redis-cli --hotkeys: SCAN + OBJECT FREQ, keeping the `count` highest counters. */
  async hotKeysByFreq(): Promise<number> {
    const n = this.opts.count;
    // Ascending by counter: pool[0] is the coolest kept key.
    const pool: { freq: number; key: Buffer }[] = [];
    this.say('');
    this.say('# Scanning the entire keyspace to find hot keys as well as');
    this.say('# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec');
    this.say('# after each SCAN batch (not usually needed).');
    this.say('');
    const sampled = await this.scan(async (keys, percent) => {
      const freqs = await this.pipelined(keys.map((k) => ['OBJECT', 'FREQ', k]));
      freqs.forEach((f, i) => {
        // An error (no LFU policy) ends the survey; a key deleted since SCAN answers null.
        if (f instanceof Error) throw f;
        const freq = typeof f === 'number' ? f : 0;
        if (freq === 0 || (pool.length === n && freq <= pool[0].freq)) return;
        if (pool.length === n) pool.shift();
        let at = 0;
        while (at < pool.length && pool[at].freq < freq) at++;
        pool.splice(at, 0, { freq, key: Buffer.from(keys[i]) });
        this.say(`[${pct(percent)}%] Hot key '${repr(keys[i])}' found so far with counter ${freq}`);
      });
      return keys.length;
    });
    this.say('');
    this.say('-------- summary -------');
    this.say('');
    this.say(`Sampled ${sampled} keys in the keyspace!`);
    for (let i = pool.length - 1; i >= 0; i--) this.say(`hot key found with counter: ${pool[i].freq}\tkeyname: ${repr(pool[i].key)}`);
    return 0;
  }

  /** Sends the commands in one pipeline; each result is its reply or an Error. */
  async pipelined(cmds: (string | Buffer)[][]): Promise<unknown[]> {
    if (cmds.length === 0) return [];
    const p = this.client.pipeline();
    for (const [name, ...args] of cmds) p.call(String(name), ...args);
    const res = await p.exec();
    if (res === null) throw new Error('I/O error');
    return res.map(([err, v]) => err ?? v);
  }
}

// -----------------------------------------------------------------------------------------
// Progress on stderr

/**
 * The share of the keyspace scanned. On a terminal: one line redrawn in place (at most ten
 * times a second) and moved out of the way of report lines; otherwise a plain line each time
 * another 10 % is done.
 */
class Progress {
  readonly #err: SurveyIo['err'];
  readonly #tty: boolean;
  #line = '';
  #shown = false;
  #drawnAt = 0;
  #decile = 0;

  constructor(err: SurveyIo['err']) {
    this.#err = err;
    this.#tty = err.isTTY === true;
  }

  update(done: number, total: number): void {
    const p = total > 0 ? Math.min(100, (100 * done) / total) : 100;
    const text = `[${pct(p)}%] ${done} of ${total} keys scanned`;
    if (!this.#tty) {
      const decile = Math.floor(p / 10);
      if (decile > this.#decile) {
        this.#decile = decile;
        this.#err.write(text + '\n');
      }
      return;
    }
    this.#line = text;
    const now = Date.now();
    if (now - this.#drawnAt < 100) return;
    this.#drawnAt = now;
    this.show();
  }

  show(): void {
    if (!this.#tty || this.#line === '') return;
    this.#err.write(`\r\x1b[K${this.#line}`);
    this.#shown = true;
  }

  hide(): void {
    if (!this.#shown) return;
    this.#err.write('\r\x1b[K');
    this.#shown = false;
  }

  /** Removes the line for good (the scan is over). */
  end(): void {
    this.hide();
    this.#line = '';
  }
}
