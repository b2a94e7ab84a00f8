// All command specs, in one list. Adding a group: write its spec file, add it here, and add
// its handler file to src/server/handlers/index.ts.
import { bitmapsSpecs } from './bitmaps.js';
import { connectionSpecs } from './connection.js';
import { hashesSpecs } from './hashes.js';
import { keysSpecs } from './keys.js';
import { listsSpecs } from './lists.js';
import { pubsubSpecs } from './pubsub.js';
import { serverSpecs } from './server.js';
import { setsSpecs } from './sets.js';
import { shoalSpecs } from './shoal.js';
import { stringsSpecs } from './strings.js';
import { transactionsSpecs } from './transactions.js';
import type { CommandSpec } from './types.js';
import { zsetsSpecs } from './zsets.js';

export const allSpecs: CommandSpec[] = [...stringsSpecs, ...bitmapsSpecs, ...keysSpecs, ...connectionSpecs, ...pubsubSpecs, ...serverSpecs, ...transactionsSpecs, ...hashesSpecs, ...listsSpecs, ...setsSpecs, ...zsetsSpecs, ...shoalSpecs];
export type { CommandSpec } from './types.js';
