// Unit tests for the error catalog (src/lib/errors.ts): every entry is a well-formed RESP error
// text, the builders produce Redis's wording, and no other source file spells an error reply
// inline (CONVENTIONS rule 8: one catalog).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Err, ProtocolErr } from '../../src/lib/errors.js';

/** Error codes a reply may start with (Redis's prefixes, plus the text-only ones it sends). */
const CODES =
  'ERR|WRONGTYPE|NOAUTH|WRONGPASS|NOPROTO|LOADING|OOM|READONLY|EXECABORT|BUSY|NOSCRIPT|CROSSSLOT|TRYAGAIN|' +
  'CLUSTERDOWN|MASTERDOWN|NOREPLICAS|NOMASTERLINK|UNBLOCKED|DENIED|MOVED|ASK|NOPERM|BUSYKEY|BUSYGROUP|NOGROUP|MISCONF|' +
  'INPROG|NOGOODSLAVE|NOQUORUM';

/** Every catalog entry as text; builders are called with placeholder arguments. */
function catalogTexts(): [string, string][] {
  return Object.entries(Err).map(([k, v]): [string, string] => {
    if (typeof v === 'string') return [k, v];
    const args = Array.from({ length: v.length }, (_, i) => `a${i}`);
    return [k, (v as (...a: string[]) => string)(...args)];
  });
}

test('every entry starts with an error code and holds no CR or LF', () => {
  const code = new RegExp(`^(?:${CODES}) \\S`);
  const texts = catalogTexts();
  assert.ok(texts.length > 100);
  for (const [k, t] of texts) {
    // Redis's shared.err: the bare code, which SAVE answers when the save failed.
    if (k === 'bareErr') {
      assert.equal(t, 'ERR');
      continue;
    }
    assert.match(t, code, k);
    assert.doesNotMatch(t, /[\r\n]/, k);
  }
  for (const [k, v] of Object.entries(ProtocolErr)) {
    const t = typeof v === 'string' ? v : v('x');
    assert.doesNotMatch(t, /[\r\n]/, k);
    assert.match(Err.protocol(t), /^ERR Protocol error: [a-z]/, k);
  }
});

test('no two constant entries share a text', () => {
  const seen = new Map<string, string>();
  for (const [k, v] of Object.entries(Err)) {
    if (typeof v !== 'string') continue;
    assert.equal(seen.get(v), undefined, `${k} duplicates ${seen.get(v) ?? ''}`);
    seen.set(v, k);
  }
});

test('builders word the texts as Redis does', () => {
  assert.equal(Err.intRange, 'ERR value is out of range, value must between -2147483648 and 2147483647');
  assert.equal(
    Err.longRange,
    'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  );
  assert.equal(Err.valueRange(0n, 10), 'ERR value is out of range, value must between 0 and 10');
  const abort = 'EXECABORT Transaction discarded because of: ';
  assert.equal(Err.execAbortBecause(Err.notInMulti), `${abort}Command not allowed inside a transaction`);
  assert.equal(Err.execAbortBecause(Err.noAuth), `${abort}NOAUTH Authentication required.`);
  const longSub = Err.subcommandSyntax('x'.repeat(200), 'CLIENT');
  assert.equal(longSub, `ERR unknown subcommand or wrong number of arguments for '${'x'.repeat(128)}'. Try CLIENT HELP.`);
  assert.equal(ProtocolErr.expectedDollar('x'), "expected '$', got 'x'");
});

/** The repository root: the nearest ancestor of this file holding src/lib/errors.ts. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'src', 'lib', 'errors.ts'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('repository root not found');
}

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tsFiles(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('no source file outside the catalog spells an error reply', () => {
  const root = repoRoot();
  const literal = new RegExp(`['"\`]-?(?:${CODES}) `);
  const offenders: string[] = [];
  for (const file of tsFiles(join(root, 'src'))) {
    const rel = relative(root, file);
    if (rel === join('src', 'lib', 'errors.ts')) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/^\s*(?:\/\/|\*|\/\*)/.test(line)) return; // comments may quote errors
        if (literal.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, []);
});
