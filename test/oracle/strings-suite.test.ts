// Oracle tests derived from the edge cases of Redis's own test suite for strings and counters
// (tests/unit/type/string.tcl, tests/unit/type/incr.tcl, and the SET/GETEX cases of
// tests/unit/expire.tcl). Each case replays the scenario against Shoal and a real
// redis-server and compares the raw replies byte for byte. Cases that need replication,
// DEBUG RELOAD/LOADAOF, lists/sets/hashes/zsets or commands newer than 7.0 are left out;
// large loops are scaled down and random ones use a fixed seed.
//   Beyond the suite's own cases: a seeded differential fuzz over the same commands (RESP2,
// RESP3, and with INFO after every command so hit/miss/expiry, dirty, commandstats and
// errorstats counters must move as Redis's do), limits under a small proto-max-bulk-len, and
// which commands touch a key's access clock (OBJECT IDLETIME, and OBJECT FREQ under LFU).
// STRINGS_FUZZ_SEEDS=1,2,... runs more fuzz seeds.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { encodeCommand } from '../helpers/raw-client.js';
import { withOracle, type OracleContext, type Step } from '../helpers/oracle.js';
import { createRng } from '../../src/lib/rng.js';


/** A raw step that pipelines many commands and reads every reply. */
function pipeline(cmds: string[][]): Step {
  const raw = Buffer.concat(cmds.map((c) => encodeCommand(c)));
  return { cmd: raw.toString('latin1'), replies: cmds.length, note: `${cmds.length} pipelined` };
}

const RNA1 =
  'CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG';
const RNA2 =
  'ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT';

/** 256 bytes of hex text: incompressible enough to exercise serialized lengths. */
const ALL_BYTES_HEX = Buffer.from(Array.from({ length: 128 }, (_, i) => (i * 37) & 255)).toString('hex');

/** DEBUG OBJECT fields that depend on the process (address) or the clock. */
const debugNormalize = (raw: string): string =>
  raw.replace(/at:0x[0-9a-f]+/, 'at:X').replace(/ lru:\d+/, ' lru:X').replace(/lru_seconds_idle:\d+/, 'lru_seconds_idle:X');

withOracle('oracle: strings (Redis test suite cases)', { config: { 'enable-debug-command': 'yes' } }, (o) => {
  // ------------------------------------------------------------------------------------------
  // string.tcl: SET / GET

  it('SET and GET an item, an empty item, a 4 MB payload', () =>
    o.compare([
      ['SET', 'x', 'foobar'],
      ['GET', 'x'],
      ['SET', 'x', ''],
      ['GET', 'x'],
      ['SET', 'foo', 'abcd'.repeat(1_000_000)],
      ['GET', 'foo'],
      ['STRLEN', 'foo'],
      ['OBJECT', 'ENCODING', 'foo'],
    ]));

  it('big payload random access (scaled down)', () => {
    const r = createRng(1);
    const steps: Step[] = [];
    for (let j = 0; j < 20; j++) steps.push(['SET', `bigpayload_${j}`, `pl-${j}`.repeat(1 + r.int(20_000))]);
    for (let j = 0; j < 60; j++) steps.push(['GET', `bigpayload_${r.int(20)}`]);
    return o.compare(steps);
  });

  it('SET numeric keys (3000 of the suite\'s 10000) and read them in reverse order; DBSIZE', () => {
    const sets: string[][] = [];
    const gets: string[][] = [];
    for (let x = 0; x < 3_000; x++) sets.push(['SET', String(x), String(x)]);
    for (let x = 2_999; x >= 0; x--) gets.push(['GET', String(x)]);
    return o.compare([pipeline(sets), pipeline(gets), ['DBSIZE'], ['OBJECT', 'ENCODING', '2999'], ['OBJECT', 'REFCOUNT', '2999']]);
  });

  // ------------------------------------------------------------------------------------------
  // SETNX

  it('SETNX: missing key, existing key, volatile key, expired volatile key', () =>
    o.compare([
      ['DEL', 'novar'],
      ['SETNX', 'novar', 'foobared'],
      ['GET', 'novar'],
      ['SETNX', 'novar', 'blabla'],
      ['GET', 'novar'],
      ['SET', 'x', '10'],
      ['EXPIRE', 'x', '10000'],
      ['SETNX', 'x', '20'],
      ['GET', 'x'],
      ['SET', 'y', '10'],
      ['PEXPIRE', 'y', '30'],
      { pause: 80 },
      ['SETNX', 'y', '20'],
      ['GET', 'y'],
      ['TTL', 'y'],
    ]));

  // ------------------------------------------------------------------------------------------
  // GETEX / GETDEL

  it('GETEX EX / PX / EXAT / PXAT / PERSIST / no option', () => {
    const nowS = Math.floor(Date.now() / 1000);
    const nowMs = Date.now();
    return o.compare([
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'ex', '10'],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'px', '10000'],
      { cmd: ['PTTL', 'foo'], approx: 200 },
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'exat', String(nowS + 10)],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'pxat', String(nowMs + 10_000)],
      { cmd: ['PTTL', 'foo'], approx: 500 },
      ['SET', 'foo', 'bar', 'ex', '10'],
      { cmd: ['TTL', 'foo'], approx: true },
      ['GETEX', 'foo', 'persist'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['GETEX', 'foo', 'PERSIST'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo'],
      ['GETEX', 'foo'],
      ['TTL', 'foo'],
    ]);
  });

  it('GETEX syntax errors, no arguments, expired key', () =>
    o.compare([
      ['GETEX', 'foo', 'non-existent-option'],
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'non-existent-option'],
      ['GETEX'],
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar', 'px', '1'],
      { pause: 10 },
      ['GETEX', 'foo'],
      ['GET', 'foo'],
      ['EXISTS', 'foo'],
    ]));

  it('GETEX / SET with out-of-range expire times (expire.tcl)', () =>
    o.compare([
      ['SET', 'foo', 'bar', 'EX', '10000000000000000'],
      ['SET', 'foo', 'bar', 'EX', '-9999999999999999'],
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'EX', '10000000000000000'],
      ['GETEX', 'foo', 'EX', '-9999999999999999'],
      ['GETEX', 'foo', 'PX', '9223372036854770000'],
      ['GETEX', 'foo', 'PXAT', '9223372036854770000'],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'EXAT', String(Math.floor(Date.now() / 1000) - 100)],
      ['EXISTS', 'foo'],
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['SET', 'foo', 'bar'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['SET', 'foo', 'bar', 'KEEPTTL'],
      { cmd: ['TTL', 'foo'], approx: true },
    ]));

  it('GETDEL', () =>
    o.compare([
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['GETDEL', 'foo'],
      ['GETDEL', 'foo'],
      ['EXISTS', 'foo'],
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['GETDEL', 'foo'],
      ['TTL', 'foo'],
    ]));

  // ------------------------------------------------------------------------------------------
  // MGET / GETSET / MSET / MSETNX

  it('MGET, MGET against missing keys', () =>
    o.compare([
      ['SET', 'foo{t}', 'BAR'],
      ['SET', 'bar{t}', 'FOO'],
      ['MGET', 'foo{t}', 'bar{t}'],
      ['MGET', 'foo{t}', 'baazz{t}', 'bar{t}'],
    ]));

  it('GETSET (set new value, replace old value)', () =>
    o.compare([
      ['DEL', 'foo'],
      ['GETSET', 'foo', 'xyz'],
      ['GET', 'foo'],
      ['SET', 'foo', 'bar'],
      ['GETSET', 'foo', 'xyz'],
      ['GET', 'foo'],
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['GETSET', 'foo', '12'],
      ['TTL', 'foo'],
      ['OBJECT', 'ENCODING', 'foo'],
    ]));

  it('MSET base case, wrong number of args, same key twice; MSETNX cases', () =>
    o.compare([
      ['MSET', 'x{t}', '10', 'y{t}', 'foo bar', 'z{t}', 'x x x x x x x\n\n\r\n'],
      ['MGET', 'x{t}', 'y{t}', 'z{t}'],
      ['MSET', 'x{t}', '10', 'y{t}', 'foo bar', 'z{t}'],
      ['MSETNX', 'x{t}', '20', 'y{t}', 'foo bar', 'z{t}'],
      ['SET', 'x{t}', 'x'],
      ['MSET', 'x{t}', 'xxx', 'x{t}', 'yyy'],
      ['GET', 'x{t}'],
      ['MSETNX', 'x1{t}', 'xxx', 'y2{t}', 'yyy', 'x{t}', '20'],
      ['EXISTS', 'x1{t}'],
      ['EXISTS', 'y2{t}'],
      ['MSETNX', 'x1{t}', 'xxx', 'y2{t}', 'yyy'],
      ['GET', 'x1{t}'],
      ['GET', 'y2{t}'],
      ['DEL', 'x1{t}'],
      ['MSETNX', 'x1{t}', 'xxx', 'x1{t}', 'yyy'],
      ['GET', 'x1{t}'],
      ['MSETNX', 'x1{t}', 'xxx', 'x1{t}', 'zzz'],
      ['GET', 'x1{t}'],
      ['SET', 'v{t}', 'old', 'EX', '100'],
      ['MSET', 'v{t}', 'new'],
      ['TTL', 'v{t}'],
    ]));

  it('commands newer than 7.0 are refused as 7.0 refuses them', () =>
    o.compare([
      ['MSETEX', 'keys', '1', 'k', 'v', 'ex', '5'],
      ['SET', 'mykey', 'hello'],
      ['SET', 'mykey', 'world', 'IFEQ', 'hello'],
      ['GET', 'mykey'],
      ['DIGEST', 'mykey'],
      ['DELEX', 'mykey'],
    ]));

  // ------------------------------------------------------------------------------------------
  // STRLEN / APPEND / encodings

  it('STRLEN against missing key, integer-encoded value, plain string', () =>
    o.compare([
      ['STRLEN', 'notakey'],
      ['SET', 'myinteger', '-555'],
      ['OBJECT', 'ENCODING', 'myinteger'],
      ['STRLEN', 'myinteger'],
      ['SET', 'mystring', 'foozzz0123456789 baz'],
      ['STRLEN', 'mystring'],
    ]));

  it('APPEND modifies the encoding from int to raw', () =>
    o.compare([
      ['DEL', 'foo'],
      ['SET', 'foo', '1'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['APPEND', 'foo', '2'],
      ['GET', 'foo'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['SET', 'bar', '12'],
      ['OBJECT', 'ENCODING', 'bar'],
      ['GET', 'bar'],
      ['APPEND', 'new', '12'],
      ['OBJECT', 'ENCODING', 'new'],
      ['APPEND', 'new', ''],
      ['OBJECT', 'ENCODING', 'new'],
      ['SET', 'e', 'abc'],
      ['OBJECT', 'ENCODING', 'e'],
      ['APPEND', 'e', ''],
      ['OBJECT', 'ENCODING', 'e'],
    ]));

  // ------------------------------------------------------------------------------------------
  // SETRANGE

  it('SETRANGE against non-existing key', () =>
    o.compare([
      ['DEL', 'mykey'],
      ['SETRANGE', 'mykey', '0', 'foo'],
      ['GET', 'mykey'],
      ['DEL', 'mykey'],
      ['SETRANGE', 'mykey', '0', ''],
      ['EXISTS', 'mykey'],
      ['DEL', 'mykey'],
      ['SETRANGE', 'mykey', '1', 'foo'],
      ['GET', 'mykey'],
      ['OBJECT', 'ENCODING', 'mykey'],
    ]));

  it('SETRANGE against string-encoded key', () =>
    o.compare([
      ['SET', 'mykey', 'foo'],
      ['SETRANGE', 'mykey', '0', 'b'],
      ['GET', 'mykey'],
      ['SET', 'mykey', 'foo'],
      ['SETRANGE', 'mykey', '0', ''],
      ['GET', 'mykey'],
      ['OBJECT', 'ENCODING', 'mykey'],
      ['SET', 'mykey', 'foo'],
      ['SETRANGE', 'mykey', '1', 'b'],
      ['GET', 'mykey'],
      ['SET', 'mykey', 'foo'],
      ['SETRANGE', 'mykey', '4', 'bar'],
      ['GET', 'mykey'],
      ['OBJECT', 'ENCODING', 'mykey'],
    ]));

  it('SETRANGE against integer-encoded key (encodings)', () =>
    o.compare([
      ['SET', 'mykey', '1234'],
      ['OBJECT', 'ENCODING', 'mykey'],
      ['SETRANGE', 'mykey', '0', '2'],
      ['OBJECT', 'ENCODING', 'mykey'],
      ['GET', 'mykey'],
      ['SET', 'mykey', '1234'],
      ['SETRANGE', 'mykey', '0', ''],
      ['OBJECT', 'ENCODING', 'mykey'],
      ['GET', 'mykey'],
      ['SET', 'mykey', '1234'],
      ['SETRANGE', 'mykey', '1', '3'],
      ['OBJECT', 'ENCODING', 'mykey'],
      ['GET', 'mykey'],
      ['SET', 'mykey', '1234'],
      ['SETRANGE', 'mykey', '5', '2'],
      ['OBJECT', 'ENCODING', 'mykey'],
      ['GET', 'mykey'],
    ]));

  it('SETRANGE with out of range and huge offsets', () =>
    o.compare([
      ['DEL', 'mykey'],
      ['SETRANGE', 'mykey', String(512 * 1024 * 1024 - 4), 'world'],
      ['EXISTS', 'mykey'],
      ['SET', 'mykey', 'hello'],
      ['SETRANGE', 'mykey', '-1', 'world'],
      ['SETRANGE', 'mykey', String(512 * 1024 * 1024 - 4), 'world'],
      ['SETRANGE', 'mykey', String(512 * 1024 * 1024 - 3), ''],
      ['SETRANGE', 'K', '9223372036854775807', 'A'],
      ['SETRANGE', 'K', '2147483647', 'A'],
      ['SETRANGE', 'K', '9223372036854775808', 'A'],
      ['SETRANGE', 'K', '-9223372036854775808', 'A'],
      ['SETRANGE', 'K', '-1', ''],
      ['SETRANGE', 'K', '9223372036854775807', ''],
      ['SETRANGE', 'mykey', '9223372036854775807', ''],
      ['SETRANGE', 'K', 'abc', 'A'],
      ['EXISTS', 'K'],
      ['GET', 'mykey'],
    ]));

  // ------------------------------------------------------------------------------------------
  // GETRANGE / SUBSTR

  it('GETRANGE against non-existing key, string value, integer-encoded value', () => {
    const ranges: [string, string][] = [
      ['0', '3'], ['0', '-1'], ['-4', '-1'], ['5', '3'], ['5', '5000'], ['-5000', '10000'],
      ['0', '-100'], ['1', '-100'], ['-1', '-100'], ['-100', '-99'], ['-100', '-100'], ['-100', '-101'],
      ['3', '5000'], ['-3', '-1'], ['0', '2'],
    ];
    const steps: Step[] = [['DEL', 'mykey'], ['GETRANGE', 'mykey', '0', '-1'], ['GETRANGE', 'mykey', '-1', '-5']];
    steps.push(['SET', 'mykey', 'Hello World']);
    for (const [s, e] of ranges) steps.push(['GETRANGE', 'mykey', s, e]);
    steps.push(['SET', 'mykey', '1234'], ['OBJECT', 'ENCODING', 'mykey']);
    for (const [s, e] of ranges) steps.push(['GETRANGE', 'mykey', s, e]);
    steps.push(['SET', 'mykey', ''], ['GETRANGE', 'mykey', '0', '-1'], ['GETRANGE', 'mykey', '-1', '0']);
    return o.compare(steps);
  });

  it('GETRANGE fuzzing (seeded, binary values)', () => {
    const r = createRng(7);
    const steps: Step[] = [];
    for (let i = 0; i < 150; i++) {
      const len = r.int(1025);
      const bin = Buffer.alloc(len);
      for (let k = 0; k < len; k++) bin[k] = r.int(256);
      steps.push(['SET', 'bin', bin]);
      for (let k = 0; k < 3; k++) {
        const start = r.int(3000) - 1500;
        const end = r.int(3000) - 1500;
        steps.push(['GETRANGE', 'bin', String(start), String(end)]);
      }
    }
    return o.compare(steps);
  });

  it('GETRANGE with huge ranges (issue #1844) and int64 bounds', () =>
    o.compare([
      ['SET', 'foo', 'bar'],
      ['GETRANGE', 'foo', '0', '4294967297'],
      ['GETRANGE', 'foo', '0', '9223372036854775807'],
      ['GETRANGE', 'foo', '-9223372036854775808', '9223372036854775807'],
      ['GETRANGE', 'foo', '-9223372036854775808', '-9223372036854775808'],
      ['GETRANGE', 'foo', '9223372036854775807', '-9223372036854775808'],
      ['GETRANGE', 'foo', '0', '9223372036854775808'],
      ['GETRANGE', 'foo', 'x', '1'],
      ['GETRANGE', 'nokey', 'x', '1'],
    ]));

  it('Coverage: SUBSTR', () =>
    o.compare([
      ['SET', 'key', 'abcde'],
      ['SUBSTR', 'key', '0', '0'],
      ['SUBSTR', 'key', '0', '3'],
      ['SUBSTR', 'key', '-4', '-1'],
      ['SUBSTR', 'key', '-1', '-3'],
      ['SUBSTR', 'key', '7', '8'],
      ['SUBSTR', 'nokey', '0', '1'],
    ]));

  // ------------------------------------------------------------------------------------------
  // Extended SET

  it('Extended SET: syntax errors, NX, XX, GET with/without NX/XX', () =>
    o.compare([
      ['SET', 'foo', 'bar', 'non-existing-option'],
      ['DEL', 'foo'],
      ['SET', 'foo', '1', 'nx'],
      ['SET', 'foo', '2', 'nx'],
      ['GET', 'foo'],
      ['DEL', 'foo'],
      ['SET', 'foo', '1', 'xx'],
      ['SET', 'foo', 'bar'],
      ['SET', 'foo', '2', 'xx'],
      ['GET', 'foo'],
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['SET', 'foo', 'bar2', 'GET'],
      ['GET', 'foo'],
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar', 'GET'],
      ['GET', 'foo'],
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['SET', 'foo', 'baz', 'GET', 'XX'],
      ['GET', 'foo'],
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar', 'GET', 'XX'],
      ['GET', 'foo'],
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar', 'GET', 'NX'],
      ['GET', 'foo'],
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['SET', 'foo', 'baz', 'GET', 'NX'],
      ['GET', 'foo'],
    ]));

  it('Extended SET EX / PX / EXAT / PXAT / several options at once', () => {
    const nowS = Math.floor(Date.now() / 1000);
    const nowMs = Date.now();
    return o.compare([
      ['DEL', 'foo'],
      ['SET', 'foo', 'bar', 'ex', '10'],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'bar', 'px', '10000'],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'bar', 'exat', String(nowS + 10)],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'bar', 'pxat', String(nowMs + 10_000)],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'val'],
      ['SET', 'foo', 'bar', 'xx', 'px', '10000'],
      { cmd: ['TTL', 'foo'], approx: true },
    ]);
  });

  // ------------------------------------------------------------------------------------------
  // LCS

  it('LCS basic, LEN, IDX, WITHMATCHLEN, MINMATCHLEN', () =>
    o.compare([
      ['SET', 'virus1{t}', RNA1],
      ['SET', 'virus2{t}', RNA2],
      ['LCS', 'virus1{t}', 'virus2{t}'],
      ['LCS', 'virus1{t}', 'virus2{t}', 'LEN'],
      ['LCS', 'virus1{t}', 'virus2{t}', 'IDX'],
      ['LCS', 'virus1{t}', 'virus2{t}', 'IDX', 'WITHMATCHLEN'],
      ['LCS', 'virus1{t}', 'virus2{t}', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '5'],
      ['LCS', 'virus1{t}', 'virus2{t}', 'IDX', 'MINMATCHLEN', '-5'],
      ['LCS', 'virus1{t}', 'missing{t}'],
      ['LCS', 'missing{t}', 'virus2{t}', 'IDX'],
      ['LCS', 'missing{t}', 'missing2{t}', 'LEN'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['LCS', 'virus1{t}', 'virus2{t}', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '5'],
    ]));

  /** SET each value, then DEBUG OBJECT it (address and clock fields normalised). */
  const debugSteps = (values: readonly string[]): Step[] =>
    values.flatMap((v): Step[] => [['SET', 'k', v], { cmd: ['DEBUG', 'OBJECT', 'k'], normalize: debugNormalize }]);

  it('DEBUG OBJECT on string values (encoding, refcount, serialized length)', () =>
    o.compare([
      ...debugSteps(['1', '-1', '127', '-128', '128', '-32769', '2147483648', '12345678901', '00', 'abc',
        'abcdefghijklmnopqrstuvwxyz0123456789', ALL_BYTES_HEX]),
      ['APPEND', 'k', 'z'],
      { cmd: ['DEBUG', 'OBJECT', 'k'], normalize: debugNormalize },
      ['INCRBYFLOAT', 'f', '1'],
      { cmd: ['DEBUG', 'OBJECT', 'f'], normalize: debugNormalize },
      ['DEBUG', 'OBJECT', 'missing'],
    ]));

  // Redis's serializedlength is the RDB size, LZF-compressed for strings over 20 bytes when that
  // saves space (Shoal takes it from its RDB codec).
  it('DEBUG OBJECT serialized length of compressible strings', () =>
    o.compare(debugSteps(['x'.repeat(100), 'ab'.repeat(300)])));

  // ------------------------------------------------------------------------------------------
  // The access clock (OBJECT IDLETIME)

  it('every string command that reads or writes a key resets its idle time', () => {
    const cmds: string[][] = [
      ['GET', 'k0'], ['GETEX', 'k1'], ['GETRANGE', 'k2', '0', '1'], ['STRLEN', 'k3'], ['APPEND', 'k4', 'x'],
      ['SETRANGE', 'k5', '0', 'x'], ['INCR', 'k6'], ['INCRBYFLOAT', 'k7', '1'], ['MGET', 'k8'], ['LCS', 'k9', 'zz'],
      ['SETNX', 'k10', 'v'], ['MSETNX', 'k11', 'v', 'zz', 'v'], ['SET', 'k12', 'v', 'NX'], ['SET', 'k13', 'v', 'XX', 'GET'],
      ['SUBSTR', 'k14', '0', '1'], ['SETRANGE', 'k15', '0', ''], ['GETEX', 'k16', 'PERSIST'], ['SET', 'k17', 'v', 'KEEPTTL'],
    ];
    const steps: Step[] = [];
    steps.push(['MSET', ...cmds.flatMap((_, i) => [`k${i}`, '7']), 'zz', 'zz'], ['SET', 'untouched', '1']);
    // Idle times have one-second resolution and the two servers answer at slightly different
    // moments: a touched key reads 0 or 1, the untouched one at least 2 after a 2.1 s pause.
    steps.push({ pause: 2100 });
    for (const c of cmds) steps.push(c);
    for (let i = 0; i < cmds.length; i++) {
      // INCR leaves a small integer, which Redis stores as a shared object with its own clock:
      // that key reports the shared object's idle time, compared within a second.
      const shared = cmds[i]![0] === 'INCR';
      steps.push(
        shared
          ? { cmd: ['OBJECT', 'IDLETIME', `k${i}`], approx: 1, note: cmds[i]!.join(' ') }
          : { cmd: ['OBJECT', 'IDLETIME', `k${i}`], match: /^:[01]\r\n$/, note: cmds[i]!.join(' ') },
      );
    }
    steps.push({ cmd: ['OBJECT', 'IDLETIME', 'untouched'], match: /^:[2-9]\r\n$/ });
    return o.compare(steps);
  });

  // ------------------------------------------------------------------------------------------
  // incr.tcl

  it('INCR against missing key, its own key, a SET key, over 32 bit', () =>
    o.compare([
      ['INCR', 'novar'],
      ['GET', 'novar'],
      ['INCR', 'novar'],
      ['SET', 'novar', '100'],
      ['INCR', 'novar'],
      ['SET', 'novar', '17179869184'],
      ['INCR', 'novar'],
      ['SET', 'novar', '17179869184'],
      ['INCRBY', 'novar', '17179869184'],
      ['SET', 'novar', '17179869184'],
      ['DECRBY', 'novar', '17179869185'],
    ]));

  it('INCR fails against values with spaces; DECRBY negation overflow', () =>
    o.compare([
      ['SET', 'novar', '    11'],
      ['INCR', 'novar'],
      ['SET', 'novar', '11    '],
      ['INCR', 'novar'],
      ['SET', 'novar', '    11    '],
      ['INCR', 'novar'],
      ['SET', 'x', '0'],
      ['DECRBY', 'x', '-9223372036854775808'],
      ['GET', 'x'],
      ['DECRBY', 'nokey', '-9223372036854775808'],
      ['EXISTS', 'nokey'],
      ['DECRBY', 'x', '-9223372036854775807'],
      ['DECRBY', 'x', '1'],
      ['DECR', 'x'],
    ]));

  it('INCR uses shared objects in the 0-9999 range (OBJECT REFCOUNT)', () =>
    o.compare([
      ['SET', 'foo', '-1'],
      ['OBJECT', 'REFCOUNT', 'foo'],
      ['INCR', 'foo'],
      ['OBJECT', 'REFCOUNT', 'foo'],
      ['SET', 'foo', '9998'],
      ['INCR', 'foo'],
      ['OBJECT', 'REFCOUNT', 'foo'],
      ['INCR', 'foo'],
      ['OBJECT', 'REFCOUNT', 'foo'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['DECR', 'foo'],
      ['OBJECT', 'REFCOUNT', 'foo'],
    ]));

  it('INCR can modify objects in place (DEBUG OBJECT)', async () => {
    const script: Step[] = [
      ['SET', 'foo', '20000'],
      ['INCR', 'foo'],
      ['OBJECT', 'REFCOUNT', 'foo'],
      { cmd: ['DEBUG', 'OBJECT', 'foo'], normalize: debugNormalize },
      ['INCR', 'foo'],
      { cmd: ['DEBUG', 'OBJECT', 'foo'], normalize: debugNormalize },
    ];
    const res = await o.run(script);
    for (const side of [res.shoal, res.redis]) {
      const at = (b: Buffer | undefined): string => /at:(\S+)/.exec(b?.toString('latin1') ?? '')?.[1] ?? '?';
      assert.equal(at(side[3]), at(side[5]), 'value object stays the same after INCR');
    }
  });

  it('INCR updates the encoding from raw to int', () =>
    o.compare([
      ['SET', 'foo', '1'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['APPEND', 'foo', '2'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['INCR', 'foo'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['SET', 'foo', '12345678901234567890123'],
      ['INCR', 'foo'],
      ['SET', 'foo', '00012'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['INCR', 'foo'],
      ['SET', 'foo', '9223372036854775807'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['INCR', 'foo'],
      ['DECRBY', 'foo', '9223372036854775807'],
      ['OBJECT', 'ENCODING', 'foo'],
      ['SET', 'foo', '-0'],
      ['INCR', 'foo'],
      ['SET', 'foo', '+1'],
      ['INCR', 'foo'],
      ['SET', 'foo', '1', 'EX', '100'],
      ['INCR', 'foo'],
      { cmd: ['TTL', 'foo'], approx: true },
    ]));

  it('INCRBYFLOAT against missing key, SET key, over 32 bit', () =>
    o.compare([
      ['DEL', 'novar'],
      ['INCRBYFLOAT', 'novar', '1'],
      ['GET', 'novar'],
      ['INCRBYFLOAT', 'novar', '0.25'],
      ['GET', 'novar'],
      ['SET', 'novar', '1.5'],
      ['INCRBYFLOAT', 'novar', '1.5'],
      ['SET', 'novar', '17179869184'],
      ['INCRBYFLOAT', 'novar', '1.5'],
      ['SET', 'novar', '17179869184'],
      ['INCRBYFLOAT', 'novar', '17179869184'],
      ['OBJECT', 'ENCODING', 'novar'],
      ['SET', 'foo', '1'],
      ['INCRBYFLOAT', 'foo', '-1.1'],
      ['SET', 'foo', '1', 'EX', '100'],
      ['INCRBYFLOAT', 'foo', '1'],
      { cmd: ['TTL', 'foo'], approx: true },
    ]));

  it('INCRBYFLOAT fails against values with spaces, NaN/Infinity, NUL bytes', () =>
    o.compare([
      ['SET', 'novar', '    11'],
      ['INCRBYFLOAT', 'novar', '1.0'],
      ['SET', 'novar', '11    '],
      ['INCRBYFLOAT', 'novar', '1.0'],
      ['SET', 'novar', ' 11 '],
      ['INCRBYFLOAT', 'novar', '1.0'],
      ['SET', 'foo', '0'],
      ['INCRBYFLOAT', 'foo', '+inf'],
      ['INCRBYFLOAT', 'foo', '-inf'],
      ['INCRBYFLOAT', 'foo', 'inf'],
      ['INCRBYFLOAT', 'foo', 'nan'],
      ['INCRBYFLOAT', 'foo', ' 1'],
      ['INCRBYFLOAT', 'foo', '1 '],
      ['INCRBYFLOAT', 'foo', ''],
      ['SET', 'foo', '1'],
      ['SETRANGE', 'foo', '2', '2'],
      ['INCRBYFLOAT', 'foo', '1'],
      ['INCRBYFLOAT', 'foo', Buffer.from('1\x002', 'latin1')],
      ['GET', 'foo'],
    ]));

  it('INCRBYFLOAT: no negative zero', () =>
    o.compare([
      ['DEL', 'foo'],
      ['INCRBYFLOAT', 'foo', String(1 / 41)],
      ['INCRBYFLOAT', 'foo', String(-1 / 41)],
      ['GET', 'foo'],
      ['SET', 'z', '-0'],
      ['INCRBYFLOAT', 'z', '0'],
      ['INCRBYFLOAT', 'z', '-0'],
      ['DEL', 'z'],
      ['INCRBYFLOAT', 'z', '-0.0'],
    ]));
});

// ---------------------------------------------------------------------------------------------
// Seeded differential fuzz over the same commands, with the edge-case arguments the suite uses
// (int64 bounds, spaces, signs, floats, empty strings, NUL bytes, repeated/conflicting options).

const FUZZ_KEYS = ['a', 'b', 'n'];
const FUZZ_VALUES = [
  '', '0', '1', '-1', '12', '9999', '10000', '-0', '00', '+5', ' 1', '1 ', '1.5', '-1.1', '1e3', '0x10',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '17179869184', 'abc', 'hello world',
  '\x001', 'inf', '-inf', 'nan', '1e400', '.5', '5.', 'x'.repeat(45), '123456789012345678901',
];
const FUZZ_INTS = ['0', '1', '-1', '2', '3', '5', '10', '-5', '100', '9223372036854775807', '-9223372036854775808', '1.5', 'x', '', ' 1', '+1', '007'];
const FUZZ_TTL = ['100000', '0', '-1', '1.5', 'x', '10000000000000000', '9223372036854775807', '4102444800', '4102444800000'];
const SET_OPTS = ['NX', 'XX', 'GET', 'KEEPTTL', 'EX', 'PX', 'EXAT', 'PXAT', 'nx', 'get', 'ex', 'foo'];
const GETEX_OPTS = ['EX', 'PX', 'EXAT', 'PXAT', 'PERSIST', 'persist', 'px', 'bar'];

function fuzzScript(seed: number, n: number): Step[] {
  const r = createRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)]!;
  const key = (): string => pick(FUZZ_KEYS);
  const opts = (vocab: readonly string[]): string[] => {
    const out: string[] = [];
    const k = r.int(4);
    for (let i = 0; i < k; i++) {
      const o = pick(vocab);
      out.push(o);
      if (/^(ex|px|exat|pxat)$/i.test(o) && r.next() < 0.9) out.push(pick(FUZZ_TTL));
    }
    return out;
  };
  const gens: (() => Step)[] = [
    () => ['SET', key(), pick(FUZZ_VALUES), ...opts(SET_OPTS)],
    () => ['GET', key()],
    () => ['SETNX', key(), pick(FUZZ_VALUES)],
    () => ['SETEX', key(), pick(FUZZ_TTL), pick(FUZZ_VALUES)],
    () => ['PSETEX', key(), pick(FUZZ_TTL), pick(FUZZ_VALUES)],
    () => ['GETSET', key(), pick(FUZZ_VALUES)],
    () => ['GETDEL', key()],
    () => ['GETEX', key(), ...opts(GETEX_OPTS)],
    () => ['MGET', key(), key(), key()],
    () => ['MSET', key(), pick(FUZZ_VALUES), key(), pick(FUZZ_VALUES)],
    () => ['MSETNX', key(), pick(FUZZ_VALUES), key(), pick(FUZZ_VALUES)],
    () => ['APPEND', key(), pick(FUZZ_VALUES)],
    () => ['STRLEN', key()],
    () => ['INCR', key()],
    () => ['DECR', key()],
    () => ['INCRBY', key(), pick(FUZZ_INTS)],
    () => ['DECRBY', key(), pick(FUZZ_INTS)],
    () => ['INCRBYFLOAT', key(), pick([...FUZZ_VALUES, ...FUZZ_INTS])],
    () => ['GETRANGE', key(), pick(FUZZ_INTS), pick(FUZZ_INTS)],
    () => ['SUBSTR', key(), pick(FUZZ_INTS), pick(FUZZ_INTS)],
    () => ['SETRANGE', key(), pick(['0', '1', '3', '-1', 'x', '20', '536870912', '9223372036854775807']), pick(FUZZ_VALUES)],
    () => ['LCS', key(), key(), ...opts(['LEN', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '1', '0', '-1', 'x'])],
    () => ['OBJECT', 'ENCODING', key()],
    () => ['OBJECT', 'REFCOUNT', key()],
    () => ({ cmd: ['TTL', key()], approx: true }),
    () => ['EXISTS', key()],
  ];
  const steps: Step[] = [];
  for (let i = 0; i < n; i++) steps.push(pick(gens)());
  return steps;
}

/** Keeps only the named `field:value` lines of an INFO reply (the rest is process-specific). */
function infoFields(...fields: string[]): (raw: string) => string {
  return (raw) =>
    raw
      .split('\r\n')
      .filter((l) => fields.some((f) => l.startsWith(f + ':')))
      .join('\n');
}

/**
 * The counters a string command may move, from an INFO reply: hits, misses, expired keys, the
 * key and volatile-key counts, and (as a delta from `prevDirty`) the dirty counter. avg_ttl is
 * left out: Redis only estimates it in the background expire cycle.
 */
function counters(raw: string, prevDirty: number): { text: string; dirty: number } {
  const fields = infoFields('keyspace_hits', 'keyspace_misses', 'expired_keys', 'db0', 'total_error_replies')(raw)
    .replace(/,avg_ttl=\d+/, '');
  // Per-command and per-error counters (timings left out).
  const stats = raw
    .split('\r\n')
    .filter((l) => l.startsWith('cmdstat_') || l.startsWith('errorstat_'))
    .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
    .sort()
    .join('\n');
  const dirty = Number(/rdb_changes_since_last_save:(\d+)/.exec(raw)?.[1] ?? NaN);
  return { text: `${fields}\n${stats}\ndirty+=${dirty - prevDirty}`, dirty };
}

/**
 * Runs `steps` with an INFO after each, and asserts that the replies and the hit/miss/expiry,
 * dirty and keyspace counters match Redis's after every command (reporting the command).
 */
async function compareWithCounters(o: OracleContext, steps: Step[]): Promise<void> {
  const script: Step[] = [{ cmd: ['CONFIG', 'RESETSTAT'], ignore: true }, { cmd: ['INFO', 'all'], ignore: true }];
  for (const s of steps) script.push(s, { cmd: ['INFO', 'all'], ignore: true });
  const res = await o.run(script);
  let dShoal = counters(res.shoal[1]!.toString('latin1'), 0).dirty;
  let dRedis = counters(res.redis[1]!.toString('latin1'), 0).dirty;
  for (let i = 0; i < steps.length; i++) {
    const at = 3 + 2 * i;
    const shoal = counters(res.shoal[at]!.toString('latin1'), dShoal);
    const redis = counters(res.redis[at]!.toString('latin1'), dRedis);
    dShoal = shoal.dirty;
    dRedis = redis.dirty;
    const step = steps[i]!;
    const cmd = Array.isArray(step) ? step : (step as { cmd: unknown }).cmd;
    assert.equal(shoal.text, redis.text, `counters after step ${i} (${JSON.stringify(cmd)})`);
  }
}

withOracle('oracle: strings (seeded fuzz)', (o) => {
  const seeds = (process.env['STRINGS_FUZZ_SEEDS'] ?? '1,2,3').split(',').map(Number);
  for (const seed of seeds) {
    it(`random string commands, seed ${seed}`, () => o.compare(fuzzScript(seed, 600)));
    it(`random string commands under RESP3, seed ${seed}`, () =>
      o.compare([{ cmd: ['HELLO', '3'], ignore: true }, ...fuzzScript(seed + 1000, 300)]));
    it(`random string commands with keyspace/dirty counters, seed ${seed}`, () =>
      compareWithCounters(o, fuzzScript(seed + 2000, 200)));
  }
});

withOracle('oracle: strings under a small proto-max-bulk-len', { config: { 'proto-max-bulk-len': '1mb' } }, (o) => {
  const MB = 1024 * 1024;
  it('APPEND / SETRANGE past the limit, LCS transient memory over the limit', () =>
    o.compare([
      ['SET', 'k', 'x'.repeat(MB - 10)],
      ['APPEND', 'k', 'y'.repeat(10)],
      ['APPEND', 'k', 'y'],
      ['STRLEN', 'k'],
      ['SETRANGE', 'k', String(MB - 1), 'z'],
      ['SETRANGE', 'k', String(MB), 'z'],
      ['SETRANGE', 'k', String(MB), ''],
      ['SETRANGE', 'new', String(MB), 'z'],
      ['SETRANGE', 'new', String(MB - 1), 'zz'],
      ['EXISTS', 'new'],
      ['MSET', 'a', 'a'.repeat(600), 'b', 'b'.repeat(600)],
      ['LCS', 'a', 'b'],
      ['LCS', 'a', 'b', 'LEN'],
      ['MSET', 'a', 'ab'.repeat(200), 'b', 'ba'.repeat(200)],
      ['LCS', 'a', 'b', 'LEN'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', String(MB + 1)],
      ['APPEND', 'k', 'q'],
      ['SET', 'k2', 'x'.repeat(MB + 1)],
      ['APPEND', 'k2', 'q'],
    ]));
});

// Under an LFU policy a fresh key's counter is 5 and its first access always makes it 6 (later
// increments are random), so one access per fresh key shows which commands touch the key they
// replace or read. maxmemory is set so that integers are not shared objects.
withOracle('oracle: strings under an LFU policy (OBJECT FREQ)', { config: { 'maxmemory-policy': 'allkeys-lfu', maxmemory: '1gb' } }, (o) => {
  it('one access per fresh key: which commands touch it', () => {
    const cmds: string[][] = [
      ['GET', 'k0'], ['SETNX', 'k1', 'x'], ['SET', 'k2', 'v2'], ['MSET', 'k3', 'z'], ['INCR', 'k4'],
      ['INCRBYFLOAT', 'k5', '1'], ['APPEND', 'k6', 'x'], ['SETRANGE', 'k7', '0', 'a'], ['GETRANGE', 'k8', '0', '1'],
      ['STRLEN', 'k9'], ['GETEX', 'k10', 'EX', '100'], ['MGET', 'k11'], ['LCS', 'k12', 'fresh'], ['SET', 'k13', 'v', 'NX'],
      ['SET', 'k14', 'v', 'XX'], ['SETEX', 'k15', '100', 'v'], ['MSETNX', 'k16', 'v'], ['OBJECT', 'ENCODING', 'k17'],
      ['MSET', 'new1', 'a'], ['MSETNX', 'new2', 'a', 'new2', 'b'], ['MSET', 'new3', 'a', 'new3', 'b'], ['GETSET', 'new4', 'a'],
      ['INCRBYFLOAT', 'new5', '1'], ['SETRANGE', 'new6', '3', 'x'], ['APPEND', 'new7', 'x'], ['INCR', 'new8'],
    ];
    const keys = cmds.map((c) => c[1]!);
    const steps: Step[] = [['MSET', ...keys.filter((k) => k.startsWith('k')).flatMap((k) => [k, k === 'k4' ? '7' : 'v']), 'fresh', 'f']];
    steps.push(['OBJECT', 'FREQ', 'fresh']);
    for (const c of cmds) steps.push(c);
    for (const k of keys) steps.push({ cmd: ['OBJECT', 'FREQ', k], note: `after ${cmds[keys.indexOf(k)]!.join(' ')}` });
    return o.compare(steps);
  });
});
