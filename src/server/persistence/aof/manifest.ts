// The AOF manifest of Redis 7.0's multi-part AOF (aof.c): which files make up the append-only
// file, in which order, and how their names are built.
//
// Layout, under dir/appenddirname (default "appendonlydir"):
//   <appendfilename>.<seq>.base.rdb | .base.aof   at most one BASE: the snapshot of the last rewrite
//   <appendfilename>.<seq>.incr.aof               INCR files: the writes since, in order
//   <appendfilename>.manifest                     this list, one line per file:
//       file <name> seq <n> type <b|h|i>
// HISTORY files (type h) are the BASE and INCRs a rewrite replaced; they are deleted unless
// aof-disable-auto-gc is on. The manifest text lists the BASE first, then the HISTORY files,
// then the INCRs (getAofManifestAsString). A name that needs it is quoted as sdscatrepr does,
// and lines are split back with sdssplitargs.
//
// Parsing applies Redis's checks and messages (aofLoadManifestFromFile); writing is atomic:
// temp-<appendfilename>.manifest, fsync, rename, fsync of the directory (writeAofManifestFile).

import { constants as fsc, promises as fsp } from 'node:fs';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { splitArgs } from '../../../lib/splitargs.js';
import { reprArg } from '../../handlers/util.js';

/** BASE, HISTORY and INCR (AOF_FILE_TYPE_*). */
export type AofFileType = 'b' | 'h' | 'i';

/** One file of the manifest (aofInfo). */
export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

const BASE_SUFFIX = '.base';
const INCR_SUFFIX = '.incr';
const RDB_SUFFIX = '.rdb';
const AOF_SUFFIX = '.aof';
const MANIFEST_SUFFIX = '.manifest';
const TEMP_PREFIX = 'temp-';
/** fgets buffer of the manifest reader (MANIFEST_MAX_LINE). */
const MANIFEST_MAX_LINE = 1024;

export function manifestName(appendfilename: string): string {
  return appendfilename + MANIFEST_SUFFIX;
}

export function tempManifestName(appendfilename: string): string {
  return TEMP_PREFIX + appendfilename + MANIFEST_SUFFIX;
}

/** The temp INCR file a rewrite started while AOF was off writes to (getTempIncrAofName). */
export function tempIncrName(appendfilename: string): string {
  return TEMP_PREFIX + appendfilename + INCR_SUFFIX;
}

/**
 * The manifest in memory (aofManifest). Mutators mark it dirty; persistManifest() writes a
 * dirty one. Copy it (clone) before a change that may have to be rolled back, as Redis does.
 */
export class AofManifest {
  base: AofInfo | null = null;
  incrs: AofInfo[] = [];
  history: AofInfo[] = [];
  currBaseSeq = 0;
  currIncrSeq = 0;
  dirty = false;

  clone(): AofManifest {
    const m = new AofManifest();
    m.base = this.base === null ? null : { ...this.base };
    m.incrs = this.incrs.map((a) => ({ ...a }));
    m.history = this.history.map((a) => ({ ...a }));
    m.currBaseSeq = this.currBaseSeq;
    m.currIncrSeq = this.currIncrSeq;
    m.dirty = this.dirty;
    return m;
  }

  /** True when it lists neither a BASE nor an INCR (nothing to load). */
  get empty(): boolean {
    return this.base === null && this.incrs.length === 0;
  }

  /** BASE then INCRs: the files a load reads, in order. */
  loadOrder(): AofInfo[] {
    return this.base === null ? [...this.incrs] : [this.base, ...this.incrs];
  }

  /** The manifest text (getAofManifestAsString): BASE, HISTORY, INCR lines. */
  toString(): string {
    let s = '';
    if (this.base !== null) s += formatAofInfo(this.base);
    for (const h of this.history) s += formatAofInfo(h);
    for (const i of this.incrs) s += formatAofInfo(i);
    return s;
  }

  /**
   * A new BASE name (getNewBaseFileNameAndMarkPreAsHistory): the current BASE becomes the
   * first HISTORY file; the new one is <appendfilename>.<seq+1>.base.rdb (.aof without the
   * RDB preamble). Returns the new name.
   */
  newBase(appendfilename: string, rdbPreamble: boolean): string {
    if (this.base !== null) this.history.unshift({ ...this.base, type: 'h' });
    const seq = ++this.currBaseSeq;
    const name = `${appendfilename}.${seq}${BASE_SUFFIX}${rdbPreamble ? RDB_SUFFIX : AOF_SUFFIX}`;
    this.base = { name, seq, type: 'b' };
    this.dirty = true;
    return name;
  }

  /** A new INCR appended to the list (getNewIncrAofName); returns its name. */
  newIncr(appendfilename: string): string {
    const seq = ++this.currIncrSeq;
    const name = `${appendfilename}.${seq}${INCR_SUFFIX}${AOF_SUFFIX}`;
    this.incrs.push({ name, seq, type: 'i' });
    this.dirty = true;
    return name;
  }

  /** The last INCR's name, or a new INCR when there is none (getLastIncrAofName). */
  lastIncr(appendfilename: string): string {
    const last = this.incrs[this.incrs.length - 1];
    return last === undefined ? this.newIncr(appendfilename) : last.name;
  }

  /**
   * After a successful rewrite (markRewrittenIncrAofAsHistory): every INCR but the one being
   * written (the last, when `keepLast`, i.e. AOF is on) becomes HISTORY, newest first.
   */
  markRewrittenIncrsAsHistory(keepLast: boolean): void {
    if (this.incrs.length === 0) return;
    const kept = keepLast ? this.incrs.slice(-1) : [];
    const done = keepLast ? this.incrs.slice(0, -1) : this.incrs;
    for (const ai of done) this.history.unshift({ ...ai, type: 'h' });
    this.incrs = kept;
    this.dirty = true;
  }
}

/** sdsneedsrepr: a name with a quote, a backslash, a space or a non-printable byte. */
function needsRepr(b: Buffer): boolean {
  for (const c of b) {
    if (c === 0x5c || c === 0x22 || c <= 0x20 || c >= 0x7f) return true;
  }
  return false;
}

/** One manifest line (aofInfoFormat). */
export function formatAofInfo(ai: AofInfo): string {
  const raw = Buffer.from(ai.name, 'utf8');
  const name = needsRepr(raw) ? reprArg(raw) : ai.name;
  return `file ${name} seq ${ai.seq} type ${ai.type}\n`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** A manifest Redis would refuse: the reason (Redis's text), and the line when it has one. */
export class AofManifestError extends Error {
  readonly reason: string;
  /** 1-based line number and its trimmed text, or null (errors not tied to a parsed line). */
  readonly line: number | null;
  readonly text: string | null;
  constructor(file: string, reason: string, line: number | null, text: string | null) {
    super(`Bad AOF manifest ${file}: ${reason}${line === null ? '' : ` (at line ${line}: '${text ?? ''}')`}`);
    this.name = 'AofManifestError';
    this.reason = reason;
    this.line = line;
    this.text = text;
  }
}

/** C atoll: optional blanks and sign, then digits up to the first non-digit; 0 if none. */
function atoll(s: Buffer): number {
  let i = 0;
  while (i < s.length && (s[i] === 0x20 || (s[i] >= 0x09 && s[i] <= 0x0d))) i++;
  let neg = false;
  if (s[i] === 0x2b || s[i] === 0x2d) neg = s[i++] === 0x2d;
  let v = 0;
  while (i < s.length && s[i] >= 0x30 && s[i] <= 0x39) v = v * 10 + (s[i++] - 0x30);
  return neg ? -v : v;
}

/** sdstrim(line, " \t\r\n"). */
function trim(b: Buffer): Buffer {
  const strip = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
  let s = 0;
  let e = b.length;
  while (s < e && strip(b[s])) s++;
  while (e > s && strip(b[e - 1])) e--;
  return b.subarray(s, e);
}

/**
 * Parses manifest text as aofLoadManifestFromFile does: reads it the way fgets with a
 * 1025-byte buffer would (so a line, last one included, must end in '\n' within 1024 bytes),
 * skips '#' comment lines, and refuses with Redis's messages: "Found an empty AOF manifest",
 * "The AOF manifest file contains too long line", "Invalid AOF manifest file format",
 * "File can't be a path, just a filename", "Found duplicate base file information",
 * "Found a non-monotonic sequence number", "Unknown AOF file type". `file` names the manifest
 * in the error. Unknown key/value pairs are ignored (forward compatibility).
 */
export function parseManifest(data: Buffer, file = 'manifest'): AofManifest {
  const am = new AofManifest();
  let maxSeq = 0;
  let linenum = 0;
  let pos = 0;
  for (;;) {
    if (pos >= data.length) {
      if (linenum === 0) throw new AofManifestError(file, 'Found an empty AOF manifest', null, null);
      break;
    }
    // fgets: up to MANIFEST_MAX_LINE bytes, through the first '\n'.
    const nl = data.indexOf(0x0a, pos);
    const end = Math.min(nl < 0 ? data.length : nl + 1, pos + MANIFEST_MAX_LINE);
    const buf = data.subarray(pos, end);
    pos = end;
    linenum++;
    if (buf[0] === 0x23) continue; // '#'
    if (buf.indexOf(0x0a) < 0) throw new AofManifestError(file, 'The AOF manifest file contains too long line', null, null);
    const line = trim(buf);
    const text = line.toString('utf8');
    const fail = (reason: string): never => {
      throw new AofManifestError(file, reason, linenum, text);
    };
    if (line.length === 0) fail('Invalid AOF manifest file format');
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) fail('Invalid AOF manifest file format');
    const args = argv as Buffer[];
    let name: string | null = null;
    let seq = 0;
    let type = 0;
    for (let i = 0; i < args.length; i += 2) {
      const key = args[i].toString('latin1').toLowerCase();
      if (key === 'file') {
        name = args[i + 1].toString('utf8');
        if (name.includes('/') || name.includes('\\')) fail("File can't be a path, just a filename");
      } else if (key === 'seq') {
        seq = atoll(args[i + 1]);
      } else if (key === 'type') {
        type = args[i + 1].length > 0 ? args[i + 1][0] : 0;
      }
    }
    if (name === null || seq === 0 || type === 0) fail('Invalid AOF manifest file format');
    const ai = { name: name as string, seq, type: String.fromCharCode(type) as AofFileType };
    if (ai.type === 'b') {
      if (am.base !== null) fail('Found duplicate base file information');
      am.base = ai;
      am.currBaseSeq = seq;
    } else if (ai.type === 'h') {
      am.history.push(ai);
    } else if (ai.type === 'i') {
      if (seq <= maxSeq) fail('Found a non-monotonic sequence number');
      am.incrs.push(ai);
      am.currIncrSeq = seq;
      maxSeq = seq;
    } else {
      fail('Unknown AOF file type');
    }
  }
  return am;
}

/**
 * Reads and parses the manifest at `path`. Throws AofManifestError (after logging Redis's
 * "*** FATAL AOF MANIFEST FILE ERROR ***" lines through `warn`) on a bad manifest, or the I/O
 * error (logged as Redis's "can't open the AOF manifest file") when it cannot be read.
 */
export function loadManifestFile(path: string, warn: (line: string) => void): AofManifest {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    warn(`Fatal error: can't open the AOF manifest file ${path} for reading: ${strerror(err)}`);
    throw err;
  }
  try {
    return parseManifest(data, path);
  } catch (err) {
    if (err instanceof AofManifestError) {
      warn('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
      if (err.line !== null) {
        warn(`Reading the manifest file, at line ${err.line}\n`);
        warn(`>>> '${err.text ?? ''}'\n`);
      }
      warn(`${err.reason}\n`);
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Where a manifest lives and how its failures are logged. */
export interface ManifestTarget {
  /** The AOF directory (dir/appenddirname). */
  readonly dir: string;
  readonly appendfilename: string;
  readonly warn: (line: string) => void;
}

/**
 * Writes `am` atomically, synchronously (for startup, before clients are served): temp file,
 * fsync, rename over the manifest, fsync of the directory. Logs Redis's message and throws on
 * failure; clears `dirty` on success. A clean manifest is not rewritten.
 */
export function persistManifestSync(am: AofManifest, t: ManifestTarget): void {
  if (!am.dirty) return;
  const tmpName = tempManifestName(t.appendfilename);
  const tmp = join(t.dir, tmpName);
  const target = join(t.dir, manifestName(t.appendfilename));
  const step = (what: (e: unknown) => string, f: () => void): void => {
    try {
      f();
    } catch (e) {
      t.warn(what(e));
      throw e;
    }
  };
  let fd = -1;
  try {
    step((e) => `Can't open the AOF manifest file ${tmpName}: ${strerror(e)}`, () => (fd = openSync(tmp, 'w', 0o644)));
    const buf = Buffer.from(am.toString(), 'utf8');
    step(
      (e) => `Error trying to write the temporary AOF manifest file ${tmpName}: ${strerror(e)}`,
      () => {
        for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
      },
    );
    step((e) => `Fail to fsync the temp AOF file ${tmpName}: ${strerror(e)}.`, () => fsyncSync(fd));
    step(
      (e) => `Error trying to rename the temporary AOF manifest file ${tmpName} into ${manifestName(t.appendfilename)}: ${strerror(e)}`,
      () => renameSync(tmp, target),
    );
    step((e) => `Fail to fsync AOF directory ${target}: ${strerror(e)}.`, () => fsyncDirSync(t.dir));
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  am.dirty = false;
}

/** persistManifestSync off the event loop (thread-pool file calls): for use while serving. */
export async function persistManifest(am: AofManifest, t: ManifestTarget): Promise<void> {
  if (!am.dirty) return;
  const text = am.toString();
  const tmpName = tempManifestName(t.appendfilename);
  const tmp = join(t.dir, tmpName);
  const target = join(t.dir, manifestName(t.appendfilename));
  const step = async (what: (e: unknown) => string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      t.warn(what(e));
      throw e;
    }
  };
  let fh: fsp.FileHandle | null = null;
  try {
    await step((e) => `Can't open the AOF manifest file ${tmpName}: ${strerror(e)}`, async () => (fh = await fsp.open(tmp, 'w', 0o644)));
    const h = fh as unknown as fsp.FileHandle;
    await step((e) => `Error trying to write the temporary AOF manifest file ${tmpName}: ${strerror(e)}`, () => h.writeFile(text));
    await step((e) => `Fail to fsync the temp AOF file ${tmpName}: ${strerror(e)}.`, () => h.sync());
    await step(
      (e) => `Error trying to rename the temporary AOF manifest file ${tmpName} into ${manifestName(t.appendfilename)}: ${strerror(e)}`,
      () => fsp.rename(tmp, target),
    );
    await step((e) => `Fail to fsync AOF directory ${target}: ${strerror(e)}.`, async () => {
      const d = await fsp.open(t.dir, fsc.O_RDONLY);
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    });
  } finally {
    if (fh !== null) await (fh as fsp.FileHandle).close();
  }
  am.dirty = false;
}

/** fsync of a directory (fsyncFileDir), so a rename or a new file in it is durable. */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, fsc.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** C strerror() texts for the errors file I/O reports; Node's message otherwise. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
  EROFS: 'Read-only file system',
  EFBIG: 'File too large',
  EBADF: 'Bad file descriptor',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  EMFILE: 'Too many open files',
  EINVAL: 'Invalid argument',
};

/** The strerror() text of an I/O error (its errno code), as Redis's log lines print it. */
export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && STRERROR[code] !== undefined) return STRERROR[code];
  return err instanceof Error ? err.message : String(err);
}
