// The benchmark harness's CPU pinning (bench/lib.ts): reading the kernel's CPU lists and
// wrapping a command in taskset.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { allowedCpus, choosePinning, onCpu, parseCpuList, pinningLine } from '../../bench/lib.js';

describe('bench CPU pinning', () => {
  it('parses kernel CPU lists', () => {
    assert.deepEqual(parseCpuList('0'), [0]);
    assert.deepEqual(parseCpuList('0-1'), [0, 1]);
    assert.deepEqual(parseCpuList('0,2-4,7\n'), [0, 2, 3, 4, 7]);
    assert.equal(parseCpuList(''), null);
    assert.equal(parseCpuList('3-1'), null);
    assert.equal(parseCpuList('0-x'), null);
  });

  it('reads the CPUs this process may use', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
    const cpus = allowedCpus();
    assert.ok(cpus !== null && cpus.length >= 1, `allowed CPUs: ${String(cpus)}`);
  });

  it('runs a pinned command through taskset and an unpinned one as it is', () => {
    const pin = { taskset: '/usr/bin/taskset', server: 0, load: 1 };
    assert.deepEqual(onCpu({ pinning: pin, role: 'load' }, '/bin/rb', ['-p', '1']), { file: '/usr/bin/taskset', args: ['-c', '1', '/bin/rb', '-p', '1'] });
    assert.deepEqual(onCpu({ pinning: pin, role: 'server' }, '/bin/rs', []), { file: '/usr/bin/taskset', args: ['-c', '0', '/bin/rs'] });
    assert.deepEqual(onCpu({ pinning: null, role: 'server' }, '/bin/rs', ['x']), { file: '/bin/rs', args: ['x'] });
    assert.deepEqual(onCpu(null, '/bin/rs', ['x']), { file: '/bin/rs', args: ['x'] });
    assert.deepEqual(choosePinning(false), { pinning: null, why: '--no-pin' });
    assert.match(pinningLine(pin, ''), /servers on CPU 0, redis-benchmark on CPU 1/);
    assert.match(pinningLine(null, '--no-pin'), /not pinned \(--no-pin\)/);
  });
});
