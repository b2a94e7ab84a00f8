// The AOF manifest (persistence/aof/manifest.ts): Redis 7.0's text format both ways, its name
// rules, and every error aofLoadManifestFromFile reports, with its exact message.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AofManifest,
  AofManifestError,
  formatAofInfo,
  loadManifestFile,
  parseManifest,
  persistManifest,
  persistManifestSync,
} from '../../src/server/persistence/aof/manifest.js';

const parse = (s: string): AofManifest => parseManifest(Buffer.from(s, 'utf8'));

function refuses(text: string | Buffer, reason: string, line: number | null = null): void {
  assert.throws(
    () => parseManifest(typeof text === 'string' ? Buffer.from(text) : text),
    (e: unknown) => {
      assert.ok(e instanceof AofManifestError);
      assert.equal(e.reason, reason);
      assert.equal(e.line, line);
      return true;
    },
  );
}

describe('AOF manifest', () => {
  it('parses what Redis writes and writes it back identically', () => {
    const text =
      'file appendonly.aof.2.base.rdb seq 2 type b\n' +
      'file appendonly.aof.1.incr.aof seq 1 type h\n' +
      'file appendonly.aof.2.incr.aof seq 2 type h\n' +
      'file appendonly.aof.3.incr.aof seq 3 type i\n' +
      'file appendonly.aof.4.incr.aof seq 4 type i\n';
    const am = parse(text);
    assert.deepEqual(am.base, { name: 'appendonly.aof.2.base.rdb', seq: 2, type: 'b' });
    assert.deepEqual(am.history.map((h) => h.seq), [1, 2]);
    assert.deepEqual(am.incrs.map((h) => h.name), ['appendonly.aof.3.incr.aof', 'appendonly.aof.4.incr.aof']);
    assert.equal(am.currBaseSeq, 2);
    assert.equal(am.currIncrSeq, 4);
    assert.equal(am.toString(), text);
    assert.deepEqual(am.loadOrder().map((f) => f.seq), [2, 3, 4]);
  });

  it('orders BASE, HISTORY, INCR on output whatever the input order; skips comments; ignores unknown pairs', () => {
    const am = parse('# a comment\nfile b.1.incr.aof seq 1 type i\nfile b.1.base.aof seq 1 type b extra v\nfile h seq 9 type h\n');
    assert.equal(am.toString(), 'file b.1.base.aof seq 1 type b\nfile h seq 9 type h\nfile b.1.incr.aof seq 1 type i\n');
    assert.equal(parse('FILE x SEQ 3 TYPE i\n').incrs[0].seq, 3);
  });

  it('quotes names that need it (sdscatrepr) and reads them back', () => {
    for (const name of ['with space.aof', 'q"uote', 'tab\there', 'nl\nname', 'é-utf8', '\u0001ctl']) {
      const line = formatAofInfo({ name, seq: 1, type: 'i' });
      assert.ok(line.startsWith('file "'), line);
      assert.equal(parse(line).incrs[0].name, name);
    }
    assert.equal(formatAofInfo({ name: 'plain.aof', seq: 7, type: 'b' }), 'file plain.aof seq 7 type b\n');
  });

  it('builds names as Redis does and moves files to HISTORY after a rewrite', () => {
    const am = new AofManifest();
    assert.equal(am.newBase('appendonly.aof', true), 'appendonly.aof.1.base.rdb');
    assert.equal(am.lastIncr('appendonly.aof'), 'appendonly.aof.1.incr.aof');
    assert.equal(am.lastIncr('appendonly.aof'), 'appendonly.aof.1.incr.aof');
    assert.equal(am.newIncr('appendonly.aof'), 'appendonly.aof.2.incr.aof');
    assert.equal(am.newBase('appendonly.aof', false), 'appendonly.aof.2.base.aof');
    am.markRewrittenIncrsAsHistory(true);
    assert.equal(
      am.toString(),
      'file appendonly.aof.2.base.aof seq 2 type b\n' +
        'file appendonly.aof.1.incr.aof seq 1 type h\n' +
        'file appendonly.aof.1.base.rdb seq 1 type h\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const c = am.clone();
    c.newIncr('appendonly.aof');
    assert.equal(am.incrs.length, 1, 'a clone is independent');
  });

  it('refuses every malformed manifest with Redis\'s message', () => {
    refuses('', 'Found an empty AOF manifest');
    refuses('file a seq 1 type b', 'The AOF manifest file contains too long line'); // no final newline
    refuses(`file ${'x'.repeat(1100)} seq 1 type b\n`, 'The AOF manifest file contains too long line');
    refuses('\n', 'Invalid AOF manifest file format', 1);
    refuses('   \t\n', 'Invalid AOF manifest file format', 1);
    refuses('file a seq 1\n', 'Invalid AOF manifest file format', 1);
    refuses('file a seq 1 type b x\n', 'Invalid AOF manifest file format', 1);
    refuses('file "a seq 1 type b\n', 'Invalid AOF manifest file format', 1);
    refuses('file a seq 0 type b\n', 'Invalid AOF manifest file format', 1);
    refuses('file a seq x type b\n', 'Invalid AOF manifest file format', 1);
    refuses('file a seq 1 type ""\n', 'Invalid AOF manifest file format', 1);
    refuses('name a seq 1 type b\n', 'Invalid AOF manifest file format', 1);
    refuses('file dir/a seq 1 type b\n', "File can't be a path, just a filename", 1);
    refuses('file dir\\\\a seq 1 type b\n'.replace('\\\\', '\\'), "File can't be a path, just a filename", 1);
    refuses('file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information', 2);
    refuses('file a seq 2 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number', 2);
    refuses('file a seq 3 type i\nfile b seq 1 type i\n', 'Found a non-monotonic sequence number', 2);
    refuses('file a seq 1 type x\n', 'Unknown AOF file type', 1);
    // A comment-only manifest is valid and lists nothing.
    assert.equal(parse('# nothing\n').empty, true);
  });

  it('logs the FATAL block and names file and line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shoal-manifest-'));
    try {
      const p = path.join(dir, 'appendonly.aof.manifest');
      writeFileSync(p, 'file a seq 1 type b\nfile b seq 1 type q\n');
      const lines: string[] = [];
      assert.throws(() => loadManifestFile(p, (l) => lines.push(l)), /Bad AOF manifest .*appendonly\.aof\.manifest: Unknown AOF file type \(at line 2/);
      assert.deepEqual(lines, [
        '\n*** FATAL AOF MANIFEST FILE ERROR ***\n',
        'Reading the manifest file, at line 2\n',
        ">>> 'file b seq 1 type q'\n",
        'Unknown AOF file type\n',
      ]);
      assert.throws(() => loadManifestFile(path.join(dir, 'missing'), (l) => lines.push(l)), /ENOENT/);
      assert.match(lines[lines.length - 1], /^Fatal error: can't open the AOF manifest file .*missing for reading: No such file or directory$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('persists atomically (sync and async) and leaves no temp file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shoal-manifest-'));
    try {
      const am = new AofManifest();
      am.newBase('appendonly.aof', true);
      am.newIncr('appendonly.aof');
      const t = { dir, appendfilename: 'appendonly.aof', warn: () => {} };
      persistManifestSync(am, t);
      assert.equal(am.dirty, false);
      const file = path.join(dir, 'appendonly.aof.manifest');
      assert.equal(readFileSync(file, 'utf8'), am.toString());
      am.newIncr('appendonly.aof');
      await persistManifest(am, t);
      assert.equal(parseManifest(readFileSync(file)).incrs.length, 2);
      assert.deepEqual(readdirSync(dir), ['appendonly.aof.manifest']);
      const warned: string[] = [];
      am.dirty = true;
      await assert.rejects(persistManifest(am, { ...t, dir: path.join(dir, 'nope'), warn: (l) => warned.push(l) }));
      assert.match(warned[0], /^Can't open the AOF manifest file temp-appendonly\.aof\.manifest: No such file or directory$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
