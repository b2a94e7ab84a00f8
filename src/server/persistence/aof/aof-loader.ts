// Loading the append-only file (loadAppendOnlyFiles / loadSingleAppendOnlyFile of Redis 7.0):
// the BASE, then every INCR, in manifest order, into an empty keyspace.
//
// A file that starts with "REDIS" begins with an RDB (a BASE written with aof-use-rdb-preamble,
// or an old single-file AOF with a preamble), loaded through the RDB loader; the rest of the
// file is commands: RESP arrays of bulk strings ("*<argc>\r\n" then "$<len>\r\n<bytes>\r\n"
// per argument), read exactly as Redis's fgets/fread loop reads them, with "#..." annotation
// lines skipped. Each command runs through call() as the AOF client (replay.ts); MULTI queues
// what follows until EXEC, as the loader's fake client does.
//
// Endings:
//   - a file that ends inside a command, or inside a MULTI never closed by EXEC, has a torn
//     tail. In the LAST file, with aof-load-truncated yes, the file is truncated to the last
//     complete command (before the MULTI) and the load goes on, with Redis's warnings; with no,
//     the load stops with Redis's "Unexpected end of file" message. A torn file that is not the
//     last stops the load ("the truncated file is not the last file") — and, unlike Redis, is
//     left untouched on disk.
//   - bad format anywhere (a line that is not "*<n>" / "$<len>", an unknown command, a corrupt
//     RDB part) stops the load with Redis's message, and the error names the file and offset.
// A failed load empties the keyspace: a partial dataset is never presented as complete.

import { performance } from 'node:perf_hooks';
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../../dispatch.js';
import { queueCommand } from '../../multi.js';
import type { Command } from '../../command-table.js';
import type { Client } from '../../network/client.js';
import type { Server } from '../../server.js';
import { integersShared, loadLimits } from '../options.js';
import { EOF_REASON, RdbError, RdbInput } from '../rdb-io.js';
import { loadRdbSteps } from '../rdb-loader.js';
import type { AofManifest } from './manifest.js';
import { strerror } from './manifest.js';
import { LOAD_NOW, beginReplay, createAofClient, endReplay } from './replay.js';

/** The outcome of loading one file or all of them (AOF_OK, AOF_NOT_EXIST, ...). */
export type AofStatus = 'ok' | 'not-exist' | 'empty' | 'open-err' | 'failed' | 'truncated';

/** A load that failed: the file, the byte offset and Redis's reason. */
export class AofLoadError extends Error {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  constructor(file: string, offset: number, reason: string) {
    super(`Bad AOF file ${file}: ${reason} (at offset ${offset})`);
    this.name = 'AofLoadError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

export interface AofLoadOptions {
  /** The AOF directory (dir/appenddirname). */
  readonly dir: string;
  /** appendfilename: an old-style AOF carries this name (its RDB part is a "preamble"). */
  readonly appendfilename: string;
  /** aof-load-truncated. */
  readonly loadTruncated: boolean;
}

/** What loadAppendOnlyFiles found. */
export interface AofLoadResult {
  readonly status: AofStatus;
  /** Total size of the BASE and INCR files (aof_current_size) after any truncation. */
  readonly totalSize: number;
  /** Size of the BASE (aof_rewrite_base_size). */
  readonly baseSize: number;
  /** Commands replayed. */
  readonly commands: number;
  /** The file whose torn tail was dropped, and the offset it was truncated at, if any. */
  readonly truncated: { readonly file: string; readonly offset: number } | null;
}

/** Size of dir/name, or -1 when it does not exist. */
function fileSize(dir: string, name: string): number {
  try {
    return statSync(join(dir, name)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return -1;
    throw err;
  }
}

/**
 * Loads every file of `am` into srv (loadAppendOnlyFiles). The keyspace should be empty.
 * Returns 'not-exist' when the manifest lists nothing and 'empty' when all files are empty;
 * otherwise 'ok' or 'truncated' (the last file's torn tail dropped). Throws AofLoadError —
 * after emptying the keyspace — when the files cannot be loaded. Logs as Redis does.
 */
export function loadAppendOnlyFiles(srv: Server, am: AofManifest, opts: AofLoadOptions): AofLoadResult {
  return runSteps(loadAppendOnlyFilesSteps(srv, am, opts));
}

/** Runs a loader's steps to the end at once. */
export function runSteps<T>(steps: Generator<number, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * loadAppendOnlyFiles as steps: yields the bytes read so far (over all files) every few
 * thousand commands or keys, so the caller can serve clients -LOADING in between.
 */
export function* loadAppendOnlyFilesSteps(srv: Server, am: AofManifest, opts: AofLoadOptions): Generator<number, AofLoadResult> {
  const none = (status: AofStatus): AofLoadResult => ({ status, totalSize: 0, baseSize: 0, commands: 0, truncated: null });
  if (am.empty) return none('not-exist');
  const files = am.loadOrder();
  let total = 0;
  for (const f of files) {
    const size = fileSize(opts.dir, f.name);
    if (size < 0) {
      srv.log.warning(`Unable to obtain the AOF file ${f.name} length. stat: No such file or directory`);
      throw new AofLoadError(join(opts.dir, f.name), 0, 'Unable to obtain the AOF file length: No such file or directory');
    }
    total += size;
  }
  if (total === 0) return none('empty');

  let commands = 0;
  let truncated: { file: string; offset: number } | null = null;
  const replay = beginReplay(srv);
  try {
    let done = 0;
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const last = i === files.length - 1;
      const t0 = performance.now();
      const steps = loadSingleAppendOnlyFileSteps(srv, f.name, { ...opts, last });
      let step = steps.next();
      while (step.done !== true) {
        yield done + step.value;
        // Clients served meanwhile moved the command clock: back to replay time.
        srv.now = LOAD_NOW;
        step = steps.next();
      }
      const r = step.value;
      done += Math.max(0, fileSize(opts.dir, f.name));
      commands += r.commands;
      if (r.status === 'truncated') truncated = { file: f.name, offset: r.validUpTo };
      const kind = f.type === 'b' ? 'base' : 'incr';
      if (r.status === 'ok' || r.status === 'truncated') {
        srv.log.notice(`DB loaded from ${kind} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
      }
    }
  } catch (err) {
    srv.keyspace.flushAll();
    throw err;
  } finally {
    endReplay(srv, replay);
  }
  const totalSize = truncated === null ? total : files.reduce((n, f) => n + Math.max(0, fileSize(opts.dir, f.name)), 0);
  const baseSize = am.base === null ? 0 : Math.max(0, fileSize(opts.dir, am.base.name));
  return { status: truncated === null ? 'ok' : 'truncated', totalSize, baseSize, commands, truncated };
}

// ---------------------------------------------------------------------------------------------
// One file

/** Reads a file the way stdio does for the loader: fgets-style lines and exact-size reads. */
class FileReader {
  readonly #fd: number;
  readonly size: number;
  #buf = Buffer.allocUnsafe(1 << 20);
  /** File offset of #buf[0]; valid bytes are #buf[0, #len); #pos the read position in it. */
  #base = 0;
  #len = 0;
  #pos = 0;
  /** A read hit the end of the file (feof). */
  eof = false;

  constructor(fd: number, start: number) {
    this.#fd = fd;
    this.size = fstatSync(fd).size;
    this.#base = start;
  }

  /** The read position (ftello). */
  get offset(): number {
    return this.#base + this.#pos;
  }

  /** Makes at least n bytes available from #pos, if the file has them; returns how many are. */
  #fill(n: number): number {
    if (this.#len - this.#pos >= n) return this.#len - this.#pos;
    const keep = this.#len - this.#pos;
    if (n > this.#buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(n, this.#buf.length * 2));
      this.#buf.copy(bigger, 0, this.#pos, this.#len);
      this.#buf = bigger;
    } else {
      this.#buf.copy(this.#buf, 0, this.#pos, this.#len);
    }
    this.#base += this.#pos;
    this.#pos = 0;
    this.#len = keep;
    while (this.#len < n) {
      const want = this.#buf.length - this.#len;
      const got = readSync(this.#fd, this.#buf, this.#len, want, this.#base + this.#len);
      if (got === 0) break;
      this.#len += got;
    }
    return this.#len;
  }

  /**
   * fgets(buf, size): up to size-1 bytes, through the first '\n'; null at the end of the file
   * (setting eof). The result is a view, valid until the next read.
   */
  gets(size: number): Buffer | null {
    const max = size - 1;
    const avail = this.#fill(max);
    if (avail === 0) {
      this.eof = true;
      return null;
    }
    const window = this.#buf.subarray(this.#pos, this.#pos + Math.min(avail, max));
    const nl = window.indexOf(0x0a);
    const line = nl >= 0 ? window.subarray(0, nl + 1) : window;
    if (nl < 0 && avail < max) this.eof = true;
    this.#pos += line.length;
    return line;
  }

  /** fread of exactly n bytes, copied; null (and eof) when the file ends first. */
  read(n: number): Buffer | null {
    if (n > this.size - this.offset) {
      this.eof = true;
      return null;
    }
    this.#fill(n);
    const out = Buffer.from(this.#buf.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return out;
  }

  /** Skips n bytes (the CRLF after an argument); false when the file ends first. */
  skip(n: number): boolean {
    if (this.#fill(n) < n) {
      this.#pos = this.#len;
      this.eof = true;
      return false;
    }
    this.#pos += n;
    return true;
  }
}

/** AOF_ANNOTATION_LINE_MAX_LEN: the loader's line buffer. */
const LINE_MAX = 1024;

/** C atoi / strtol: optional blanks and sign, then digits up to the first non-digit. */
function cInt(b: Buffer, from: number): number {
  let i = from;
  while (i < b.length && (b[i] === 0x20 || (b[i] >= 0x09 && b[i] <= 0x0d))) i++;
  let neg = false;
  if (b[i] === 0x2b || b[i] === 0x2d) neg = b[i++] === 0x2d;
  let v = 0;
  while (i < b.length && b[i] >= 0x30 && b[i] <= 0x39 && v < 1e15) v = v * 10 + (b[i++] - 0x30);
  return neg ? -v : v;
}

/** argv[0] as Redis's %s prints it: up to the first NUL. */
function cStr(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('latin1', 0, nul < 0 ? b.length : nul);
}

/** The command argv names, as lookupCommand(argv, argc) finds it (a container's subcommand). */
function lookup(srv: Server, argv: Buffer[]): Command | undefined {
  const cmd = srv.commands.lookupBytes(argv[0]);
  if (cmd === undefined || cmd.subcommands === null || argv.length === 1) return cmd;
  return cmd.subcommands.get(argv[1].toString('latin1').toLowerCase());
}

interface SingleResult {
  readonly status: AofStatus;
  readonly commands: number;
  readonly validUpTo: number;
}

/** How often (commands) the loader checks the time for a progress line. */
const PROGRESS_EVERY = 1024;

/**
 * Loads one file of the AOF (loadSingleAppendOnlyFile) as described in the file header, as
 * steps: yields the offset reached in the file. `last`: it is the last file of the load (only
 * there may a torn tail be dropped). Returns 'ok', 'empty' or 'truncated'; throws AofLoadError
 * otherwise.
 */
function* loadSingleAppendOnlyFileSteps(
  srv: Server,
  name: string,
  opts: AofLoadOptions & { readonly last: boolean },
): Generator<number, SingleResult> {
  const path = join(opts.dir, name);
  const log = srv.log;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (existsSync(path) || (err as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.warning(`Fatal error: can't open the append log file ${name} for reading: ${strerror(err)}`);
    } else {
      log.warning(`The append log file ${name} doesn't exist: ${strerror(err)}`);
    }
    throw new AofLoadError(path, 0, `can't open the append log file: ${strerror(err)}`);
  }
  try {
    if (fstatSync(fd).size === 0) return { status: 'empty', commands: 0, validUpTo: 0 };
    return yield* replayFile(srv, fd, name, path, opts);
  } finally {
    closeSync(fd);
  }
}

function* replayFile(
  srv: Server,
  fd: number,
  name: string,
  path: string,
  opts: AofLoadOptions & { readonly last: boolean },
): Generator<number, SingleResult> {
  const log = srv.log;
  let start = 0;
  const sig = Buffer.alloc(5);
  if (readSync(fd, sig, 0, 5, 0) === 5 && sig.toString('latin1') === 'REDIS') start = yield* loadRdbPart(srv, fd, name, path, opts);

  const c = createAofClient(srv);
  const inp = new FileReader(fd, start);
  // Redis leaves valid_up_to at 0 after an RDB part, so a torn tail right after it would cut
  // the whole file: it starts at the end of the RDB part here.
  let validUpTo = start;
  let validBeforeMulti = start;
  let commands = 0;
  let lastProgress = performance.now();
  const fmtErr = (at: number): never => {
    log.warning(
      `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
    );
    throw new AofLoadError(path, at, 'Bad file format reading the append only file');
  };
  let torn = false;
  for (let loops = 0; ; loops++) {
    if (loops % PROGRESS_EVERY === 0 && loops > 0 && c.multi === null) yield inp.offset;
    if (loops % PROGRESS_EVERY === 0 && loops > 0 && performance.now() - lastProgress >= 1000) {
      lastProgress = performance.now();
      const pct = ((inp.offset / inp.size) * 100).toFixed(2);
      log.notice(`Loading AOF file ${name}: ${inp.offset} of ${inp.size} bytes (${pct}%), ${commands} commands`);
    }
    const at = inp.offset;
    const head = inp.gets(LINE_MAX);
    if (head === null) break;
    if (head[0] === 0x23) continue; // '#' annotation
    if (head[0] !== 0x2a) fmtErr(at); // '*'
    if (head.length === 1 || head[1] === 0) {
      if (inp.eof) {
        torn = true;
        break;
      }
      log.warning(`Unrecoverable error reading the append only file ${name}: Success`);
      throw new AofLoadError(path, at, 'Unrecoverable error reading the append only file');
    }
    const argc = cInt(head, 1);
    if (argc < 1) fmtErr(at);
    const argv: Buffer[] = [];
    for (let j = 0; j < argc; j++) {
      const argAt = inp.offset;
      const line = inp.gets(LINE_MAX);
      if (line === null) {
        torn = true;
        break;
      }
      if (line[0] !== 0x24) fmtErr(argAt); // '$'
      const len = cInt(line, 1);
      if (len < 0) fmtErr(argAt);
      const arg = inp.read(len);
      if (arg === null || !inp.skip(2)) {
        torn = true;
        break;
      }
      argv.push(arg);
    }
    if (torn) break;
    const cmd = lookup(srv, argv);
    if (cmd === undefined) {
      log.warning(`Unknown command '${cStr(argv[0])}' reading the append only file ${name}`);
      throw new AofLoadError(path, at, `Unknown command '${cStr(argv[0])}'`);
    }
    if ((cmd.arity > 0 && argc !== cmd.arity) || argc < -cmd.arity) {
      log.warning(`Wrong number of arguments for '${cmd.fullName}' reading the append only file ${name}`);
      throw new AofLoadError(path, at, `Wrong number of arguments for '${cmd.fullName}'`);
    }
    if (cmd.name === 'multi' && c.multi === null) validBeforeMulti = validUpTo;
    execute(srv, c, cmd, argv);
    commands++;
    if (opts.loadTruncated) validUpTo = inp.offset;
  }
  if (!torn && c.multi !== null) {
    log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    validUpTo = validBeforeMulti;
    torn = true;
  }
  if (!torn) return { status: 'ok', commands, validUpTo };
  return tornTail(srv, { name, path, fd, validUpTo, at: inp.offset, commands, ...opts });
}

/**
 * Runs one command as the AOF client: queued while in MULTI (everything but EXEC, as the
 * loader's fake client does), else through call(). Blocking is denied (a blocking command
 * times out at once, CLIENT_DENY_BLOCKING); replies are dropped.
 */
function execute(srv: Server, c: Client, cmd: Command, argv: Buffer[]): void {
  if (c.multi !== null && cmd.name !== 'exec') {
    queueCommand(c, cmd, argv);
  } else {
    c.inExec = true;
    try {
      call(srv, c, cmd, argv);
    } finally {
      c.inExec = false;
    }
  }
  c.w.truncate(0);
}

/** The end of loadSingleAppendOnlyFile for a torn tail (the uxeof label). */
function tornTail(
  srv: Server,
  t: { name: string; path: string; fd: number; validUpTo: number; at: number; commands: number; loadTruncated: boolean; last: boolean },
): SingleResult {
  const log = srv.log;
  if (t.loadTruncated && t.last) {
    log.warning(`!!! Warning: short read while loading the AOF file ${t.name}!!!`);
    log.warning(`!!! Truncating the AOF ${t.name} at offset ${t.validUpTo} !!!`);
    try {
      ftruncateTo(t.path, t.validUpTo);
      log.warning(`AOF ${t.name} loaded anyway because aof-load-truncated is enabled`);
      return { status: 'truncated', commands: t.commands, validUpTo: t.validUpTo };
    } catch (err) {
      log.warning(`Error truncating the AOF file ${t.name}: ${strerror(err)}`);
    }
  } else if (t.loadTruncated) {
    log.warning(`!!! Warning: short read while loading the AOF file ${t.name}!!!`);
    log.warning('Fatal error: the truncated file is not the last file');
    throw new AofLoadError(t.path, t.at, 'the truncated file is not the last file');
  }
  log.warning(
    `Unexpected end of file reading the append only file ${t.name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
  );
  throw new AofLoadError(t.path, t.at, 'Unexpected end of file reading the append only file');
}

function ftruncateTo(path: string, len: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, len);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads the RDB that starts the file (a BASE, or an old AOF's preamble) through the RDB loader,
 * keeping keys whose TTL passed (replay time). Returns the offset the commands start at.
 */
function* loadRdbPart(srv: Server, fd: number, name: string, path: string, opts: AofLoadOptions): Generator<number, number> {
  const log = srv.log;
  const oldStyle = name === opts.appendfilename;
  log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
  const cfg = srv.config;
  const checksum = cfg.getBool('rdbchecksum');
  try {
    const inp = RdbInput.fromSource({ size: fstatSync(fd).size, read: (dst, off, len, pos) => readSync(fd, dst, off, len, pos) }, checksum);
    const r = yield* loadRdbSteps(srv, inp, { checksum, now: LOAD_NOW, limits: loadLimits(cfg), sharedIntegers: integersShared(cfg) });
    if (oldStyle) log.notice('Reading the remaining AOF tail...');
    return r.bytes;
  } catch (err) {
    if (!(err instanceof RdbError)) throw err;
    if (err.reason === EOF_REASON) log.warning('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    else log.warning(`Internal error in RDB reading offset ${err.offset}: ${err.reason}`);
    log.warning(
      oldStyle
        ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
        : `Error reading the RDB base file ${name}, AOF loading aborted`,
    );
    throw new AofLoadError(path, err.offset, err.reason);
  }
}
