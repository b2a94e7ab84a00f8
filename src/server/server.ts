// A Shoal node: listeners, clients, the keyspace, the command table and the server cron.
//
// Lifecycle: `new Server(config)` builds everything; `start()` binds the listeners and starts
// the cron; `close()` stops accepting, closes every client and the listeners. startServer()
// in src/index.ts wraps this for embedded use; the CLI wraps it for `shoal server`.

import { performance } from 'node:perf_hooks';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, unlinkSync, chmodSync } from 'node:fs';
import { systemClock, type Clock } from '../lib/clock.js';
import { Err } from '../lib/errors.js';
import { createRng, type Rng } from '../lib/rng.js';
import { Config } from './config/config.js';
import { CommandTable, F, type Command } from './command-table.js';
import { allHandlers } from './handlers/index.js';
import { processCommand } from './dispatch.js';
import { Client, isLoopbackIp } from './network/client.js';
import { PauseState } from './network/pause.js';
import { BlockingState } from './blocking.js';
import { WatchRegistry } from './multi.js';
import { Propagation } from './propagate.js';
import { adoptSocket } from './network/socket.js';
import { Keyspace } from './keyspace/keyspace.js';
import type { Database } from './keyspace/database.js';
import { activeExpireCycle, newExpireCycleState } from './keyspace/expire.js';
import { ServerStats } from './observability/stats.js';
import { Logger } from './observability/logger.js';
import { Slowlog } from './observability/slowlog.js';
import { LatencyMonitor } from './observability/latency.js';
import { reprArg } from './handlers/util.js';
import { PubSub } from './pubsub/registry.js';
import { KeyspaceNotifier, keyspaceEventFlags } from './pubsub/notify.js';
import { Tracking } from './pubsub/tracking.js';
import { OutputManager } from './pubsub/output.js';
import { ReadShare } from './network/read-share.js';
import { NOTIFY } from './signals.js';
import { MemoryAccount } from './memory-account.js';
import { ClientEviction } from './client-eviction.js';
import { Evictor } from './evict.js';
import { HotKeys } from './analytics/hotkeys.js';
import { KeyPatternStats } from './analytics/keypatterns.js';
import { DefaultTtl } from './analytics/default-ttl.js';
import { LargeValues } from './analytics/large-values.js';
import { loadDataOnStart } from './persistence/aof/startup.js';
import { attachAof } from './persistence/aof/feed.js';
import type { Snapshot } from './persistence/snapshot.js';
import type { LoadingProgress } from './persistence/rdb-loader.js';
import { newPersistenceState, type PersistenceState } from './persistence/state.js';
import { persistenceCron } from './persistence/bgsave.js';
import { Replication } from './replication/state.js';
import { forgetReplica, replicationCron, resizeBacklog } from './replication/master.js';
import { expireReplicaLocalKeys, startReplicaOnBoot } from './replication/replica.js';
import { Sentinel } from '../sentinel/sentinel.js';
import { sentinelHandlers, sentinelSpecs } from '../sentinel/commands.js';

export const SHOAL_VERSION = '0.1.0';
/** The Redis version Shoal reports to clients (INFO redis_version, HELLO version). */
export const REDIS_COMPAT_VERSION = '7.0.15';

/** The whole reply to a connection refused by protected mode (written before closing it). */
const DENIED = `-${Err.denied}\r\n`;

export interface ServerOptions {
  config: Config;
  configFile?: string;
  clock?: Clock;
  rng?: Rng;
  log?: Logger;
  /** Embedded nodes: port 0 picks a free port instead of disabling TCP. */
  ephemeralPort?: boolean;
  /** Sentinel mode (`shoal sentinel`): the sentinel's command table, no dataset, the sentinel's timer. */
  sentinel?: boolean;
}

export class Server {
  readonly config: Config;
  readonly configFile: string | undefined;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: Logger;
  readonly keyspace: Keyspace;
  /** The accounted memory figure (INFO used_memory, maxmemory). */
  readonly memory: MemoryAccount;
  /** maxmemory: the eviction policies and the OOM state the dispatch gate consults. */
  readonly evictor: Evictor;
  /** maxmemory-clients: closes the largest clients when the clients' memory reaches it. */
  readonly clientEviction: ClientEviction;
  readonly commands: CommandTable;
  /** The sentinel this process runs in sentinel mode, else null. */
  readonly sentinel: Sentinel | null;
  readonly stats = new ServerStats();
  readonly slowlog = new Slowlog();
  readonly latency = new LatencyMonitor();
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly pause: PauseState;
  readonly blocking: BlockingState = new BlockingState(this);
  readonly watches = new WatchRegistry();
  /** The effect-propagation stream that feeds the AOF and replicas (propagate.ts). */
  readonly propagation = new Propagation(this);
  /** Output written to clients outside their own replies; output buffer limits. */
  readonly output: OutputManager = new OutputManager(this);
  /** Which client read last and when another did: a bulk reader shares its turns (network/read-share.ts). */
  readonly readShare = new ReadShare();
  /** Channels, patterns and shard channels with their subscribers. */
  readonly pubsub: PubSub = new PubSub((c) => this.output.wrote(c));
  /** Keyspace notifications (notify-keyspace-events). */
  readonly notifier: KeyspaceNotifier = new KeyspaceNotifier(this.pubsub);
  /** Client-side caching: the tracking table and BCAST prefixes. */
  readonly tracking: Tracking = new Tracking(this, this.pubsub, (c) => this.output.wrote(c));
  /** Hot-key tracking (HOTKEYS; config hotkeys-tracking). */
  readonly hotkeys: HotKeys;
  /** Per-key-pattern statistics (INFO keypatterns; config keypatterns). */
  readonly keyPatterns: KeyPatternStats;
  /** Default TTL for keys written without one (config default-ttl, default-ttl-overrides). */
  readonly defaultTtl: DefaultTtl;
  /** Large string values counted and logged (config large-value-threshold; INFO largevalues). */
  readonly largeValues: LargeValues;
  /** The fork-less snapshot walk in progress (BGSAVE, AOF rewrite), or null. */
  snapshot: Snapshot | null = null;
  /**
   * Set while appendfsync is always (persistence/aof/feed.ts): true if c's output must wait for
   * the AOF's fsync (the hold then flushes c itself).
   */
  replyHold: ((c: Client) => boolean) | null = null;
  /** The dataset being loaded at start (clients get -LOADING meanwhile), or null. */
  loading: LoadingProgress | null = null;
  /**
   * Called when a client's batch of input has run (Client.processInput), before its read
   * buffer can be reused: the replication stream copies the commands it took by reference
   * (replication/master.ts). Null while there is no such consumer.
   */
  inputDone: (() => void) | null = null;
  /**
   * While `loading` is a replica's swapdb load beside the dataset it serves (Redis's
   * async_loading): only commands flagged no_async_loading get -LOADING.
   */
  asyncLoading = false;
  /** Awaited by close() once clients and listeners are closed (the AOF's final fsync). */
  readonly beforeClose: Array<() => Promise<void>> = [];
  /** The client whose command is being processed (Redis's server.current_client), or null. */
  currentClient: Client | null = null;
  /** The client whose command handler is running (Redis's CLIENT_EXECUTING_COMMAND), or null. */
  executingClient: Client | null = null;
  readonly runId = randomBytes(20).toString('hex');
  /** Replication: IDs, offsets, backlog, replicas, the link to a master (replication/state.ts). */
  readonly repl = new Replication();
  readonly startTimeMs: number;
  /** Saves, loads and the BGSAVE in progress (persistence/state.ts). */
  readonly persistence: PersistenceState;
  /** The time the current command started, in ms (commands see one consistent "now"). */
  now: number;
  /** Monotonic clock mark (performance.now) from which the next command's duration counts. */
  tick = 0;
  /** Limits read on the hot path, refreshed on CONFIG SET. */
  readonly limits = {
    protoMaxBulkLen: 512 * 1024 * 1024,
    clientQueryBufferLimit: 1024 * 1024 * 1024,
    maxclients: 10000,
    slowlogThresholdUs: 10000,
    slowlogMaxLen: 128,
    latencyThresholdMs: 0,
  };
  /** Changes since the last save (INFO rdb_changes_since_last_save; persistence uses it). */
  dirty = 0;
  /** Set by DEBUG SET-ACTIVE-EXPIRE 0. */
  activeExpireEnabled = true;
  tcpPort = 0;
  unixSocketPath = '';
  shuttingDown = false;
  #nextClientId = 1;
  /** The unix socket listener, if any. */
  #listeners: net.Server[] = [];
  #tcpListeners: net.Server[] = [];
  #ephemeralPort: boolean;
  #startedListening = false;
  #reverting = false;
  /** A rebind is queued and has not read the configuration yet; rebinds run one after another. */
  #rebindQueued = false;
  #rebindChain: Promise<unknown> = Promise.resolve();
  /** The rebind the last CONFIG SET of port / bind started, until takeRebind. */
  #pendingRebind: Promise<string | null> | null = null;
  /** The bind and port values the TCP listeners were opened with (port 0: none, or any free port for an embedded node). */
  #boundBind = '';
  #boundPort = 0;
  #cron: NodeJS.Timeout | null = null;
  #expireState = newExpireCycleState();
  #cronLoops = 0;
  #lastReplicationCron = 0;
  /** Resolves when the server has fully closed (after SHUTDOWN or close()). */
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(opts: ServerOptions) {
    this.config = opts.config;
    this.configFile = opts.configFile;
    this.#ephemeralPort = opts.ephemeralPort === true;
    this.clock = opts.clock ?? systemClock;
    this.rng = opts.rng ?? createRng();
    this.log = opts.log ?? new Logger();
    this.startTimeMs = this.clock.now();
    this.persistence = newPersistenceState(this.startTimeMs);
    this.now = this.startTimeMs;
    this.closed = new Promise((r) => (this.#resolveClosed = r));
    this.keyspace = new Keyspace({
      databases: this.config.getNumber('databases'),
      clock: this.clock,
      // Per-slot key lists, as Redis keeps them only in cluster mode (10 bytes a key).
      slotIndex: this.config.getBool('cluster-enabled'),
      // Redis counts no change (server.dirty) for a key it expires, lazily or actively: the
      // DEL it propagates is not a write the command made. (Checked against 7.0.15.)
      // The expired key is announced ("expired" event) and, like any modified key, breaks
      // WATCH and invalidates client-side caches (Redis: signalModifiedKey(NULL, ...)).
      // It propagates as DEL, or UNLINK under lazyfree-lazy-expire (deleteExpiredKeyAndPropagate).
      onExpired: (db, id) => {
        if (this.propagation.active) this.propagation.deletion(db.id, db.key(id), this.config.getBool('lazyfree-lazy-expire'));
        const notify = (this.notifier.flags & NOTIFY.expired) !== 0;
        if (this.watches.size === 0 && !this.tracking.active && !notify) return;
        const key = db.key(id);
        if (this.watches.size > 0) this.watches.touch(db, key, true);
        if (notify) this.notifier.notify('expired', key, db.id);
        this.tracking.invalidateKey(key, null, true);
      },
    });
    this.memory = new MemoryAccount(this);
    this.evictor = new Evictor(this);
    this.clientEviction = new ClientEviction(this);
    this.sentinel = opts.sentinel === true ? new Sentinel(this) : null;
    if (this.sentinel !== null) this.log.role = 'X';
    this.commands = this.sentinel !== null ? new CommandTable(sentinelHandlers(), sentinelSpecs()) : new CommandTable(allHandlers);
    if (this.commands.missing.length > 0) {
      this.log.warning(`Commands declared but not implemented (left out): ${this.commands.missing.join(' ')}`);
    }
    this.pause = new PauseState(
      () => this.clock.now(),
      this.keyspace.expiry,
      (held) => this.#releaseHeld(held),
    );
    this.#applyConfig();
    this.hotkeys = new HotKeys(this);
    this.keyPatterns = KeyPatternStats.attach(this);
    this.defaultTtl = DefaultTtl.attach(this);
    this.largeValues = LargeValues.attach(this);
  }

  // ---------------------------------------------------------------------------------------
  // Configuration applied live

  #applyConfig(): void {
    const cfg = this.config;
    const refreshLimits = (): void => {
      this.limits.protoMaxBulkLen = cfg.getNumber('proto-max-bulk-len');
      this.limits.clientQueryBufferLimit = cfg.getNumber('client-query-buffer-limit');
      this.limits.maxclients = cfg.getNumber('maxclients');
      this.limits.slowlogThresholdUs = cfg.getNumber('slowlog-log-slower-than');
      this.limits.slowlogMaxLen = cfg.getNumber('slowlog-max-len');
      this.slowlog.trim(this.limits.slowlogMaxLen);
      this.limits.latencyThresholdMs = cfg.getNumber('latency-monitor-threshold');
      for (const c of this.clients.values()) c.parser.limits.protoMaxBulkLen = this.limits.protoMaxBulkLen;
    };
    refreshLimits();
    for (const n of [
      'proto-max-bulk-len',
      'client-query-buffer-limit',
      'maxclients',
      'slowlog-log-slower-than',
      'slowlog-max-len',
      'latency-monitor-threshold',
    ]) {
      cfg.onChange(n, refreshLimits);
    }
    this.log.setLevel(cfg.getString('loglevel'));
    this.log.setFile(cfg.getString('logfile'));
    cfg.onChange('loglevel', (v) => this.log.setLevel(v));
    cfg.onChange('logfile', (v) => this.log.setFile(v));
    const policy = (): void => {
      this.keyspace.accessPolicy = cfg.getString('maxmemory-policy').endsWith('lfu') ? 'lfu' : 'lru';
      this.keyspace.lfuLogFactor = cfg.getNumber('lfu-log-factor');
      this.keyspace.lfuDecayTime = cfg.getNumber('lfu-decay-time');
    };
    policy();
    for (const n of ['maxmemory-policy', 'lfu-log-factor', 'lfu-decay-time']) cfg.onChange(n, policy);
    const eviction = (): void => {
      const ev = this.evictor;
      ev.setPolicy(cfg.getString('maxmemory-policy'));
      ev.samples = cfg.getNumber('maxmemory-samples');
      ev.tenacity = cfg.getNumber('maxmemory-eviction-tenacity');
      ev.lazy = cfg.getBool('lazyfree-lazy-eviction');
    };
    eviction();
    for (const n of ['maxmemory-policy', 'maxmemory-samples', 'maxmemory-eviction-tenacity', 'lazyfree-lazy-eviction']) {
      cfg.onChange(n, eviction);
    }
    this.#applyMaxmemory(false);
    cfg.onChange('maxmemory', () => this.#applyMaxmemory(true));
    // maxmemory-clients may be a percent of maxmemory.
    this.clientEviction.applyConfig();
    cfg.onChange('maxmemory-clients', () => this.clientEviction.applyConfig());
    cfg.onChange('maxmemory', () => this.clientEviction.applyConfig());
    cfg.onChange('hz', () => this.#startCron());
    cfg.onChange('repl-backlog-size', () => resizeBacklog(this));
    this.repl.setMinReplicas(cfg.getNumber('min-replicas-to-write'));
    cfg.onChange('min-replicas-to-write', () => this.repl.setMinReplicas(cfg.getNumber('min-replicas-to-write')));
    cfg.onChange('port', () => this.#rebind());
    cfg.onChange('bind', () => this.#rebind());
    this.latency.commands.enabled = cfg.getBool('latency-tracking');
    cfg.onChange('latency-tracking', (v) => (this.latency.commands.enabled = v === 'yes'));
    const notify = (): void => {
      const flags = keyspaceEventFlags(cfg.actingValue('notify-keyspace-events'));
      this.notifier.flags = flags;
      // Key-miss and new-key events cost a hook on hot paths: installed only when enabled.
      this.keyspace.onKeyMiss = (flags & NOTIFY.keyMiss) !== 0 ? this.#notifyKeyMiss : null;
      const added = (flags & NOTIFY.newKey) !== 0 ? this.#notifyNewKey : null;
      for (const db of this.keyspace.dbs) db.onAdded = added;
    };
    notify();
    cfg.onChange('notify-keyspace-events', notify);
    this.output.setLimits(cfg.getString('client-output-buffer-limit'));
    cfg.onChange('client-output-buffer-limit', (v) => this.output.setLimits(v));
    this.tracking.maxKeys = cfg.getNumber('tracking-table-max-keys');
    cfg.onChange('tracking-table-max-keys', () => (this.tracking.maxKeys = cfg.getNumber('tracking-table-max-keys')));
    this.output.beforeFlush = () => this.tracking.broadcast();
    cfg.onChange('requirepass', (v) => {
      // Existing connections stay authenticated, as in Redis; new ones must AUTH.
      if (v === '') for (const c of this.clients.values()) c.authenticated = true;
    });
  }

  /**
   * Applies maxmemory: the gate's OOM step and the aggregates' accounting are on while it is
   * set. A live change (CONFIG SET) below the current usage warns as Redis does and starts the
   * eviction timer, which evicts in slices on the next event-loop turns (updateMaxmemory).
   */
  #applyMaxmemory(live: boolean): void {
    const limit = this.config.getNumber('maxmemory');
    this.evictor.maxmemory = limit;
    this.keyspace.store.setAccounting(limit > 0);
    if (limit === 0) return;
    if (!live) {
      if (limit < 1024 * 1024) {
        this.log.warning(
          `WARNING: You specified a maxmemory value that is less than 1MB (current value is ${limit} bytes). Are you sure this is what you really want?`,
        );
      }
      return;
    }
    const used = this.memory.used() - this.memory.notCountedForEvict();
    if (limit < used) {
      this.log.warning(
        `WARNING: the new maxmemory value set via CONFIG SET (${limit}) is smaller than the current memory usage (${used}). ` +
          'This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.',
      );
    }
    this.evictor.startTimer();
  }

  readonly #notifyNewKey = (db: Database, key: Uint8Array): void => this.notifier.notify('new', key, db.id);

  /** "keymiss" on a read miss — except OBJECT's lookups, which Redis makes without notifying. */
  readonly #notifyKeyMiss = (db: Database, key: Uint8Array): void => {
    if (this.executingClient?.currentCommand?.parent?.name === 'object') return;
    this.notifier.notify('keymiss', key, db.id);
  };

  /** True if new connections must authenticate (a password is set). */
  get authRequired(): boolean {
    return this.config.getString('requirepass') !== '';
  }

  // ---------------------------------------------------------------------------------------
  // Listeners

  /** Binds the TCP listeners (every `bind` address) and the unix socket; starts the cron. */
  async start(): Promise<void> {
    const port = this.config.getNumber('port');
    // As in Redis, port 0 means no TCP listener, except for embedded nodes, where it means
    // "any free port".
    if (port !== 0 || this.#ephemeralPort) {
      const bound = await this.#bindTcp(port, this.config.getString('bind'));
      this.#tcpListeners = bound.listeners;
      this.tcpPort = bound.port;
    }
    this.#boundBind = this.config.getString('bind');
    this.#boundPort = port;
    const unixPath = this.config.getString('unixsocket');
    if (unixPath) {
      if (existsSync(unixPath)) unlinkSync(unixPath);
      const srv = net.createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.#accept(s));
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(unixPath, resolve);
      });
      const perm = this.config.getString('unixsocketperm');
      if (perm && perm !== '0') chmodSync(unixPath, parseInt(perm, 8));
      this.unixSocketPath = unixPath;
      this.#listeners.push(srv);
    }
    this.#startedListening = true;
    this.#startCron();
    if (this.sentinel !== null) {
      this.log.notice(`Running mode=sentinel, port=${this.tcpPort}.`);
      this.sentinel.start();
      return;
    }
    // Persistence: load dir/dbfilename (when it exists) as Redis's loadDataFromDisk (the AOF
    // under appendonly yes, then opened for appending), listening already: clients get
    // -LOADING until it is done. A corrupt file throws (file, offset, reason) and stops the
    // start.
    try {
      await loadDataOnStart(this);
    } catch (err) {
      await this.close();
      throw err;
    }
    attachAof(this);
    this.log.notice(`Ready to accept connections${this.tcpPort ? ` tcp on port ${this.tcpPort}` : ''}`);
    // replicaof in the configuration: connect to the master now that the dataset is loaded.
    startReplicaOnBoot(this);
  }

  /**
   * Listens on every address of a `bind` value (a leading '-' marks an address that may be
   * unavailable). All or nothing: on failure the listeners opened so far are closed and the
   * error names the address.
   */
  async #bindTcp(port: number, bind: string): Promise<{ listeners: net.Server[]; port: number }> {
    const binds = bind.split(/\s+/).filter(Boolean);
    const listeners: net.Server[] = [];
    let boundPort = port;
    try {
      for (const raw of binds.length ? binds : ['*']) {
        const optional = raw.startsWith('-');
        const host = normalizeBindHost(optional ? raw.slice(1) : raw);
        try {
          const srv = await this.#listenTcp(host, boundPort);
          listeners.push(srv);
          const addr = srv.address();
          if (addr && typeof addr === 'object') boundPort = addr.port;
        } catch (err) {
          if (optional && isAddrUnavailable(err)) {
            this.log.warning(`Could not bind optional address ${host}: ${(err as Error).message}`);
            continue;
          }
          throw new Error(`Failed listening on ${host}:${boundPort} (tcp): ${(err as Error).message}`);
        }
      }
    } catch (err) {
      await Promise.all(listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
      throw err;
    }
    return { listeners, port: boundPort };
  }

  /**
   * CONFIG SET port / bind: binds the new addresses first and only then closes the old
   * listeners (existing connections stay). The bind is asynchronous: it starts once the
   * CONFIG SET has stored every value it sets (one rebind for port and bind set together), after
   * any rebind still under way, and takeRebind gives its outcome to the CONFIG SET's reply.
   * A failure is logged and the old listeners are kept.
   */
  #rebind(): void {
    if (this.shuttingDown || this.#startedListening === false || this.#reverting || this.#rebindQueued) return;
    this.#rebindQueued = true;
    // Never rejects, so a later rebind still runs after one that threw.
    const run = this.#rebindChain.then(() => this.#bindAgain()).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    this.#rebindChain = run;
    this.#pendingRebind = run;
  }

  /**
   * Takes the rebind started since the last call (by a CONFIG SET of port or bind), or null:
   * it resolves to null once the new listeners are up, or to why binding failed. CONFIG SET
   * answers only then, as Redis answers once it has bound (or could not).
   */
  takeRebind(): Promise<string | null> | null {
    const r = this.#pendingRebind;
    this.#pendingRebind = null;
    return r;
  }

  /** The rebind itself: null when done, or why it failed (the configuration is put back). */
  async #bindAgain(): Promise<string | null> {
    this.#rebindQueued = false;
    const port = this.config.getNumber('port');
    const bind = this.config.getString('bind');
    if (this.shuttingDown || (port === this.#boundPort && bind === this.#boundBind)) return null;
    // An embedded node on "any free port" reports the port it really listens on.
    const previous = { port: String(this.tcpPort), bind: this.#boundBind };
    try {
      const bound = port === 0 && !this.#ephemeralPort ? { listeners: [], port: 0 } : await this.#bindTcp(port, bind);
      const old = this.#tcpListeners;
      this.#tcpListeners = bound.listeners;
      this.tcpPort = bound.port;
      this.#boundBind = bind;
      this.#boundPort = port;
      for (const l of old) l.close();
      this.log.notice(`Listening on port ${bound.port} (bind ${bind})`);
      return null;
    } catch (err) {
      const reason = (err as Error).message;
      this.log.warning(`CONFIG SET port/bind: ${reason}; keeping the previous listeners`);
      // Put the configuration back to what is really bound, so CONFIG GET tells the truth.
      this.#reverting = true;
      try {
        this.config.setMany([
          ['port', previous.port],
          ['bind', previous.bind],
        ]);
      } finally {
        this.#reverting = false;
      }
      this.#boundPort = this.tcpPort;
      return reason;
    }
  }

  #listenTcp(host: string, port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.#accept(s));
      srv.once('error', reject);
      srv.listen({ host, port, backlog: this.config.getNumber('tcp-backlog'), ipv6Only: host.includes(':') }, () => {
        srv.removeListener('error', reject);
        srv.on('error', (e) => this.log.warning(`Listener error: ${e.message}`));
        resolve(srv);
      });
    });
  }

  #accept(accepted: net.Socket): void {
    // Re-wrap the paused socket so reads use the shared read buffer (network/socket.ts).
    let client: Client | null = null;
    const socket = adoptSocket(accepted, (chunk) => client?.receive(chunk, true));
    if (socket !== accepted) accepted.destroy(); // handle moved: releases the server's count only
    socket.setNoDelay(true);
    const keepalive = this.config.getNumber('tcp-keepalive');
    if (keepalive > 0 && socket.remoteAddress !== undefined) socket.setKeepAlive(true, keepalive * 1000);
    this.stats.totalConnectionsReceived++;
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.limits.maxclients) {
      this.stats.rejectedConnections++;
      socket.end(`-${Err.maxClients}\r\n`);
      return;
    }
    if (
      this.config.getBool('protected-mode') &&
      !this.authRequired &&
      socket.remoteAddress !== undefined &&
      !isLoopbackIp(socket.remoteAddress)
    ) {
      this.stats.rejectedConnections++;
      socket.end(DENIED);
      return;
    }
    const now = this.clock.now();
    const c = new Client(this, socket, this.#nextClientId++, this.keyspace.dbs[0], !this.authRequired, now);
    client = c;
    this.clients.set(c.id, c);
  }

  /** A fresh client id, for clients created outside the listeners (a replica's master link). */
  allocClientId(): number {
    return this.#nextClientId++;
  }

  /** Removes a closed client from every registry. Called by Client.close/kill. */
  unlinkClient(c: Client): void {
    this.clients.delete(c.id);
    this.monitors.delete(c);
    this.blocking.forget(c);
    this.watches.forget(c);
    this.pubsub.forget(c);
    this.tracking.disable(c);
    this.output.forget(c);
    if (c.replica !== null) forgetReplica(this, c.replica);
  }

  // ---------------------------------------------------------------------------------------
  // Commands

  dispatch(c: Client, argv: Buffer[]): void {
    processCommand(this, c, argv);
  }

  /** Slow log and latency monitor bookkeeping after a command ran. */
  afterCommand(c: Client, cmd: Command, argv: Buffer[], durationUs: number): void {
    const threshold = this.limits.slowlogThresholdUs;
    if (threshold >= 0 && durationUs >= threshold) {
      this.slowlog.maybeLog({
        argv,
        durationUs,
        thresholdUs: threshold,
        maxLen: this.limits.slowlogMaxLen,
        nowMs: this.now,
        peer: c.addr,
        name: c.name,
      });
    }
    const latThreshold = this.limits.latencyThresholdMs;
    if (latThreshold > 0) {
      const ev = cmd.flags & F.fast ? 'fast-command' : 'command';
      this.latency.maybeAdd(ev, durationUs / 1000, latThreshold, this.now);
    }
  }

  /** Sends a command to every MONITOR client in Redis's format. */
  feedMonitors(c: Client, argv: Buffer[]): void {
    const t = this.clock.now();
    const us = String(t % 1000).padStart(3, '0') + '000';
    const who = c.isUnix ? `unix:${this.unixSocketPath}` : c.addr;
    let line = `${Math.floor(t / 1000)}.${us} [${c.dbIndex} ${who}]`;
    for (const a of argv) line += ' ' + reprArg(a);
    for (const m of this.monitors) {
      if (m === c) continue;
      m.w.simple(line);
      m.flush();
    }
  }

  #releaseHeld(held: { c: Client; argv: Buffer[] }[]): void {
    this.now = this.clock.now();
    for (const { c, argv } of held) {
      this.tick = performance.now();
      if (c.closed) continue;
      c.suspended = false;
      this.dispatch(c, argv);
      c.processInput();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Cron: active expiry, client timeouts, stats sampling (hz times per second)

  #startCron(): void {
    if (this.#cron !== null) clearInterval(this.#cron);
    const hz = Math.max(1, Math.min(500, this.config.getNumber('hz')));
    this.#cron = setInterval(() => this.cron(), Math.floor(1000 / hz));
    this.#cron.unref();
  }

  /** One cron tick. Public so tests can drive it with a fake clock. */
  cron(): void {
    const now = this.clock.now();
    this.now = now;
    this.#cronLoops++;
    this.stats.sampleOps(now);
    // Nothing expires, and nothing is saved, while the dataset loads.
    const loading = this.loading !== null;
    // A replica expires nothing itself: its master sends a DEL for each key that expires there.
    if (this.activeExpireEnabled && !this.pause.writesPaused && !loading && !this.repl.isReplica) {
      const t0 = performance.now();
      activeExpireCycle(this.keyspace, this.#expireState, {
        hz: this.config.getNumber('hz'),
        effort: this.config.getNumber('active-expire-effort'),
        now,
        elapsed: () => performance.now(),
      });
      this.latency.maybeAdd('expire-cycle', performance.now() - t0, this.config.getNumber('latency-monitor-threshold'), now);
    } else if (this.activeExpireEnabled && !this.pause.writesPaused && !loading) {
      // Except the keys a writable replica's own clients gave a TTL (expireSlaveKeys).
      expireReplicaLocalKeys(this);
    }
    // Growing index partitions no write reaches finish their move here, 1 ms a tick, as
    // Redis's databasesCron rehashes with activerehashing.
    if (this.config.getBool('activerehashing')) this.keyspace.moveSome(1);
    this.output.cron();
    this.clientEviction.check();
    this.keyPatterns.cron();
    // Save points and scheduled BGSAVEs (a saving snapshot runs on its own between ticks).
    if (!loading && this.sentinel === null) persistenceCron(this);
    // Replication's duties run once a second (replicationCron).
    if (now - this.#lastReplicationCron >= 1000 && this.sentinel === null) {
      this.#lastReplicationCron = now;
      replicationCron(this);
    }
    // The clients' buffers count in used_memory; summing them is O(clients), so once a tick.
    this.memory.refreshClients();
    // Keeps used_memory_peak current, as Redis's cron does. Only with maxmemory set: without
    // it the aggregates are not tracked and summing them is O(aggregates), so the peak is then
    // sampled when INFO or MEMORY asks.
    if (this.evictor.maxmemory > 0) this.memory.used();
    // Also here, so a CONFIG SET of tracking-table-max-keys takes effect on an idle node.
    if (this.tracking.clients > 0) this.tracking.limitUsedSlots();
    const timeout = this.config.getNumber('timeout');
    if (timeout > 0) {
      for (const c of this.clients.values()) {
        // As in Redis, Pub/Sub clients (which only listen), replicas and the master never time out.
        if (!c.monitor && !c.suspended && !c.pubsub && c.replica === null && !c.isMaster && now - c.lastInteraction > timeout * 1000) {
          this.log.verbose(`Closing idle client ${c.describe()}`);
          c.close();
        }
      }
    }
  }

  get cronLoops(): number {
    return this.#cronLoops;
  }

  // ---------------------------------------------------------------------------------------
  // Shutdown

  /** Stops accepting, closes all clients and listeners. Idempotent. */
  async close(): Promise<void> {
    if (this.shuttingDown) return this.closed;
    this.shuttingDown = true;
    if (this.#cron !== null) clearInterval(this.#cron);
    this.sentinel?.stop();
    // A BGSAVE still walking is abandoned (its temp file removed), as a SHUTDOWN would.
    if (this.snapshot !== null) this.snapshot.abort('Background saving terminated: the node is closing');
    this.pause.close();
    this.evictor.close();
    for (const c of [...this.clients.values()]) c.close();
    const all = [...this.#listeners, ...this.#tcpListeners];
    await Promise.all(all.map((l) => new Promise<void>((r) => l.close(() => r()))));
    if (this.unixSocketPath && existsSync(this.unixSocketPath)) {
      try {
        unlinkSync(this.unixSocketPath);
      } catch {
        /* already gone */
      }
    }
    // Persistence's last steps (the AOF's final write and fsync) before the node counts as closed.
    for (const f of this.beforeClose) {
      try {
        await f();
      } catch (err) {
        this.log.warning(`Error while closing: ${(err as Error).message}`);
      }
    }
    this.#resolveClosed();
  }
}

function normalizeBindHost(h: string): string {
  if (h === '*') return '0.0.0.0';
  if (h === '::*') return '::';
  return h;
}

function isAddrUnavailable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EPROTONOSUPPORT';
}

