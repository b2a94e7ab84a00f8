// The AOF writer (persistence/aof/aof-writer.ts) against a real file: offsets, the three
// appendfsync policies, file switches, and write / fsync errors injected into the file calls.
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AofWriter, nodeFileOps, openForAppendSync, type AofFileOps, type FsyncPolicy } from '../../src/server/persistence/aof/aof-writer.js';
import { Logger } from '../../src/server/observability/logger.js';
import { until } from '../helpers/poll.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'shoal-aofw-'));
  dirs.push(d);
  return d;
};

/** Polls cond every few ms until true; fails after 5 s. */
/** File calls that count fsyncs and can be made to fail or to hold an fsync until released. */
class Faulty implements AofFileOps {
  fsyncs = 0;
  writes = 0;
  failWrites: string | null = null;
  shortWrite = false;
  failFsync: string | null = null;
  holdFsync = false;
  #held: Array<() => void> = [];
  truncated: number[] = [];
  open = nodeFileOps.open;
  close = nodeFileOps.close;
  async write(fd: number, buf: Buffer, off: number, len: number): Promise<number> {
    this.writes++;
    if (this.failWrites !== null) throw Object.assign(new Error(this.failWrites), { code: this.failWrites });
    if (this.shortWrite) {
      this.shortWrite = false;
      const n = await nodeFileOps.write(fd, buf, off, Math.max(1, len >> 1));
      this.failWrites = 'ENOSPC';
      return n;
    }
    return nodeFileOps.write(fd, buf, off, len);
  }
  async fsync(fd: number): Promise<void> {
    this.fsyncs++;
    if (this.holdFsync) await new Promise<void>((r) => this.#held.push(r));
    if (this.failFsync !== null) throw Object.assign(new Error(this.failFsync), { code: this.failFsync });
    return nodeFileOps.fsync(fd);
  }
  async ftruncate(fd: number, len: number): Promise<void> {
    this.truncated.push(len);
    return nodeFileOps.ftruncate(fd, len);
  }
  release(): void {
    this.holdFsync = false;
    for (const r of this.#held.splice(0)) r();
  }
}

function setup(policy: FsyncPolicy, existing = 0): { w: AofWriter; ops: Faulty; file: string; clock: { t: number }; logs: string[] } {
  const file = path.join(tmp(), 'appendonly.aof.1.incr.aof');
  const { fd, size } = openForAppendSync(file);
  const ops = new Faulty();
  const clock = { t: 1_700_000_000_000 };
  const log = new Logger();
  log.setFile('/dev/null');
  const logs: string[] = [];
  log.sink = (l) => logs.push(l);
  const w = new AofWriter(
    { fd, incrSize: size, currentSize: existing + size, baseSize: existing },
    { fsync: policy, log, now: () => clock.t, ops, timer: false },
  );
  return { w, ops, file, clock, logs };
}

describe('AOF writer', () => {
  it('appends in order, batching one event-loop turn, and tracks offsets from the AOF size', async () => {
    const { w, file } = setup('no', 100);
    assert.equal(w.currentSize, 100);
    const a = w.append(Buffer.from('*1\r\n$4\r\nPING\r\n'));
    assert.equal(a, 114);
    const b = w.append(Buffer.from('abc'));
    assert.equal(b, 117);
    assert.equal(w.bufferLength, 17);
    assert.equal(w.writtenOffset, 100);
    await w.drained();
    assert.equal(w.writtenOffset, 117);
    assert.equal(w.bufferLength, 0);
    assert.equal(w.incrSize, 17);
    assert.equal(readFileSync(file, 'latin1'), '*1\r\n$4\r\nPING\r\nabc');
    for (let i = 0; i < 50; i++) w.append(Buffer.from(String(i % 10)));
    await w.drained();
    assert.equal(readFileSync(file, 'latin1').slice(17), '01234567890123456789012345678901234567890123456789');
    assert.equal(w.syncedOffset, 100, 'appendfsync no never fsyncs');
    await w.close();
    assert.equal(w.syncedOffset, w.writtenOffset, 'close fsyncs');
  });

  it('always: fsyncs every batch and calls back when the offset is synced', async () => {
    const { w, ops } = setup('always');
    const seen: number[] = [];
    const off1 = w.append(Buffer.from('one'));
    w.onSynced(off1, () => seen.push(w.syncedOffset));
    const off2 = w.append(Buffer.from('two'));
    w.onSynced(off2, () => seen.push(off2));
    await w.synced(off2);
    assert.ok(ops.fsyncs >= 1);
    assert.deepEqual(seen.length, 2);
    assert.ok(seen[0] >= off1);
    const before = ops.fsyncs;
    w.onSynced(w.append(Buffer.from('three')), () => seen.push(-1));
    await w.synced();
    assert.equal(ops.fsyncs, before + 1);
    assert.equal(seen[2], -1);
    let immediate = false;
    w.onSynced(3, () => (immediate = true));
    assert.ok(immediate, 'an offset already synced calls back at once');
    await w.close();
  });

  it('everysec: at most one fsync per second, even with nothing more to write', async () => {
    const { w, ops, clock } = setup('everysec');
    w.append(Buffer.from('a'));
    await w.drained();
    assert.equal(ops.fsyncs, 0, 'same second as the start: no fsync yet');
    clock.t += 1000;
    w.cron();
    await until(() => ops.fsyncs === 1 && w.pendingBioFsync === 0, { what: 'the idle fsync', ms: 5000, every: 2 });
    assert.equal(w.syncedOffset, 1);
    for (let i = 0; i < 20; i++) {
      w.append(Buffer.from('b'));
      await w.drained();
    }
    assert.equal(ops.fsyncs, 1, 'still the same second');
    clock.t += 1000;
    w.cron();
    await until(() => w.syncedOffset === 21, { what: 'the next second\'s fsync', ms: 5000, every: 2 });
    assert.equal(ops.fsyncs, 2);
    await w.close();
  });

  it('everysec: postpones writes behind a running fsync for up to 2 seconds, then counts a delayed fsync', async () => {
    const { w, ops, clock, logs, file } = setup('everysec');
    w.append(Buffer.from('x'));
    await w.drained();
    clock.t += 1000;
    ops.holdFsync = true;
    w.cron();
    await until(() => w.pendingBioFsync === 1, { what: 'the fsync to start', ms: 5000, every: 2 });
    w.append(Buffer.from('y'));
    await new Promise((r) => setImmediate(r));
    w.cron();
    assert.equal(w.bufferLength, 1, 'postponed while the fsync runs');
    clock.t += 1000;
    w.cron();
    assert.equal(w.bufferLength, 1, 'less than 2 seconds: still postponed');
    clock.t += 1000;
    w.cron();
    await until(() => w.bufferLength === 0, { what: 'the forced write', ms: 5000, every: 2 });
    assert.equal(w.delayedFsync, 1);
    assert.ok(logs.some((l) => l.includes('Asynchronous AOF fsync is taking too long (disk is busy?)')));
    ops.release();
    await until(() => w.pendingBioFsync === 0, { what: 'the fsync to end', ms: 5000, every: 2 });
    assert.equal(readFileSync(file, 'latin1'), 'xy');
    await w.close();
  });

  it('a failed write keeps the bytes, reports err, and recovers on a later try', async () => {
    const { w, ops, file, logs } = setup('everysec');
    ops.failWrites = 'ENOSPC';
    w.append(Buffer.from('hello'));
    await until(() => w.lastWriteStatus === 'err', { what: 'the error', ms: 5000, every: 2 });
    assert.equal(w.writeError(), 'No space left on device');
    assert.equal(w.bufferLength, 5);
    assert.ok(logs.some((l) => l.includes('Error writing to the AOF file: No space left on device')));
    ops.failWrites = null;
    w.cron();
    await until(() => w.lastWriteStatus === 'ok', { what: 'the recovery', ms: 5000, every: 2 });
    await w.drained();
    assert.equal(readFileSync(file, 'latin1'), 'hello');
    assert.ok(logs.some((l) => l.includes('AOF write error looks solved, Redis can write again.')));
    assert.equal(w.writeError(), null);
    await w.close();
  });

  it('a short write is cut back with ftruncate and retried whole', async () => {
    const { w, ops, file, logs } = setup('no');
    w.append(Buffer.from('0123456789'));
    await w.drained();
    ops.shortWrite = true;
    w.append(Buffer.from('abcdefgh'));
    await until(() => w.lastWriteStatus === 'err', { what: 'the short write', ms: 5000, every: 2 });
    assert.deepEqual(ops.truncated, [10]);
    assert.equal(readFileSync(file, 'latin1'), '0123456789');
    assert.ok(logs.some((l) => l.includes('Short write while writing to the AOF file: (nwritten=4, expected=8)')));
    assert.equal(w.writeError(), 'No space left on device');
    ops.failWrites = null;
    w.cron();
    await w.drained();
    assert.equal(readFileSync(file, 'latin1'), '0123456789abcdefgh');
    await w.close();
  });

  it('a failed background fsync sets the status (logged once); always makes write errors fatal', async () => {
    const { w, ops, clock, logs } = setup('everysec');
    ops.failFsync = 'EIO';
    w.append(Buffer.from('a'));
    await w.drained();
    clock.t += 1000;
    w.cron();
    await until(() => w.lastWriteStatus === 'err', { what: 'the fsync error', ms: 5000, every: 2 });
    assert.equal(w.writeError(), 'Input/output error');
    assert.equal(logs.filter((l) => l.includes('Fail to fsync the AOF file: Input/output error')).length, 1);
    ops.failFsync = null;
    clock.t += 1000;
    w.cron();
    await until(() => w.lastWriteStatus === 'ok', { what: 'a good fsync', ms: 5000, every: 2 });
    await w.close();

    const s = setup('always');
    let fatal = '';
    const w2 = new AofWriter(
      { fd: openForAppendSync(s.file).fd, incrSize: 0, currentSize: 0, baseSize: 0 },
      { fsync: 'always', log: new Logger(), now: () => 0, ops: s.ops, timer: false, onFatal: (r) => (fatal = r) },
    );
    s.ops.failWrites = 'EIO';
    w2.append(Buffer.from('z'));
    await until(() => fatal !== '', { what: 'the fatal error', ms: 5000, every: 2 });
    assert.equal(fatal, "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
    await w2.close();
    await s.w.close();
  });

  it('rotate: bytes before the switch go to the old file, after it to the new one', async () => {
    const { w, file } = setup('everysec');
    const next = path.join(path.dirname(file), 'appendonly.aof.2.incr.aof');
    w.append(Buffer.from('old1 '));
    let committed = false;
    let at = -1;
    const p = w.rotate(
      next,
      async () => {
        committed = true;
        w.append(Buffer.from('old2 ')); // still before the switch
      },
      () => (at = w.appendedOffset),
    );
    await p;
    assert.ok(committed);
    assert.equal(at, 10);
    w.append(Buffer.from('new1'));
    await w.drained();
    await until(() => w.incrSize === 4, { what: 'the switch', ms: 5000, every: 2 });
    assert.equal(readFileSync(file, 'latin1'), 'old1 old2 ');
    assert.equal(readFileSync(next, 'latin1'), 'new1');
    assert.equal(w.currentSize, 14);
    await assert.rejects(
      w.rotate(path.join(path.dirname(file), 'x'), async () => {
        throw new Error('manifest failed');
      }),
      /manifest failed/,
    );
    w.append(Buffer.from('+'));
    await w.close();
    assert.equal(readFileSync(next, 'latin1'), 'new1+', 'a failed rotate changes nothing');
  });
});
