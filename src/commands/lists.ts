// List commands: the declarative specs (arity, flags, key positions, ACL categories, docs).
// Everything else — COMMAND, arity errors, key extraction, docs/COMMANDS.md — derives from here.
// The handlers live in src/server/handlers/lists.ts under the same names.
import type { CommandSpec } from './types.js';

export const listsSpecs: CommandSpec[] = [
  {
    name: "lpush",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "fast"],
    keySpecs: [
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Prepend one or multiple elements to a list",
      since: "1.0.0",
      group: "list",
      complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
      history: [
        ["2.4.0", "Accepts multiple `element` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "element", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "rpush",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "fast"],
    keySpecs: [
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Append one or multiple elements to a list",
      since: "1.0.0",
      group: "list",
      complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
      history: [
        ["2.4.0", "Accepts multiple `element` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "element", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "lpushx",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "fast"],
    keySpecs: [
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Prepend an element to a list, only if the list exists",
      since: "2.2.0",
      group: "list",
      complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
      history: [
        ["4.0.0", "Accepts multiple `element` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "element", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "rpushx",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "fast"],
    keySpecs: [
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Append an element to a list, only if the list exists",
      since: "2.2.0",
      group: "list",
      complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
      history: [
        ["4.0.0", "Accepts multiple `element` arguments."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "element", type: "string", flags: ["multiple"] },
      ],
    },
  },
  {
    name: "lpop",
    arity: -2,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "fast"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Remove and get the first elements in a list",
      since: "1.0.0",
      group: "list",
      complexity: "O(N) where N is the number of elements returned",
      history: [
        ["6.2.0", "Added the `count` argument."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "count", type: "integer", since: "6.2.0", flags: ["optional"] },
      ],
    },
  },
  {
    name: "rpop",
    arity: -2,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "fast"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Remove and get the last elements in a list",
      since: "1.0.0",
      group: "list",
      complexity: "O(N) where N is the number of elements returned",
      history: [
        ["6.2.0", "Added the `count` argument."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "count", type: "integer", since: "6.2.0", flags: ["optional"] },
      ],
    },
  },
  {
    name: "llen",
    arity: 2,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "list", "fast"],
    keySpecs: [
      {
        flags: ["RO"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get the length of a list",
      since: "1.0.0",
      group: "list",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
      ],
    },
  },
  {
    name: "lrange",
    arity: 4,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "list", "slow"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get a range of elements from a list",
      since: "1.0.0",
      group: "list",
      complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "start", type: "integer" },
        { name: "stop", type: "integer" },
      ],
    },
  },
  {
    name: "lindex",
    arity: 3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "list", "slow"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Get an element from a list by its index",
      since: "1.0.0",
      group: "list",
      complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "index", type: "integer" },
      ],
    },
  },
  {
    name: "lset",
    arity: 4,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "slow"],
    keySpecs: [
      {
        flags: ["RW", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Set the value of an element in a list by its index",
      since: "1.0.0",
      group: "list",
      complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "index", type: "integer" },
        { name: "element", type: "string" },
      ],
    },
  },
  {
    name: "linsert",
    arity: 5,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "slow"],
    keySpecs: [
      {
        flags: ["RW", "insert"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Insert an element before or after another element in a list",
      since: "2.2.0",
      group: "list",
      complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        {
          name: "where",
          type: "oneof",
          arguments: [
            { name: "before", type: "pure-token", token: "BEFORE" },
            { name: "after", type: "pure-token", token: "AFTER" },
          ],
        },
        { name: "pivot", type: "string" },
        { name: "element", type: "string" },
      ],
    },
  },
  {
    name: "lrem",
    arity: 4,
    flags: ["write"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "slow"],
    keySpecs: [
      {
        flags: ["RW", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Remove elements from a list",
      since: "1.0.0",
      group: "list",
      complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "count", type: "integer" },
        { name: "element", type: "string" },
      ],
    },
  },
  {
    name: "ltrim",
    arity: 4,
    flags: ["write"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "list", "slow"],
    keySpecs: [
      {
        flags: ["RW", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Trim a list to the specified range",
      since: "1.0.0",
      group: "list",
      complexity: "O(N) where N is the number of elements to be removed by the operation.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "start", type: "integer" },
        { name: "stop", type: "integer" },
      ],
    },
  },
  {
    name: "lpos",
    arity: -3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "list", "slow"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Return the index of matching elements on a list",
      since: "6.0.6",
      group: "list",
      complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "element", type: "string" },
        { name: "rank", type: "integer", token: "RANK", flags: ["optional"] },
        { name: "num-matches", type: "integer", token: "COUNT", flags: ["optional"] },
        { name: "len", type: "integer", token: "MAXLEN", flags: ["optional"] },
      ],
    },
  },
  {
    name: "lmove",
    arity: 5,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: ["write", "list", "slow"],
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
      summary: "Pop an element from a list, push it to another list and return it",
      since: "6.2.0",
      group: "list",
      complexity: "O(1)",
      arguments: [
        { name: "source", type: "key", keySpecIndex: 0 },
        { name: "destination", type: "key", keySpecIndex: 1 },
        {
          name: "wherefrom",
          type: "oneof",
          arguments: [
            { name: "left", type: "pure-token", token: "LEFT" },
            { name: "right", type: "pure-token", token: "RIGHT" },
          ],
        },
        {
          name: "whereto",
          type: "oneof",
          arguments: [
            { name: "left", type: "pure-token", token: "LEFT" },
            { name: "right", type: "pure-token", token: "RIGHT" },
          ],
        },
      ],
    },
  },
  {
    name: "rpoplpush",
    arity: 3,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: ["write", "list", "slow"],
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
      summary: "Remove the last element in a list, prepend it to another list and return it",
      since: "1.2.0",
      group: "list",
      complexity: "O(1)",
      docFlags: ["deprecated"],
      deprecatedSince: "6.2.0",
      replacedBy: "`LMOVE` with the `RIGHT` and `LEFT` arguments",
      arguments: [
        { name: "source", type: "key", keySpecIndex: 0 },
        { name: "destination", type: "key", keySpecIndex: 1 },
      ],
    },
  },
  {
    name: "lmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["write", "list", "slow"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "keynum", keynumidx: 0, firstkey: 1, keystep: 1 },
      },
    ],
    doc: {
      summary: "Pop elements from a list",
      since: "7.0.0",
      group: "list",
      complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
      arguments: [
        { name: "numkeys", type: "integer" },
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
        {
          name: "where",
          type: "oneof",
          arguments: [
            { name: "left", type: "pure-token", token: "LEFT" },
            { name: "right", type: "pure-token", token: "RIGHT" },
          ],
        },
        { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
      ],
    },
  },
  {
    name: "blpop",
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    firstKey: 1,
    lastKey: -2,
    step: 1,
    acl: ["write", "list", "slow", "blocking"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: -2, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Remove and get the first element in a list, or block until one is available",
      since: "2.0.0",
      group: "list",
      complexity: "O(N) where N is the number of provided keys.",
      history: [
        ["6.0.0", "`timeout` is interpreted as a double instead of an integer."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
        { name: "timeout", type: "double" },
      ],
    },
  },
  {
    name: "brpop",
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    firstKey: 1,
    lastKey: -2,
    step: 1,
    acl: ["write", "list", "slow", "blocking"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: -2, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Remove and get the last element in a list, or block until one is available",
      since: "2.0.0",
      group: "list",
      complexity: "O(N) where N is the number of provided keys.",
      history: [
        ["6.0.0", "`timeout` is interpreted as a double instead of an integer."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
        { name: "timeout", type: "double" },
      ],
    },
  },
  {
    name: "blmove",
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: ["write", "list", "slow", "blocking"],
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
      summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
      since: "6.2.0",
      group: "list",
      complexity: "O(1)",
      arguments: [
        { name: "source", type: "key", keySpecIndex: 0 },
        { name: "destination", type: "key", keySpecIndex: 1 },
        {
          name: "wherefrom",
          type: "oneof",
          arguments: [
            { name: "left", type: "pure-token", token: "LEFT" },
            { name: "right", type: "pure-token", token: "RIGHT" },
          ],
        },
        {
          name: "whereto",
          type: "oneof",
          arguments: [
            { name: "left", type: "pure-token", token: "LEFT" },
            { name: "right", type: "pure-token", token: "RIGHT" },
          ],
        },
        { name: "timeout", type: "double" },
      ],
    },
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: ["write", "list", "slow", "blocking"],
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
      summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
      since: "2.2.0",
      group: "list",
      complexity: "O(1)",
      docFlags: ["deprecated"],
      deprecatedSince: "6.2.0",
      replacedBy: "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
      history: [
        ["6.0.0", "`timeout` is interpreted as a double instead of an integer."],
      ],
      arguments: [
        { name: "source", type: "key", keySpecIndex: 0 },
        { name: "destination", type: "key", keySpecIndex: 1 },
        { name: "timeout", type: "double" },
      ],
    },
  },
  {
    name: "blmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["write", "list", "slow", "blocking"],
    keySpecs: [
      {
        flags: ["RW", "access", "delete"],
        beginSearch: { type: "index", index: 2 },
        findKeys: { type: "keynum", keynumidx: 0, firstkey: 1, keystep: 1 },
      },
    ],
    doc: {
      summary: "Pop elements from a list, or block until one is available",
      since: "7.0.0",
      group: "list",
      complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
      arguments: [
        { name: "timeout", type: "double" },
        { name: "numkeys", type: "integer" },
        { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] },
        {
          name: "where",
          type: "oneof",
          arguments: [
            { name: "left", type: "pure-token", token: "LEFT" },
            { name: "right", type: "pure-token", token: "RIGHT" },
          ],
        },
        { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
      ],
    },
  },
];
