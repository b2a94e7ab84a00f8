// Replication test helpers: INFO fields, waiting for a replica to catch up with its master,
// and comparing their whole datasets (test/helpers/dataset.ts).

import { strict as assert } from 'node:assert';
import type { Redis } from 'ioredis';
import { datasetDiff, datasetOf } from './dataset.js';
import { until } from './poll.js';

/** Field `name` of INFO `section` ('' when absent). */
export async function infoField(r: Redis, section: string, name: string): Promise<string> {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(await r.info(section));
  return m === null ? '' : m[1].trim();
}

/** Waits until the replica's link is up and it applied everything the master produced. */
export async function caughtUp(master: Redis, replica: Redis, ms = 30_000): Promise<void> {
  await until(async () => (await infoField(replica, 'replication', 'master_link_status')) === 'up', { what: 'the link up', ms });
  await until(
    async () => (await infoField(replica, 'replication', 'slave_repl_offset')) === (await infoField(master, 'replication', 'master_repl_offset')),
    { what: 'the replica to catch up', ms },
  );
}

/**
 * Waits for the replica to catch up, then requires the same keys, values and expiry times in
 * `dbs`; `what` names the pair in a failure.
 */
export async function assertSameData(master: Redis, replica: Redis, dbs: readonly number[], what?: string): Promise<void> {
  await caughtUp(master, replica);
  assert.deepEqual(datasetDiff(await datasetOf(master, dbs), await datasetOf(replica, dbs)), [], what);
}
