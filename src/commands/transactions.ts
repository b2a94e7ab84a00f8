// Transaction commands: the declarative specs (arity, flags, key positions, ACL categories, docs).
// Everything else — COMMAND, arity errors, key extraction, docs/COMMANDS.md — derives from here.
// The handlers live in src/server/handlers/transactions.ts under the same names.
import type { CommandSpec } from './types.js';

export const transactionsSpecs: CommandSpec[] = [
  {
    name: "multi",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["fast", "transaction"],
    doc: {
      summary: "Mark the start of a transaction block",
      since: "1.2.0",
      group: "transactions",
      complexity: "O(1)",
    },
  },
  {
    name: "exec",
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["slow", "transaction"],
    doc: {
      summary: "Execute all commands issued after MULTI",
      since: "1.2.0",
      group: "transactions",
      complexity: "Depends on commands in the transaction",
    },
  },
  {
    name: "discard",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["fast", "transaction"],
    doc: {
      summary: "Discard all commands issued after MULTI",
      since: "2.0.0",
      group: "transactions",
      complexity: "O(N), when N is the number of queued commands",
    },
  },
  {
    name: "watch",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ["fast", "transaction"],
    keySpecs: [
      {
        flags: ["RO"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
      since: "2.2.0",
      group: "transactions",
      complexity: "O(1) for every key.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "unwatch",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["fast", "transaction"],
    doc: { summary: "Forget about all watched keys", since: "2.2.0", group: "transactions", complexity: "O(1)" },
  },
];
