// Every handler, keyed by spec name ('get', 'config|get'). The command table checks that
// this and src/commands/index.ts describe the same set of commands.
import type { Handler } from '../command-table.js';
import { adminHandlers } from './admin.js';
import { bitmapsHandlers } from './bitmaps.js';
import { commandHandlers } from './command.js';
import { connectionHandlers } from './connection.js';
import { hashesHandlers } from './hashes.js';
import { hotkeysHandlers } from './hotkeys.js';
import { keysHandlers } from './keys.js';
import { listsHandlers } from './lists.js';
import { memoryHandlers } from './memory.js';
import { persistenceHandlers } from './persistence.js';
import { pubsubHandlers } from './pubsub.js';
import { replicationHandlers } from './replication.js';
import { replicaofHandlers } from './replicaof.js';
import { failoverHandlers } from '../replication/failover.js';
import { serverHandlers } from './server.js';
import { setsHandlers } from './sets.js';
import { stringsHandlers } from './strings.js';
import { transactionsHandlers } from './transactions.js';
import { zsetsHandlers } from './zsets.js';

export const allHandlers: Record<string, Handler> = {
  ...stringsHandlers,
  ...bitmapsHandlers,
  ...keysHandlers,
  ...connectionHandlers,
  ...pubsubHandlers,
  ...serverHandlers,
  ...commandHandlers,
  ...adminHandlers,
  ...memoryHandlers,
  ...hashesHandlers,
  ...transactionsHandlers,
  ...listsHandlers,
  ...setsHandlers,
  ...zsetsHandlers,
  ...hotkeysHandlers,
  ...persistenceHandlers,
  ...replicationHandlers,
  ...replicaofHandlers,
  ...failoverHandlers,
};
