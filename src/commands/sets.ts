// Set commands: the declarative specs (arity, flags, key positions, ACL categories, docs).
// Everything else — COMMAND, arity errors, key extraction, docs/COMMANDS.md — derives from here.
// The handlers live in src/server/handlers/sets.ts under the same names.
import type { CommandSpec } from './types.js';

export const setsSpecs: CommandSpec[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "set", "fast"],
    keySpecs: [
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Add one or more members to a set",
      since: "1.0.0",
      group: "set",
      complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
      history: [
        ["2.4.0", "Accepts multiple `member` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "member", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "srem",
    arity: -3,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "set", "fast"],
    keySpecs: [
      {
        flags: ["RW", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Remove one or more members from a set",
      since: "1.0.0",
      group: "set",
      complexity: "O(N) where N is the number of members to be removed.",
      history: [
        ["2.4.0", "Accepts multiple `member` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "member", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "set", "slow"],
    tips: ["nondeterministic_output_order"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get all the members in a set",
      since: "1.0.0",
      group: "set",
      complexity: "O(N) where N is the set cardinality.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
      ],
    },
  },
  {
    name: "sismember",
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "set", "fast"],
    keySpecs: [
      {
        flags: ["RO"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Determine if a given value is a member of a set",
      since: "1.0.0",
      group: "set",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "member", type: "string" },
      ],
    },
  },
  {
    name: "smismember",
    arity: -3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "set", "fast"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Returns the membership associated with the given elements for a set",
      since: "6.2.0",
      group: "set",
      complexity: "O(N) where N is the number of elements being checked for membership",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "member", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "scard",
    arity: 2,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "set", "fast"],
    keySpecs: [
      {
        flags: ["RO"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get the number of members in a set",
      since: "1.0.0",
      group: "set",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
      ],
    },
  },
  {
    name: "spop",
    arity: -2,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "set", "fast"],
    tips: ["nondeterministic_output"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Remove and return one or multiple random members from a set",
      since: "1.0.0",
      group: "set",
      complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
      history: [
        ["3.2.0", "Added the `count` argument."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "count", type: "integer", since: "3.2.0", flags: ["optional"] },
      ],
    },
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "set", "slow"],
    tips: ["nondeterministic_output"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get one or multiple random members from a set",
      since: "1.0.0",
      group: "set",
      complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
      history: [
        ["2.6.0", "Added the optional `count` argument."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "count", type: "integer", since: "2.6.0", flags: ["optional"] },
      ],
    },
  },
  {
    name: "smove",
    arity: 4,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: ["write", "set", "fast"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 2 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Move a member from one set to another",
      since: "1.0.0",
      group: "set",
      complexity: "O(1)",
      arguments: [
        { name: "source", type: "key", keySpecIndex: 0 },
        { name: "destination", type: "key", keySpecIndex: 1 },
        { name: "member", type: "string" },
      ],
    },
  },
  {
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ["read", "set", "slow"],
    tips: ["nondeterministic_output_order"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Intersect multiple sets",
      since: "1.0.0",
      group: "set",
      complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["read", "set", "slow"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "keynum", keynumidx: 0, firstkey: 1, keystep: 1 },
      },
    ],
    doc: {
      summary: "Intersect multiple sets and return the cardinality of the result",
      since: "7.0.0",
      group: "set",
      complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
      arguments: [
        { name: "numkeys", type: "integer" },
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
        { name: "limit", type: "integer", token: "LIMIT", flags: ["optional"] },
      ],
    },
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ["write", "set", "slow"],
    keySpecs: [
      {
        flags: ["RW", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 2 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Intersect multiple sets and store the resulting set in a key",
      since: "1.0.0",
      group: "set",
      complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
      arguments: [
        { name: "destination", type: "key", keySpecIndex: 0 },
        { name: "key", type: "key", keySpecIndex: 1, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ["read", "set", "slow"],
    tips: ["nondeterministic_output_order"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Add multiple sets",
      since: "1.0.0",
      group: "set",
      complexity: "O(N) where N is the total number of elements in all given sets.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ["write", "set", "slow"],
    keySpecs: [
      {
        flags: ["OW", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 2 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Add multiple sets and store the resulting set in a key",
      since: "1.0.0",
      group: "set",
      complexity: "O(N) where N is the total number of elements in all given sets.",
      arguments: [
        { name: "destination", type: "key", keySpecIndex: 0 },
        { name: "key", type: "key", keySpecIndex: 1, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ["read", "set", "slow"],
    tips: ["nondeterministic_output_order"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Subtract multiple sets",
      since: "1.0.0",
      group: "set",
      complexity: "O(N) where N is the total number of elements in all given sets.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ["write", "set", "slow"],
    keySpecs: [
      {
        flags: ["OW", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 2 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Subtract multiple sets and store the resulting set in a key",
      since: "1.0.0",
      group: "set",
      complexity: "O(N) where N is the total number of elements in all given sets.",
      arguments: [
        { name: "destination", type: "key", keySpecIndex: 0 },
        { name: "key", type: "key", keySpecIndex: 1, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "sscan",
    arity: -3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "set", "slow"],
    tips: ["nondeterministic_output"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Incrementally iterate Set elements",
      since: "2.8.0",
      group: "set",
      complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "cursor", type: "integer" },
        { name: "pattern", type: "pattern", token: "MATCH", flags: ["optional"] },
        { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
      ],
    },
  },
];
