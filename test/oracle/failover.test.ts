// Oracle tests for FAILOVER on a master without replicas: its argument errors and the states it
// refuses, byte for byte against redis-server 7.0, and its COMMAND INFO / DOCS. The failover
// itself runs between Shoal nodes in test/wire/failover.test.ts.
import { it } from 'node:test';
import { withOracle } from '../helpers/oracle.js';

withOracle('oracle: FAILOVER', {}, (o) => {
  it('argument errors and a master without replicas', () =>
    o.compare([
      ['FAILOVER'],
      ['FAILOVER', 'ABORT'],
      ['FAILOVER', 'abort'],
      ['FAILOVER', 'TIMEOUT', '0'],
      ['FAILOVER', 'TIMEOUT', '-5'],
      ['FAILOVER', 'TIMEOUT', 'x'],
      ['FAILOVER', 'TIMEOUT', '10', 'TIMEOUT', '20'],
      ['FAILOVER', 'TIMEOUT'],
      ['FAILOVER', 'TO', 'h'],
      ['FAILOVER', 'TO', 'h', 'p'],
      ['FAILOVER', 'TO', 'h', '1', 'TO', 'h', '2'],
      ['FAILOVER', 'FORCE'],
      ['FAILOVER', 'FORCE', 'FORCE'],
      ['FAILOVER', 'ABORT', 'TIMEOUT', '5'],
      ['FAILOVER', 'TIMEOUT', '5', 'ABORT'],
      ['FAILOVER', 'bogus'],
      ['FAILOVER', 'TO', '127.0.0.1', '1', 'TIMEOUT', '10', 'FORCE'],
    ]));

  it('COMMAND INFO and DOCS', () => o.compare([['COMMAND', 'INFO', 'failover'], ['COMMAND', 'DOCS', 'failover']]));
});
