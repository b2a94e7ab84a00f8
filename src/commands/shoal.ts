// Shoal's own commands (extensions Redis 7.0 lacks): the declarative specs, written by hand in
// the shape of the generated spec files. `doc.since` is the Shoal version that added the
// command. The handlers live in src/server/handlers/ under the same names (HOTKEYS:
// handlers/hotkeys.ts).
import type { CommandSpec } from './types.js';

export const shoalSpecs: CommandSpec[] = [
  {
    name: "hotkeys",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale"],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ["admin", "slow", "dangerous"],
    tips: ["nondeterministic_output"],
    doc: {
      summary: "Return the most accessed keys with their estimated access rates (Shoal extension; needs hotkeys-tracking yes)",
      since: "0.1.0",
      group: "server",
      complexity: "O(K log K) where K is the number of keys tracked (hotkeys-top-k)",
      arguments: [
        {
          name: "action",
          type: "oneof",
          flags: ["optional"],
          arguments: [
            { name: "reset", type: "pure-token", token: "RESET" },
            {
              name: "query",
              type: "block",
              arguments: [
                { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
                { name: "index", type: "integer", token: "DB", flags: ["optional"] },
              ],
            },
          ],
        },
      ],
    },
  },
];
