// Bitmap commands: the declarative specs (arity, flags, key positions, ACL categories, docs).
// Everything else — COMMAND, arity errors, key extraction, docs/COMMANDS.md — derives from here.
// The handlers live in src/server/handlers/bitmaps.ts under the same names.
import type { CommandSpec } from './types.js';

export const bitmapsSpecs: CommandSpec[] = [
  {
    name: "setbit",
    arity: 4,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "bitmap", "slow"],
    keySpecs: [
      {
        flags: ["RW", "access", "update"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Sets or clears the bit at offset in the string value stored at key",
      since: "2.2.0",
      group: "bitmap",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "offset", type: "integer" },
        { name: "value", type: "integer" },
      ],
    },
  },
  {
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "bitmap", "fast"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Returns the bit value at offset in the string value stored at key",
      since: "2.2.0",
      group: "bitmap",
      complexity: "O(1)",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "offset", type: "integer" },
      ],
    },
  },
  {
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "bitmap", "slow"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Count set bits in a string",
      since: "2.6.0",
      group: "bitmap",
      complexity: "O(N)",
      history: [
        ["7.0.0", "Added the `BYTE|BIT` option."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        {
          name: "index",
          type: "block",
          flags: ["optional"],
          arguments: [
            { name: "start", type: "integer" },
            { name: "end", type: "integer" },
            {
              name: "index_unit",
              type: "oneof",
              since: "7.0.0",
              flags: ["optional"],
              arguments: [
                { name: "byte", type: "pure-token", token: "BYTE" },
                { name: "bit", type: "pure-token", token: "BIT" },
              ],
            },
          ],
        },
      ],
    },
  },
  {
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "bitmap", "slow"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Find first bit set or clear in a string",
      since: "2.8.7",
      group: "bitmap",
      complexity: "O(N)",
      history: [
        ["7.0.0", "Added the `BYTE|BIT` option."],
      ],
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        { name: "bit", type: "integer" },
        {
          name: "index",
          type: "block",
          flags: ["optional"],
          arguments: [
            { name: "start", type: "integer" },
            {
              name: "end_index",
              type: "block",
              flags: ["optional"],
              arguments: [
                { name: "end", type: "integer" },
                {
                  name: "index_unit",
                  type: "oneof",
                  since: "7.0.0",
                  flags: ["optional"],
                  arguments: [
                    { name: "byte", type: "pure-token", token: "BYTE" },
                    { name: "bit", type: "pure-token", token: "BIT" },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  },
  {
    name: "bitop",
    arity: -4,
    flags: ["write", "denyoom"],
    firstKey: 2,
    lastKey: -1,
    step: 1,
    acl: ["write", "bitmap", "slow"],
    keySpecs: [
      {
        flags: ["OW", "update"],
        beginSearch: { type: "index", index: 2 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 3 },
        findKeys: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Perform bitwise operations between strings",
      since: "2.6.0",
      group: "bitmap",
      complexity: "O(N)",
      arguments: [
        { name: "operation", type: "string" },
        { name: "destkey", type: "key", keySpecIndex: 0 },
        { name: "key", type: "key", keySpecIndex: 1, flags: ["multiple"] },
      ],
    },
  },
  {
    name: "bitfield",
    arity: -2,
    flags: ["write", "denyoom"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["write", "bitmap", "slow"],
    keySpecs: [
      {
        flags: ["RW", "access", "update", "variable_flags"],
        notes: "This command allows both access and modification of the key",
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Perform arbitrary bitfield integer operations on strings",
      since: "3.2.0",
      group: "bitmap",
      complexity: "O(1) for each subcommand specified",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        {
          name: "operation",
          type: "oneof",
          flags: ["optional", "multiple"],
          arguments: [
            {
              name: "encoding_offset",
              type: "block",
              token: "GET",
              arguments: [
                { name: "encoding", type: "string" },
                { name: "offset", type: "integer" },
              ],
            },
            {
              name: "write",
              type: "block",
              arguments: [
                {
                  name: "wrap_sat_fail",
                  type: "oneof",
                  token: "OVERFLOW",
                  flags: ["optional"],
                  arguments: [
                    { name: "wrap", type: "pure-token", token: "WRAP" },
                    { name: "sat", type: "pure-token", token: "SAT" },
                    { name: "fail", type: "pure-token", token: "FAIL" },
                  ],
                },
                {
                  name: "write_operation",
                  type: "oneof",
                  arguments: [
                    {
                      name: "encoding_offset_value",
                      type: "block",
                      token: "SET",
                      arguments: [
                        { name: "encoding", type: "string" },
                        { name: "offset", type: "integer" },
                        { name: "value", type: "integer" },
                      ],
                    },
                    {
                      name: "encoding_offset_increment",
                      type: "block",
                      token: "INCRBY",
                      arguments: [
                        { name: "encoding", type: "string" },
                        { name: "offset", type: "integer" },
                        { name: "increment", type: "integer" },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ["read", "bitmap", "fast"],
    keySpecs: [
      {
        flags: ["RO", "access"],
        beginSearch: { type: "index", index: 1 },
        findKeys: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
      },
    ],
    doc: {
      summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
      since: "6.0.0",
      group: "bitmap",
      complexity: "O(1) for each subcommand specified",
      arguments: [
        { name: "key", type: "key", keySpecIndex: 0 },
        {
          name: "encoding_offset",
          type: "block",
          token: "GET",
          flags: ["optional", "multiple", "multiple_token"],
          arguments: [
            { name: "encoding", type: "string" },
            { name: "offset", type: "integer" },
          ],
        },
      ],
    },
  },
];
