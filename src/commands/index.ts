// All command specs, in one list. Adding a group: write its spec file, add it here, and add
// its handler file to src/server/handlers/index.ts.
import { connectionSpecs } from './connection.js';
import { keysSpecs } from './keys.js';
import { serverSpecs } from './server.js';
import { stringsSpecs } from './strings.js';
import { transactionsSpecs } from './transactions.js';
import type { CommandSpec } from './types.js';

export const allSpecs: CommandSpec[] = [...stringsSpecs, ...keysSpecs, ...connectionSpecs, ...serverSpecs, ...transactionsSpecs];
export type { CommandSpec } from './types.js';
