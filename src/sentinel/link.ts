// A sentinel's connections to one monitored instance (Redis's instanceLink): a command
// connection for PING, INFO, PUBLISH of hellos, the votes and the failover's commands, and,
// for masters and replicas, a Pub/Sub connection subscribed to the hello channel.
//
// The connections are ioredis clients that never reconnect by themselves: when one closes, the
// link counts as disconnected and the sentinel's timer opens a new one (no more than once a
// PING period), as Redis's sentinelReconnectInstance does. The timestamps are the ones Redis
// keeps and SENTINEL MASTER / REPLICAS print.

import { Redis } from 'ioredis';

export const HELLO_CHANNEL = '__sentinel__:hello';

export interface LinkOptions {
  host: string;
  port: number;
  /** Subscribe a second connection to the hello channel (masters and replicas). */
  pubsub: boolean;
  /** CLIENT SETNAME prefix: "sentinel-<first 8 of myid>". */
  clientName: string;
  username?: string;
  password?: string;
  /** Hello messages read on the Pub/Sub connection. */
  onHello?: (msg: string) => void;
  /** A connection failed or closed (for the log). */
  onDisconnect?: (why: string) => void;
  /** The sentinel's clock (ms), for the Pub/Sub connection's last activity. */
  now: () => number;
}

type Reply = unknown;

export class InstanceLink {
  cc: Redis | null = null;
  pc: Redis | null = null;
  /** Both connections wanted are open (or opening). */
  disconnected = true;
  pendingCommands = 0;
  /** How many instances use this link (a peer sentinel's, shared across masters). */
  refcount = 1;
  ccConnTime = 0;
  pcConnTime = 0;
  pcLastActivity = 0;
  lastReconnTime = 0;
  /**
   * Time of the oldest PING not answered yet (0: none pending). It starts at the link's
   * creation and survives reconnections, so an instance never reached goes down after
   * down-after-milliseconds as one that stopped answering does (Redis's createInstanceLink).
   */
  actPingTime: number;
  lastPingTime = 0;
  lastPongTime = 0;
  /** Last time the instance answered PING with an acceptable reply. */
  lastAvailTime: number;
  readonly #opts: LinkOptions;

  constructor(opts: LinkOptions, now: number) {
    this.#opts = opts;
    this.lastAvailTime = now;
    this.lastPongTime = now;
    this.actPingTime = now;
  }

  get host(): string {
    return this.#opts.host;
  }

  get port(): number {
    return this.#opts.port;
  }

  /** The local address of the command connection (the default announced address). */
  get localAddress(): string | null {
    // Before it connects, ioredis has no stream yet.
    return (this.cc?.stream as { localAddress?: string } | undefined)?.localAddress ?? null;
  }

  /** Opens the connections (the caller checks the reconnect period). */
  connect(now: number): void {
    this.lastReconnTime = now;
    this.close();
    const o = this.#opts;
    const base = {
      host: o.host,
      port: o.port,
      username: o.username,
      password: o.password,
      lazyConnect: false,
      enableReadyCheck: false,
      enableOfflineQueue: true,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: null,
      retryStrategy: (): null => null,
      connectTimeout: 10_000,
    };
    const cc = new Redis({ ...base, connectionName: `${o.clientName}-cmd` });
    this.cc = cc;
    this.ccConnTime = now;
    this.disconnected = false;
    const gone = (which: Redis, why: string): void => {
      if (which !== this.cc && which !== this.pc) return;
      this.close();
      o.onDisconnect?.(why);
    };
    cc.on('error', (e: Error) => gone(cc, e.message));
    cc.on('close', () => gone(cc, 'connection closed'));
    if (o.pubsub) {
      const pc = new Redis({ ...base, connectionName: `${o.clientName}-pubsub` });
      this.pc = pc;
      this.pcConnTime = now;
      this.pcLastActivity = now;
      pc.on('error', (e: Error) => gone(pc, e.message));
      pc.on('close', () => gone(pc, 'connection closed'));
      pc.on('message', (channel: string, msg: string) => {
        this.pcLastActivity = o.now();
        if (channel === HELLO_CHANNEL) o.onHello?.(msg);
      });
      pc.subscribe(HELLO_CHANNEL).then(
        () => (this.pcLastActivity = o.now()),
        () => undefined,
      );
    }
  }

  /** Closes both connections; the link is then disconnected. Replies still due are dropped. */
  close(): void {
    const { cc, pc } = this;
    this.cc = null;
    this.pc = null;
    this.disconnected = true;
    this.pendingCommands = 0;
    cc?.disconnect();
    pc?.disconnect();
  }

  /** Closes only the Pub/Sub connection (it is reopened with the command one). */
  closePubsub(): void {
    if (this.pc === null) return;
    const pc = this.pc;
    this.pc = null;
    this.disconnected = true;
    pc.disconnect();
  }

  /**
   * Sends a command on the command connection; `done` gets the reply or the error (never
   * called if the link closes first). Returns false when the link is down.
   */
  send(args: (string | number)[], done?: (err: Error | null, reply: Reply) => void): boolean {
    const cc = this.cc;
    if (cc === null || this.disconnected) return false;
    this.pendingCommands++;
    const [cmd, ...rest] = args;
    cc.call(String(cmd), ...rest.map(String)).then(
      (r) => {
        if (this.cc !== cc) return;
        this.pendingCommands--;
        done?.(null, r);
      },
      (e: Error) => {
        if (this.cc !== cc) return;
        this.pendingCommands--;
        done?.(e, null);
      },
    );
    return true;
  }
}
