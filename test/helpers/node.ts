// A Shoal node for one describe block: started before its tests, with a raw RESP connection,
// both closed after. `r(...)` sends a command and returns the raw reply as latin1 text.
//
//   const t = useNode({ clock });
//   it('...', async () => assert.equal(await t.r('PING'), '+PONG\r\n'));

import { after, before } from 'node:test';
import { startServer as startShoal, type RunningServer, type StartOptions } from '../../src/index.js';
import { RawClient, type Arg } from './raw-client.js';

export { FakeClock, Server, type RunningServer, type StartOptions } from '../../src/index.js';

/**
 * startServer for tests: persistence off (`save ""`) unless the test configures it, so that no
 * node saves into, or loads from, the directory the tests run in (a node's dir is its working
 * directory, as redis-server's).
 */
export function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  return startShoal({ ...opts, config: { save: '', ...opts.config } });
}

export interface NodeFixture {
  /** The running node (valid inside tests and hooks). */
  readonly node: RunningServer;
  /** A raw connection to it. */
  readonly raw: RawClient;
  /** Sends one command on the raw connection; resolves with the reply as latin1 text. */
  r(...args: Arg[]): Promise<string>;
}

export function useNode(opts: StartOptions = {}): NodeFixture {
  let node: RunningServer | undefined;
  let raw: RawClient | undefined;
  const fixture: NodeFixture = {
    get node(): RunningServer {
      if (node === undefined) throw new Error('useNode: node not started yet');
      return node;
    },
    get raw(): RawClient {
      if (raw === undefined) throw new Error('useNode: connection not open yet');
      return raw;
    },
    r: async (...args: Arg[]): Promise<string> => (await fixture.raw.call(...args)).toString('latin1'),
  };
  before(async () => {
    node = await startServer(opts);
    raw = await RawClient.connect(node.port);
  });
  after(async () => {
    await raw?.close();
    await node?.close();
  });
  return fixture;
}
