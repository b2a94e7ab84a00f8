// Declarative table of every Redis 7.0 configuration parameter Shoal accepts, and of Shoal's own
// (flag X: default TTL, key patterns, hot keys): name, alias, value type, default (exactly as
// CONFIG GET prints it on 7.0), and flags (immutable, protected, sensitive, hidden, effective,
// extension). Behaviour lives in values.ts / config.ts.

/** Names of parameters whose parsing/printing/rewriting is bespoke (see values.ts, rewrite.ts). */
export type SpecialName =
  | 'save'
  | 'bind'
  | 'client-output-buffer-limit'
  | 'notify-keyspace-events'
  | 'oom-score-adj-values'
  | 'latency-tracking-info-percentiles'
  | 'replicaof'
  | 'dir';

/** Extra validation for plain string parameters. */
export type StringCheck = 'hostname' | 'proc-title-template';

export type ParamType =
  | { readonly kind: 'bool' }
  /** Integer parsed strictly (no units). `octal` = read/printed base 8. `clamp` = silently clamped after validation. */
  | {
      readonly kind: 'int';
      readonly min: bigint;
      readonly max: bigint;
      readonly octal?: boolean;
      readonly clamp?: readonly [bigint, bigint];
    }
  /** Byte count accepting b/k/kb/m/mb/g/gb suffixes; `percent` also accepts "N%" (0..100). */
  | { readonly kind: 'memory'; readonly min: bigint; readonly max: bigint; readonly percent?: boolean }
  /** One of `values` (case-insensitive); `synonyms` maps accepted spellings to the printed one. */
  | {
      readonly kind: 'enum';
      readonly values: readonly string[];
      readonly synonyms?: Readonly<Record<string, string>>;
    }
  /** Space separated set of flag words, e.g. shutdown-on-sigint "nosave now". */
  | { readonly kind: 'flags'; readonly values: readonly string[] }
  | { readonly kind: 'string'; readonly check?: StringCheck }
  | { readonly kind: 'special'; readonly special: SpecialName };

export interface ParamSpec {
  /** Canonical name, as CONFIG GET * prints it. */
  readonly name: string;
  /** Legacy alias (e.g. slaveof for replicaof); also listed by CONFIG GET *. */
  readonly alias?: string;
  readonly type: ParamType;
  /** Default value in CONFIG GET format ('' for dir means "the process cwd"). */
  readonly defaultValue: string;
  /** CONFIG SET rejects it: "can't set immutable config". */
  readonly immutable: boolean;
  /** CONFIG SET rejects it unless enable-protected-configs allows: "can't set protected config". */
  readonly protectedConfig: boolean;
  /** Value is a secret (redacted from logs / slowlog). */
  readonly sensitive: boolean;
  /** Not matched by CONFIG GET globs; only by its exact name. */
  readonly hidden: boolean;
  /** Shoal acts on it; false = accepted, stored and reported only. */
  readonly effective: boolean;
  /** Takes several arguments in a config file / command line (joined with spaces). */
  readonly multiArg: boolean;
  /** A Shoal extension: Redis 7.0 has no such parameter. */
  readonly extension: boolean;
}

export const INT_MIN = -2147483648n;
export const INT_MAX = 2147483647n;
export const UINT_MAX = 4294967295n;
export const LL_MIN = -9223372036854775808n;
export const LL_MAX = 9223372036854775807n;
export const ULL_MAX = 18446744073709551615n;

/** Flag letters: I immutable, P protected, S sensitive, H hidden, E effective (Shoal acts on it). */
interface Opts {
  readonly alias?: string;
  readonly flags?: string;
}

const MULTI_ARG = new Set<string>([
  'save',
  'bind',
  'client-output-buffer-limit',
  'oom-score-adj-values',
  'latency-tracking-info-percentiles',
  'replicaof',
  'shutdown-on-sigint',
  'shutdown-on-sigterm',
  // Shoal extensions: word lists (`keypatterns session: user:*:cart`).
  'keypatterns',
  'default-ttl-overrides',
]);

function mk(name: string, type: ParamType, def: string, o: Opts = {}): ParamSpec {
  const f = o.flags ?? '';
  return {
    name,
    ...(o.alias !== undefined ? { alias: o.alias } : {}),
    type,
    defaultValue: def,
    immutable: f.includes('I'),
    protectedConfig: f.includes('P'),
    sensitive: f.includes('S'),
    hidden: f.includes('H'),
    effective: f.includes('E'),
    multiArg: MULTI_ARG.has(name),
    extension: f.includes('X'),
  };
}

const bool = (n: string, d: string, o?: Opts) => mk(n, { kind: 'bool' }, d, o);
const int = (n: string, d: string, min: bigint, max: bigint, o?: Opts) =>
  mk(n, { kind: 'int', min, max }, d, o);
const octal = (n: string, d: string, min: bigint, max: bigint, o?: Opts) =>
  mk(n, { kind: 'int', min, max, octal: true }, d, o);
const mem = (n: string, d: string, min: bigint, max: bigint, o?: Opts) =>
  mk(n, { kind: 'memory', min, max }, d, o);
const percentMem = (n: string, d: string, o?: Opts) =>
  mk(n, { kind: 'memory', min: 0n, max: LL_MAX, percent: true }, d, o);
const enumOf = (n: string, d: string, values: readonly string[], o?: Opts) =>
  mk(n, { kind: 'enum', values }, d, o);
const flagsEnum = (n: string, d: string, values: readonly string[], o?: Opts) =>
  mk(n, { kind: 'flags', values }, d, o);
const str = (n: string, d: string, o?: Opts) => mk(n, { kind: 'string' }, d, o);
const special = (n: SpecialName, d: string, o?: Opts) => mk(n, { kind: 'special', special: n }, d, o);

const SHUTDOWN_FLAGS = ['default', 'save', 'nosave', 'now', 'force'] as const;
const POLICIES = [
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'noeviction',
] as const;
const FACILITIES = ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

/** Every parameter, sorted by name (CONFIG GET order is unspecified in Redis; Shoal uses this order). */
export const PARAMS: readonly ParamSpec[] = [
  enumOf('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  str('aclfile', '', { flags: 'I' }),
  int('acllog-max-len', '128', 0n, LL_MAX),
  int('active-defrag-cycle-max', '25', 1n, 99n),
  int('active-defrag-cycle-min', '1', 1n, 99n),
  mem('active-defrag-ignore-bytes', '104857600', 1n, LL_MAX),
  int('active-defrag-max-scan-fields', '1000', 1n, LL_MAX),
  int('active-defrag-threshold-lower', '10', 0n, 1000n),
  int('active-defrag-threshold-upper', '100', 0n, 1000n),
  int('active-expire-effort', '1', 1n, 10n, { flags: 'E' }),
  bool('activedefrag', 'no'),
  bool('activerehashing', 'yes'),
  bool('always-show-logo', 'no', { flags: 'I' }),
  bool('aof-disable-auto-gc', 'no'),
  bool('aof-load-truncated', 'yes'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('aof-use-rdb-preamble', 'yes'),
  str('aof_rewrite_cpulist', '', { flags: 'I' }),
  str('appenddirname', 'appendonlydir', { flags: 'I' }),
  str('appendfilename', 'appendonly.aof', { flags: 'I' }),
  enumOf('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('appendonly', 'no', { flags: 'E' }),
  mem('auto-aof-rewrite-min-size', '67108864', 0n, LL_MAX),
  int('auto-aof-rewrite-percentage', '100', 0n, INT_MAX),
  str('bgsave_cpulist', '', { flags: 'I' }),
  // Shoal listens on loopback by default (as the redis.conf Debian ships does), not on every interface.
  special('bind', '127.0.0.1 -::1', { flags: 'E' }),
  str('bind-source-addr', ''),
  str('bio_cpulist', '', { flags: 'I' }),
  int('busy-reply-threshold', '5000', 0n, LL_MAX, { alias: 'lua-time-limit' }),
  special(
    'client-output-buffer-limit',
    'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    { flags: 'E' },
  ),
  mem('client-query-buffer-limit', '1073741824', 1048576n, LL_MAX, { flags: 'E' }),
  bool('cluster-allow-pubsubshard-when-down', 'yes'),
  bool('cluster-allow-reads-when-down', 'no'),
  bool('cluster-allow-replica-migration', 'yes'),
  int('cluster-announce-bus-port', '0', 0n, 65535n),
  mk('cluster-announce-hostname', { kind: 'string', check: 'hostname' }, ''),
  str('cluster-announce-ip', ''),
  int('cluster-announce-port', '0', 0n, 65535n),
  int('cluster-announce-tls-port', '0', 0n, 65535n),
  str('cluster-config-file', 'nodes.conf', { flags: 'I' }),
  bool('cluster-enabled', 'no', { flags: 'I' }),
  mem('cluster-link-sendbuf-limit', '0', 0n, ULL_MAX),
  int('cluster-migration-barrier', '1', 0n, INT_MAX),
  int('cluster-node-timeout', '15000', 0n, LL_MAX),
  int('cluster-port', '0', 0n, 65535n, { flags: 'I' }),
  enumOf('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  bool('cluster-replica-no-failover', 'no', { alias: 'cluster-slave-no-failover' }),
  int('cluster-replica-validity-factor', '10', 0n, INT_MAX, { alias: 'cluster-slave-validity-factor' }),
  bool('cluster-require-full-coverage', 'yes'),
  bool('crash-log-enabled', 'yes'),
  bool('crash-memcheck-enabled', 'yes'),
  bool('daemonize', 'no', { flags: 'IE' }),
  int('databases', '16', 1n, INT_MAX, { flags: 'IE' }),
  str('dbfilename', 'dump.rdb', { flags: 'PE' }),
  // Shoal extension (default TTL): seconds given to keys written without a TTL (0 = off), and
  // "<prefix> <seconds|none> ..." overrides, longest prefix first (analytics/default-ttl.ts).
  int('default-ttl', '0', 0n, INT_MAX, { flags: 'EX' }),
  str('default-ttl-overrides', '', { flags: 'EX' }),
  special('dir', '', { flags: 'PE' }),
  bool('disable-thp', 'yes', { flags: 'I' }),
  bool('dynamic-hz', 'yes', { flags: 'E' }),
  enumOf('enable-debug-command', 'no', ['no', 'yes', 'local'], { flags: 'I' }),
  enumOf('enable-module-command', 'no', ['no', 'yes', 'local'], { flags: 'I' }),
  enumOf('enable-protected-configs', 'no', ['no', 'yes', 'local'], { flags: 'I' }),
  int('hash-max-listpack-entries', '512', 0n, LL_MAX, { alias: 'hash-max-ziplist-entries', flags: 'E' }),
  mem('hash-max-listpack-value', '64', 0n, LL_MAX, { alias: 'hash-max-ziplist-value', flags: 'E' }),
  mem('hll-sparse-max-bytes', '3000', 0n, LL_MAX),
  // Shoal extension (HOTKEYS): keys kept by the hot-key tracker, and whether it runs.
  int('hotkeys-top-k', '32', 1n, 65536n, { flags: 'EX' }),
  bool('hotkeys-tracking', 'no', { flags: 'EX' }),
  mk('hz', { kind: 'int', min: 0n, max: INT_MAX, clamp: [1n, 500n] }, '10', { flags: 'E' }),
  str('ignore-warnings', ''),
  int('io-threads', '1', 1n, 128n, { flags: 'I' }),
  bool('io-threads-do-reads', 'no', { flags: 'I' }),
  bool('jemalloc-bg-thread', 'yes'),
  // Shoal extension (INFO keypatterns): key prefixes or globs to keep statistics for, "" = off
  // (analytics/keypatterns.ts).
  str('keypatterns', '', { flags: 'EX' }),
  // Shoal extension (large values): string values of at least this many bytes are counted
  // and logged (analytics/large-values.ts); 0 = off.
  // Shoal extension: keep string values over large-value-threshold deflated, invisibly.
  bool('large-value-compression', 'no', { flags: 'EX' }),
  mem('large-value-threshold', '1048576', 0n, LL_MAX, { flags: 'EX' }),
  int('latency-monitor-threshold', '0', 0n, LL_MAX, { flags: 'E' }),
  bool('latency-tracking', 'yes'),
  special('latency-tracking-info-percentiles', '50 99 99.9'),
  bool('lazyfree-lazy-eviction', 'no', { flags: 'E' }),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  int('lfu-decay-time', '1', 0n, INT_MAX, { flags: 'E' }),
  int('lfu-log-factor', '10', 0n, INT_MAX, { flags: 'E' }),
  int('list-compress-depth', '0', 0n, INT_MAX),
  int('list-max-listpack-size', '-2', INT_MIN, INT_MAX, { alias: 'list-max-ziplist-size', flags: 'E' }),
  str('logfile', '', { flags: 'IE' }),
  enumOf('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning'], { flags: 'E' }),
  str('masterauth', '', { flags: 'S' }),
  str('masteruser', ''),
  int('maxclients', '10000', 1n, UINT_MAX, { flags: 'E' }),
  mem('maxmemory', '0', 0n, ULL_MAX, { flags: 'E' }),
  percentMem('maxmemory-clients', '0'),
  int('maxmemory-eviction-tenacity', '10', 0n, 100n, { flags: 'E' }),
  enumOf('maxmemory-policy', 'noeviction', POLICIES, { flags: 'E' }),
  int('maxmemory-samples', '5', 1n, INT_MAX, { flags: 'E' }),
  int('min-replicas-max-lag', '10', 0n, INT_MAX, { alias: 'min-slaves-max-lag' }),
  int('min-replicas-to-write', '0', 0n, INT_MAX, { alias: 'min-slaves-to-write' }),
  bool('no-appendfsync-on-rewrite', 'no'),
  special('notify-keyspace-events', '', { flags: 'E' }),
  mk('oom-score-adj', { kind: 'enum', values: ['no', 'yes', 'relative', 'absolute'], synonyms: { relative: 'yes' } }, 'no'),
  special('oom-score-adj-values', '0 200 800'),
  str('pidfile', '', { flags: 'IE' }),
  int('port', '6379', 0n, 65535n, { flags: 'E' }),
  mk('proc-title-template', { kind: 'string', check: 'proc-title-template' }, '{title} {listen-addr} {server-mode}'),
  enumOf('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  bool('protected-mode', 'yes', { flags: 'E' }),
  mem('proto-max-bulk-len', '536870912', 1048576n, LL_MAX, { flags: 'E' }),
  bool('rdb-del-sync-files', 'no'),
  bool('rdb-save-incremental-fsync', 'yes'),
  bool('rdbchecksum', 'yes', { flags: 'I' }),
  bool('rdbcompression', 'yes'),
  mem('repl-backlog-size', '1048576', 1n, LL_MAX),
  int('repl-backlog-ttl', '3600', 0n, LL_MAX),
  bool('repl-disable-tcp-nodelay', 'no'),
  enumOf('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  bool('repl-diskless-sync', 'yes'),
  int('repl-diskless-sync-delay', '5', 0n, INT_MAX),
  int('repl-diskless-sync-max-replicas', '0', 0n, INT_MAX),
  int('repl-ping-replica-period', '10', 1n, INT_MAX, { alias: 'repl-ping-slave-period' }),
  int('repl-timeout', '60', 1n, INT_MAX),
  str('replica-announce-ip', '', { alias: 'slave-announce-ip' }),
  int('replica-announce-port', '0', 0n, 65535n, { alias: 'slave-announce-port' }),
  bool('replica-announced', 'yes'),
  bool('replica-ignore-disk-write-errors', 'no'),
  bool('replica-ignore-maxmemory', 'yes', { alias: 'slave-ignore-maxmemory' }),
  bool('replica-lazy-flush', 'no', { alias: 'slave-lazy-flush' }),
  int('replica-priority', '100', 0n, INT_MAX, { alias: 'slave-priority' }),
  bool('replica-read-only', 'yes', { alias: 'slave-read-only' }),
  bool('replica-serve-stale-data', 'yes', { alias: 'slave-serve-stale-data' }),
  special('replicaof', '', { alias: 'slaveof', flags: 'I' }),
  str('requirepass', '', { flags: 'SE' }),
  enumOf('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  special('save', '3600 1 300 100 60 10000', { flags: 'E' }),
  str('server_cpulist', '', { flags: 'I' }),
  int('set-max-intset-entries', '512', 0n, LL_MAX, { flags: 'E' }),
  bool('set-proc-title', 'yes', { flags: 'I' }),
  flagsEnum('shutdown-on-sigint', 'default', SHUTDOWN_FLAGS),
  flagsEnum('shutdown-on-sigterm', 'default', SHUTDOWN_FLAGS),
  int('shutdown-timeout', '10', 0n, INT_MAX),
  int('slowlog-log-slower-than', '10000', -1n, LL_MAX, { flags: 'E' }),
  int('slowlog-max-len', '128', 0n, LL_MAX, { flags: 'E' }),
  int('socket-mark-id', '0', 0n, UINT_MAX, { flags: 'I' }),
  bool('stop-writes-on-bgsave-error', 'yes'),
  mem('stream-node-max-bytes', '4096', 0n, LL_MAX),
  int('stream-node-max-entries', '100', 0n, LL_MAX),
  enumOf('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { flags: 'I' }),
  bool('syslog-enabled', 'no', { flags: 'I' }),
  enumOf('syslog-facility', 'local0', FACILITIES, { flags: 'I' }),
  str('syslog-ident', 'redis', { flags: 'I' }),
  int('tcp-backlog', '511', 0n, INT_MAX, { flags: 'IE' }),
  int('tcp-keepalive', '300', 0n, INT_MAX, { flags: 'E' }),
  int('timeout', '0', 0n, INT_MAX, { flags: 'E' }),
  enumOf('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  str('tls-ca-cert-dir', ''),
  str('tls-ca-cert-file', ''),
  str('tls-cert-file', ''),
  str('tls-ciphers', ''),
  str('tls-ciphersuites', ''),
  str('tls-client-cert-file', ''),
  str('tls-client-key-file', ''),
  str('tls-client-key-file-pass', '', { flags: 'S' }),
  bool('tls-cluster', 'no'),
  str('tls-dh-params-file', ''),
  str('tls-key-file', ''),
  str('tls-key-file-pass', '', { flags: 'S' }),
  int('tls-port', '0', 0n, 65535n),
  bool('tls-prefer-server-ciphers', 'no'),
  str('tls-protocols', ''),
  bool('tls-replication', 'no'),
  int('tls-session-cache-size', '20480', 0n, INT_MAX),
  int('tls-session-cache-timeout', '300', 0n, INT_MAX),
  bool('tls-session-caching', 'yes'),
  int('tracking-table-max-keys', '1000000', 0n, LL_MAX, { flags: 'E' }),
  str('unixsocket', '', { flags: 'IE' }),
  octal('unixsocketperm', '0', 0n, 0o777n, { flags: 'IE' }),
  int('zset-max-listpack-entries', '128', 0n, LL_MAX, { alias: 'zset-max-ziplist-entries', flags: 'E' }),
  mem('zset-max-listpack-value', '64', 0n, LL_MAX, { alias: 'zset-max-ziplist-value', flags: 'E' }),
  // Hidden (debug) parameters: not listed by CONFIG GET *, but gettable/settable by exact name.
  int('key-load-delay', '0', INT_MIN, INT_MAX, { flags: 'H' }),
  int('loading-process-events-interval-bytes', '2097152', 1024n, INT_MAX, { flags: 'H' }),
  int('rdb-key-save-delay', '0', INT_MIN, INT_MAX, { flags: 'H' }),
  int('watchdog-period', '0', 0n, INT_MAX, { flags: 'H' }),
];

/** Directives valid in a config file that are not parameters (kept verbatim by CONFIG REWRITE). */
export const FILE_ONLY_DIRECTIVES: ReadonlySet<string> = new Set([
  'include',
  'rename-command',
  'user',
  'loadmodule',
  'sentinel',
]);

/** Parameters removed in 7.0 that a config file may still name; silently ignored (2 args). */
export const DEPRECATED_PARAMS: ReadonlySet<string> = new Set([
  'list-max-ziplist-entries',
  'list-max-ziplist-value',
  'lua-replicate-commands',
]);

const byName = new Map<string, ParamSpec>();
for (const p of PARAMS) {
  byName.set(p.name, p);
  if (p.alias !== undefined) byName.set(p.alias, p);
}

/** Case-insensitive lookup by canonical name or alias. */
export function lookupParam(name: string): ParamSpec | undefined {
  return byName.get(name.toLowerCase());
}
