// The error catalog: every error text Shoal sends, worded exactly as Redis 7.0 words it.
// Handlers reply with these constants (or the builders below) and never spell an error inline,
// so one grep shows every message a client can see. Texts exclude the leading '-'.

export const Err = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  overflow: 'ERR increment or decrement would overflow',
  incrNanOrInf: 'ERR increment would produce NaN or Infinity',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetOutOfRange: 'ERR offset is out of range',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNoPassword:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  maxClients: 'ERR max number of clients reached',
  noProto: 'NOPROTO unsupported protocol version',
  unknownCommand: (name: string, args: string) =>
    `ERR unknown command '${name}', with args beginning with: ${args}`,
  unknownSubcommand: (sub: string, container: string) =>
    `ERR unknown subcommand '${sub}'. Try ${container} HELP.`,
  wrongArity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  protocol: (what: string) => `ERR Protocol error: ${what}`,
  loading: 'LOADING Redis is loading the dataset in memory',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  readonly: "READONLY You can't write against a read only replica.",
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  notInMulti: 'ERR Command not allowed inside a transaction',
  busy: 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
  noScript: 'NOSCRIPT No matching script. Please use EVAL.',
  crossSlot: "CROSSSLOT Keys in request don't hash to the same slot",
  tryAgain: 'TRYAGAIN Multiple keys request during rehashing of slot',
  clusterDown: 'CLUSTERDOWN The cluster is down',
  masterDown: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  noReplicas: 'NOREPLICAS Not enough good replicas to write.',
  moved: (slot: number, addr: string) => `MOVED ${slot} ${addr}`,
  ask: (slot: number, addr: string) => `ASK ${slot} ${addr}`,
  // ---- connection and CLIENT
  badClientName: 'ERR Client names cannot contain spaces, newlines or special characters.',
  noSuchClient: 'ERR No such client',
  unknownClientType: (t: string) => `ERR Unknown client type '${t}'`,
  invalidClientId: 'ERR Invalid client ID',
  clientIdNotPositive: 'ERR client-id should be greater than 0',
  noSuchUser: (u: string) => `ERR No such user '${u}'`,
  timeoutNotInt: 'ERR timeout is not an integer or out of range',
  timeoutNegative: 'ERR timeout is negative',
  timeoutRange: 'ERR timeout is out of range',
  pauseMode: 'ERR CLIENT PAUSE mode must be WRITE or ALL',
  helloNoAuth:
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  helloProtoNotInt: 'ERR Protocol version is not an integer or out of range',
  helloSyntax: (opt: string) => `ERR Syntax error in HELLO option '${opt}'`,
  // sic: Redis's text lacks the "be".
  intRange: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  /** A container's subcommand with the wrong arguments (Redis: addReplySubcommandSyntaxError). */
  subcommandSyntax: (sub: string, container: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. Try ${container} HELP.`,
  // ---- server, DEBUG, COMMAND, SLOWLOG, LATENCY
  noShutdown: 'ERR No shutdown in progress.',
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
  // ---- strings
  decrOverflow: 'ERR decrement would overflow',
  lcsWrongType: 'ERR The specified keys must contain string values',
  lcsIdxAndLen: 'ERR If you want both the length and indexes, please just use IDX.',
  lcsTooLong: 'ERR String too long for LCS',
  lcsOverLimit: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  lcsAllocFailed: 'ERR Insufficient memory, failed allocating transient memory for LCS',
} as const;

/** Replaces CR and LF with spaces, as Redis does for any error that echoes user input. */
export function sanitizeErrorText(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}
