// The keyspace and storage-engine model suites again, with every index partition of 8 buckets
// or more growing incrementally (Database.moveMinBuckets; by default only partitions of 1,024
// buckets or more do, which small tests seldom reach): lookups, deletes, renames, scans, random
// draws and flushes then meet partitions whose keys are split between two tables.
import { Database } from '../../src/server/keyspace/database.js';

Database.moveMinBuckets = 8;
await import('./keyspace.test.js');
await import('./engine-model.test.js');
