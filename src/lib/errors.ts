// The error catalog: every error text Shoal sends, worded exactly as Redis 7.0 words it.
// Handlers reply with these constants (or the builders below) and never spell an error inline,
// so one grep shows every message a client can see. Texts exclude the leading '-'.
// Entries are grouped by the area that sends them; a text several areas send (e.g. the
// numeric-argument family) lives once, in the most general group.

/**
 * Redis's getRangeLongFromObjectOrReply text for an argument outside [min, max]
 * (addReplyErrorFormat "value is out of range, value must between %ld and %ld").
 * Sic: Redis's text lacks the "be".
 */
function valueRange(min: bigint | number, max: bigint | number): string {
  return `ERR value is out of range, value must between ${min} and ${max}`;
}

export const Err = {
  // ---- generic
  syntax: 'ERR syntax error',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  unknownCommand: (name: string, args: string) =>
    `ERR unknown command '${name}', with args beginning with: ${args}`,
  unknownSubcommand: (sub: string, container: string) =>
    `ERR unknown subcommand '${sub}'. Try ${container} HELP.`,
  wrongArity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  /** A container's subcommand with the wrong arguments (Redis: addReplySubcommandSyntaxError). */
  subcommandSyntax: (sub: string, container: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. Try ${container} HELP.`,
  /** A handler threw: Shoal's own text (the command fails, the node goes on). */
  internalError: (name: string) => `ERR internal error while executing '${name}'`,
  loading: 'LOADING Redis is loading the dataset in memory',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  readonly: "READONLY You can't write against a read only replica.",
  busy: 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
  noScript: 'NOSCRIPT No matching script. Please use EVAL.',
  crossSlot: "CROSSSLOT Keys in request don't hash to the same slot",
  tryAgain: 'TRYAGAIN Multiple keys request during rehashing of slot',
  clusterDown: 'CLUSTERDOWN The cluster is down',
  masterDown: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  noReplicas: 'NOREPLICAS Not enough good replicas to write.',
  moved: (slot: number, addr: string) => `MOVED ${slot} ${addr}`,
  ask: (slot: number, addr: string) => `ASK ${slot} ${addr}`,
  // ---- numeric arguments (getLongFromObjectOrReply and its relatives, shared by many groups)
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  incrNanOrInf: 'ERR increment would produce NaN or Infinity',
  valueRange,
  /** getIntFromObjectOrReply: the range of a C int. */
  intRange: valueRange(-2147483648, 2147483647),
  /** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): counts whose negation must fit. */
  longRange: valueRange(-9223372036854775807n, 9223372036854775807n),
  /** getPositiveLongFromObjectOrReply's default text (non-integers get it too). */
  mustBePositive: 'ERR value is out of range, must be positive',
  /** A count whose reply would be too large (HRANDFIELD/ZRANDMEMBER with values, Shoal's caps). */
  outOfRange: 'ERR value is out of range',
  numkeysPositive: 'ERR numkeys should be greater than 0',
  numkeysTooMany: "ERR Number of keys can't be greater than number of args",
  countPositive: 'ERR count should be greater than 0',
  limitNegative: "ERR LIMIT can't be negative",
  // ---- connection, AUTH, HELLO, protocol
  dbIndexOutOfRange: 'ERR DB index is out of range',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNoPassword:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  maxClients: 'ERR max number of clients reached',
  /** Sent to a non-loopback connection in protected mode, before the connection is closed. */
  denied:
    "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.",
  noProto: 'NOPROTO unsupported protocol version',
  /** A malformed request; `what` is one of ProtocolErr. The connection closes after it. */
  protocol: (what: string) => `ERR Protocol error: ${what}`,
  helloNoAuth:
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  helloProtoNotInt: 'ERR Protocol version is not an integer or out of range',
  helloSyntax: (opt: string) => `ERR Syntax error in HELLO option '${opt}'`,
  // ---- CLIENT
  badClientName: 'ERR Client names cannot contain spaces, newlines or special characters.',
  noSuchClient: 'ERR No such client',
  unknownClientType: (t: string) => `ERR Unknown client type '${t}'`,
  invalidClientId: 'ERR Invalid client ID',
  clientIdNotPositive: 'ERR client-id should be greater than 0',
  noSuchUser: (u: string) => `ERR No such user '${u}'`,
  pauseMode: 'ERR CLIENT PAUSE mode must be WRITE or ALL',
  unblockReason: 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR',
  /** The reply of a command unblocked by CLIENT UNBLOCK ... ERROR. */
  unblocked: 'UNBLOCKED client unblocked via CLIENT UNBLOCK',
  // ---- timeouts (CLIENT PAUSE, blocking commands)
  timeoutNotInt: 'ERR timeout is not an integer or out of range',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  timeoutNegative: 'ERR timeout is negative',
  timeoutRange: 'ERR timeout is out of range',
  // ---- CLIENT TRACKING, CLIENT CACHING
  trackingRedirectTwice: 'ERR A client can only redirect to a single other client',
  trackingNoRedirectTarget: 'ERR The client ID you want redirect to does not exist',
  trackingPrefixNeedsBcast: 'ERR PREFIX option requires BCAST mode to be enabled',
  trackingBcastSwitch:
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  trackingBcastOptInOut: 'ERR OPTIN and OPTOUT are not compatible with BCAST',
  trackingOptInAndOut: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  trackingOptSwitch:
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  /** A new BCAST prefix overlapping one the client already tracks (prefixes printed as C strings). */
  trackingPrefixOverlapsExisting: (prefix: string, existing: string) =>
    `ERR Prefix '${prefix}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`,
  /** Two BCAST prefixes of the same command overlapping. */
  trackingPrefixOverlapsNew: (prefix: string, other: string) =>
    `ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`,
  cachingNotTracking:
    'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
  cachingYesNotOptin: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
  cachingNoNotOptout: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
  // ---- Pub/Sub
  /** A RESP2 client in subscribed mode sent a command other than the Pub/Sub ones. */
  pubsubContext: (name: string) =>
    `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  ssubscribeDenyBlocking: "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client",
  // ---- transactions
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  /**
   * EXEC itself rejected by the gate (execCommandAbort): `err` is the error EXEC would have
   * got; the reason is printed without its "ERR " prefix.
   */
  execAbortBecause: (err: string) =>
    `EXECABORT Transaction discarded because of: ${err.startsWith('ERR ') ? err.slice(4) : err}`,
  notInMulti: 'ERR Command not allowed inside a transaction',
  multiNested: 'ERR MULTI calls can not be nested',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  // ---- server, CONFIG, DEBUG, COMMAND, SLOWLOG, LATENCY
  noShutdown: 'ERR No shutdown in progress.',
  /** CONFIG SET of a valid parameter rejected for `reason` (name as the client spelled it). */
  configSetFailed: (name: string, reason: string) =>
    `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`,
  /** CONFIG SET port / bind whose new listeners could not be bound (name as spelled). */
  configSetPortFailed: (name: string) =>
    `ERR CONFIG SET failed (possibly related to argument '${name}') - Unable to listen on this port. Check server logs.`,
  configSetBindFailed: (name: string) =>
    `ERR CONFIG SET failed (possibly related to argument '${name}') - Failed to bind to specified addresses.`,
  configUnknownOption: (name: string) => `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`,
  noConfigFile: 'ERR The server is running without a config file',
  configRewriteFailed: (reason: string) => `ERR Rewriting config file: ${reason}`,
  debugNotAllowed:
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  protocolType:
    'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
  pushResp2: 'ERR RESP2 is not supported by this command',
  invalidCommand: 'ERR Invalid command specified',
  noKeyArgs: 'ERR The command has no key arguments',
  invalidArgCount: 'ERR Invalid number of arguments specified for command',
  invalidArgs: 'ERR Invalid arguments specified for command',
  slowlogCount: 'ERR count should be greater than or equal to -1',
  noSamples: (event: string) => `ERR No samples available for event '${event}'`,
  // ---- keyspace
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  sameObject: 'ERR source and destination objects are the same',
  invalidFirstDb: 'ERR invalid first DB index',
  invalidSecondDb: 'ERR invalid second DB index',
  nxCompat: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  gtLtCompat: 'ERR GT and LT options at the same time are not compatible',
  unsupportedOption: (opt: string) => `ERR Unsupported option ${opt}`,
  invalidCursor: 'ERR invalid cursor',
  freqNotTracked:
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  idleNotTracked:
    'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  sortBadScores: "ERR One or more scores can't be converted into double",
  // ---- strings
  decrOverflow: 'ERR decrement would overflow',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetOutOfRange: 'ERR offset is out of range',
  lcsWrongType: 'ERR The specified keys must contain string values',
  lcsIdxAndLen: 'ERR If you want both the length and indexes, please just use IDX.',
  lcsTooLong: 'ERR String too long for LCS',
  lcsOverLimit: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  lcsAllocFailed: 'ERR Insufficient memory, failed allocating transient memory for LCS',
  // ---- bitmaps
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  bitArg: 'ERR The bit argument must be 1 or 0.',
  bitfieldType: 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
  bitfieldRo: 'ERR BITFIELD_RO only supports the GET subcommand',
  bitfieldOverflowType: 'ERR Invalid OVERFLOW type specified',
  bitopNot: 'ERR BITOP NOT must be called with a single source key.',
  // ---- hashes
  hashNotInteger: 'ERR hash value is not an integer',
  hashNotFloat: 'ERR hash value is not a float',
  /** HINCRBYFLOAT's increment itself is NaN or infinite (the result is incrNanOrInf). */
  nanOrInfinity: 'ERR value is NaN or Infinity',
  // ---- lists
  indexOutOfRange: 'ERR index out of range',
  rankZero:
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  countNegative: "ERR COUNT can't be negative",
  maxlenNegative: "ERR MAXLEN can't be negative",
  // ---- sorted sets
  zaddXxAndNx: 'ERR XX and NX options at the same time are not compatible',
  zaddGtLtNx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  zaddIncrSinglePair: 'ERR INCR option supports a single increment-element pair',
  scoreNaN: 'ERR resulting score is not a number (NaN)',
  minMaxNotFloat: 'ERR min or max is not a float',
  minMaxNotLex: 'ERR min or max not valid string range item',
  limitNeedsBy: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  withscoresBylex: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  weightNotFloat: 'ERR weight value is not a float',
  atLeastOneKey: (cmd: string) => `ERR at least 1 input key is needed for '${cmd}' command`,
  // ---- persistence (DUMP, RESTORE, SAVE)
  busyKey: 'BUSYKEY Target key name already exists.',
  invalidTtl: 'ERR Invalid TTL value, must be >= 0',
  invalidIdle: 'ERR Invalid IDLETIME value, must be >= 0',
  invalidFreq: 'ERR Invalid FREQ value, must be >= 0 and <= 255',
  dumpPayloadWrong: 'ERR DUMP payload version or checksum are wrong',
  badDataFormat: 'ERR Bad data format',
  /** A payload holding a value type Shoal has no counterpart for (streams, modules). */
  badDataFormatOf: (reason: string) => `ERR Bad data format: ${reason}`,
  /** SAVE failed (Redis's shared.err: the bare code; the cause goes to the log). */
  bareErr: 'ERR',
  bgsaveInProgress: 'ERR Background save already in progress',
  bgsaveChildBusy:
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
  shutdownErrors: 'ERR Errors trying to SHUTDOWN. Check logs.',
  aofRewriteInProgress: 'ERR Background append only file rewriting already in progress',
  aofRewriteFailed: "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
  misconfAof: (why: string) => `MISCONF Errors writing to the AOF file: ${why}`,
  misconfRdb:
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
  // ---- replication
  invalidMasterPort: 'ERR Invalid master port',
  replicaofInCluster: 'ERR REPLICAOF not allowed in cluster mode.',
  notValidFromReplica: 'ERR Command is not valid when client is a replica.',
  /** What masters before ACLs answered a replica's PING without AUTH (tolerated in the handshake). */
  legacyNoPerm: 'ERR operation not permitted',
  unblockedRoleChange: 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
  noMasterLink: "NOMASTERLINK Can't SYNC while not connected with my master",
  syncPendingOutput: 'ERR SYNC and PSYNC are invalid with pending output',
  // FAILOVER (replication/failover.ts) and what it refuses meanwhile
  failoverInCluster: 'ERR FAILOVER not allowed in cluster mode.',
  failoverNone: 'ERR No failover in progress.',
  failoverTimeout: 'ERR FAILOVER timeout must be greater than 0',
  failoverRunning: 'ERR FAILOVER already in progress.',
  failoverOnReplica: 'ERR FAILOVER is not valid when server is a replica.',
  failoverNoReplicas: 'ERR FAILOVER requires connected replicas.',
  failoverForceArgs: 'ERR FAILOVER with force option requires both a timeout and target HOST and IP.',
  failoverNotReplica: 'ERR FAILOVER target HOST and PORT is not a replica.',
  failoverNotOnline: 'ERR FAILOVER target replica is not online.',
  psyncFailoverReplid: 'ERR PSYNC FAILOVER replid must match my replid.',
  syncWhileFailingOver: "NOMASTERLINK Can't SYNC while failing over",
  replicaofWhileFailingOver: 'ERR REPLICAOF not allowed while failing over.',
  replconfIpTooLong: (n: number) => `ERR REPLCONF ip-address provided by replica instance is too long: ${n} bytes`,
  replconfUnrecognized: (opt: string) => `ERR Unrecognized REPLCONF option: ${opt}`,
  waitOnReplica:
    'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
  // ---- sentinel mode (sentinel.c)
  sentinelNoSuchMaster: 'ERR No such master with that name',
  sentinelSaveFailed: 'ERR Failed to save config file. Check server logs.',
  sentinelInvalidQuorum: 'ERR Invalid quorum',
  sentinelInvalidPort: 'ERR Invalid port',
  sentinelQuorumMin: 'ERR Quorum must be 1 or greater.',
  sentinelInvalidIp: 'ERR Invalid IP address or hostname specified',
  /** A `sentinel monitor` refused by the instance's creation (duplicate name, port range). */
  sentinelMonitorRefused: (why: string) => `ERR ${why}`,
  sentinelSetInvalid: (val: string, opt: string) => `ERR Invalid argument '${val}' for SENTINEL SET '${opt}'`,
  sentinelSetUnknown: (opt: string) => `ERR Unknown option or number of arguments for SENTINEL SET '${opt}'`,
  sentinelScriptsDenied:
    'ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration',
  sentinelConfigSetInvalidName: (name: string) => `ERR Invalid argument '${name}' to SENTINEL CONFIG SET`,
  sentinelConfigSetInvalidValue: (value: string, name: string) => `ERR Invalid value '${value}' to SENTINEL CONFIG SET '${name}'`,
  sentinelConfigUsage: 'ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.',
  sentinelUnknownSimulation: 'ERR Unknown failure simulation specified',
  sentinelDebugUnknown: (opt: string) => `ERR Unknown option or number of arguments for SENTINEL DEBUG '${opt}'`,
  sentinelDebugInvalid: (val: string, opt: string) => `ERR Invalid argument '${val}' for SENTINEL DEBUG '${opt}'`,
  sentinelHelloOnly: 'ERR Only HELLO messages are accepted by Sentinel instances.',
  sentinelFailoverInProgress: 'INPROG Failover already in progress',
  sentinelNoGoodSlave: 'NOGOODSLAVE No suitable replica to promote',
  /** CKQUORUM's refusal: the usable count, then either reason or both. */
  sentinelNoQuorum: (usable: number, noQuorum: boolean, noAuth: boolean) =>
    `NOQUORUM ${usable} usable Sentinels. ` +
    (noQuorum ? 'Not enough available Sentinels to reach the specified quorum for this master' : '') +
    (noAuth ? `${noQuorum ? '. ' : ''}Not enough available Sentinels to reach the majority and authorize a failover` : ''),
  sentinelScriptNotExecutable: (notification: boolean) =>
    `ERR ${notification ? 'Notification' : 'Client reconfiguration'} script seems non existing or non executable`,
  // ---- Shoal extensions
  hotkeysTrackingOff: 'ERR hot key tracking is off; turn it on with CONFIG SET hotkeys-tracking yes',
} as const;

/**
 * What follows "ERR Protocol error: " (Err.protocol) for each malformed request the request
 * parser rejects (Redis networking.c).
 */
export const ProtocolErr = {
  tooBigMbulkCount: 'too big mbulk count string',
  invalidMbulkLength: 'invalid multibulk length',
  unauthenticatedMbulkLength: 'unauthenticated multibulk length',
  tooBigBulkCount: 'too big bulk count string',
  expectedDollar: (got: string) => `expected '$', got '${got}'`,
  invalidBulkLength: 'invalid bulk length',
  unauthenticatedBulkLength: 'unauthenticated bulk length',
  tooBigInline: 'too big inline request',
  unbalancedQuotes: 'unbalanced quotes in request',
} as const;

/** Replaces CR and LF with spaces, as Redis does for any error that echoes user input. */
export function sanitizeErrorText(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}
