// Hash commands: the declarative specs (arity, flags, key positions, ACL categories, docs).
// Everything else — COMMAND, arity errors, key extraction, docs/COMMANDS.md — derives from here.
// The handlers live in src/server/handlers/hashes.ts under the same names.
import type { CommandSpec } from './types.js';

export const hashesSpecs: CommandSpec[] = [
  {
    name: "hset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RW", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Set the string value of a hash field",
      since: "2.0.0",
      group: "hash",
      complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
      history: [
        ["4.0.0", "Accepts multiple `field` and `value` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        {
          name: "field_value",
          type: "block",
          flags: ["multiple"],
          arguments: [
            { name: "field", type: "string" },
            { name: "value", type: "string" },
          ],
        },
      ],
    },
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Set the value of a hash field, only if the field does not exist",
      since: "2.0.0",
      group: "hash",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string" },
        { name: "value", type: "string" },
      ],
    },
  },
  {
    name: "hget",
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get the value of a hash field",
      since: "2.0.0",
      group: "hash",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string" },
      ],
    },
  },
  {
    name: "hmget",
    arity: -3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get the values of all the given hash fields",
      since: "2.0.0",
      group: "hash",
      complexity: "O(N) where N is the number of fields being requested.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "hmset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RW", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Set multiple hash fields to multiple values",
      since: "2.0.0",
      group: "hash",
      complexity: "O(N) where N is the number of fields being set.",
      docFlags: ["deprecated"],
      deprecatedSince: "4.0.0",
      replacedBy: "`HSET` with multiple field-value pairs",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        {
          name: "field_value",
          type: "block",
          flags: ["multiple"],
          arguments: [
            { name: "field", type: "string" },
            { name: "value", type: "string" },
          ],
        },
      ],
    },
  },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RW", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Delete one or more hash fields",
      since: "2.0.0",
      group: "hash",
      complexity: "O(N) where N is the number of fields to be removed.",
      history: [
        ["2.4.0", "Accepts multiple `field` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "hexists",
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RO"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Determine if a hash field exists",
      since: "2.0.0",
      group: "hash",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string" },
      ],
    },
  },
  {
    name: "hlen",
    arity: 2,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RO"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get the number of fields in a hash",
      since: "2.0.0",
      group: "hash",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
      ],
    },
  },
  {
    name: "hstrlen",
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RO"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get the length of the value of a hash field",
      since: "3.2.0",
      group: "hash",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string" },
      ],
    },
  },
  {
    name: "hkeys",
    arity: 2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "slow"],
    tips: ["nondeterministic_output_order"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get all the fields in a hash",
      since: "2.0.0",
      group: "hash",
      complexity: "O(N) where N is the size of the hash.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
      ],
    },
  },
  {
    name: "hvals",
    arity: 2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "slow"],
    tips: ["nondeterministic_output_order"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get all the values in a hash",
      since: "2.0.0",
      group: "hash",
      complexity: "O(N) where N is the size of the hash.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
      ],
    },
  },
  {
    name: "hgetall",
    arity: 2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "slow"],
    tips: ["nondeterministic_output_order"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get all the fields and values in a hash",
      since: "2.0.0",
      group: "hash",
      complexity: "O(N) where N is the size of the hash.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
      ],
    },
  },
  {
    name: "hincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RW", "access", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Increment the integer value of a hash field by the given number",
      since: "2.0.0",
      group: "hash",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string" },
        { name: "increment", type: "integer" },
      ],
    },
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "hash", "fast"],
    keySpecs: [
      {
        flags: ["RW", "access", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Increment the float value of a hash field by the given amount",
      since: "2.6.0",
      group: "hash",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "field", type: "string" },
        { name: "increment", type: "double" },
      ],
    },
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "slow"],
    tips: ["nondeterministic_output"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get one or multiple random fields from a hash",
      since: "6.2.0",
      group: "hash",
      complexity: "O(N) where N is the number of fields returned",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        {
          name: "options",
          type: "block",
          flags: ["optional"],
          arguments: [
            { name: "count", type: "integer" },
            { name: "withvalues", type: "pure-token", token: "WITHVALUES", flags: ["optional"] },
          ],
        },
      ],
    },
  },
  {
    name: "hscan",
    arity: -3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "hash", "slow"],
    tips: ["nondeterministic_output"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Incrementally iterate hash fields and associated values",
      since: "2.8.0",
      group: "hash",
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
