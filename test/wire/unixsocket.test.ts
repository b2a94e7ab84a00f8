// The unix socket listener (unixsocket / unixsocketperm), alongside TCP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../helpers/node.js';

function rawCall(path: string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    let out = '';
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (out.endsWith('\r\n')) {
        s.end();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.write(payload);
  });
}

describe('unix socket', () => {
  it('serves commands on the socket with the configured permissions, and removes it on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-unix-'));
    const path = join(dir, 'shoal.sock');
    const node = await startServer({ config: { unixsocket: path, unixsocketperm: '700' } });
    try {
      assert.equal(statSync(path).mode & 0o777, 0o700);
      assert.equal(await rawCall(path, 'SET viaunix 1\r\n'), '+OK\r\n');
      const info = await rawCall(path, 'CLIENT INFO\r\n');
      assert.match(info, new RegExp(`addr=${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:0 `));
      // The same keyspace over TCP.
      const tcp = await new Promise<string>((resolve) => {
        const s = net.connect(node.port, '127.0.0.1', () => s.write('GET viaunix\r\n'));
        s.on('data', (d) => {
          s.end();
          resolve(d.toString());
        });
      });
      assert.equal(tcp, '$1\r\n1\r\n');
    } finally {
      await node.close();
    }
    assert.equal(existsSync(path), false);
    rmSync(dir, { recursive: true, force: true });
  });
});
