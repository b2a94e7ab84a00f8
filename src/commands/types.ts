// The shape of a command spec. One spec per command (and per subcommand of a container
// command such as CONFIG or CLIENT). The dispatch gate, COMMAND, key extraction for cluster
// and proxy routing, and docs/COMMANDS.md all read these; nothing re-declares them.

/** Command flags, spelled as Redis 7.0 reports them in COMMAND INFO. */
export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'module' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'asking' | 'fast' | 'no_auth'
  | 'may_replicate' | 'sentinel' | 'only_sentinel' | 'no_mandatory_keys' | 'no_multi'
  | 'movablekeys' | 'allow_busy' | 'no_async_loading';

export interface KeySpec {
  flags: string[];
  notes?: string;
  beginSearch: { type: string; index?: number; keyword?: string; startfrom?: number };
  findKeys: { type: string; lastkey?: number; keystep?: number; limit?: number; keynumidx?: number; firstkey?: number };
}

/** An argument in COMMAND DOCS form (names follow Redis's reply, camel-cased). */
export interface DocArg {
  name: string;
  type: string;
  display?: string;
  keySpecIndex?: number;
  token?: string;
  summary?: string;
  since?: string;
  flags?: string[];
  deprecatedSince?: string;
  value?: string;
  arguments?: DocArg[];
}

export interface CommandDoc {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  docFlags?: string[];
  deprecatedSince?: string;
  replacedBy?: string;
  history?: [string, string][];
  arguments?: DocArg[];
}

export interface CommandSpec {
  /** Lower case; a subcommand is 'container|sub' as in COMMAND INFO. */
  name: string;
  /** Redis arity: N means exactly N arguments (command name included), -N means at least N. */
  arity: number;
  flags: CommandFlag[];
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories without the leading '@'. */
  acl: string[];
  tips?: string[];
  keySpecs?: KeySpec[];
  doc: CommandDoc;
  subcommands?: CommandSpec[];
}
