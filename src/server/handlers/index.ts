// Every handler, keyed by spec name ('get', 'config|get'). The command table checks that
// this and src/commands/index.ts describe the same set of commands.
import type { Handler } from '../command-table.js';
import { adminHandlers } from './admin.js';
import { commandHandlers } from './command.js';
import { connectionHandlers } from './connection.js';
import { keysHandlers } from './keys.js';
import { memoryHandlers } from './memory.js';
import { serverHandlers } from './server.js';
import { stringsHandlers } from './strings.js';
import { transactionsHandlers } from './transactions.js';

export const allHandlers: Record<string, Handler> = {
  ...stringsHandlers,
  ...keysHandlers,
  ...connectionHandlers,
  ...serverHandlers,
  ...commandHandlers,
  ...adminHandlers,
  ...memoryHandlers,
  ...transactionsHandlers,
};
