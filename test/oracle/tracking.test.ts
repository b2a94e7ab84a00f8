// Oracle tests for client tracking (CLIENT TRACKING / CACHING / TRACKINGINFO / GETREDIR and the
// invalidation messages): the cases of Redis's tests/unit/tracking.tcl that need neither
// scripts nor maxmemory, plus the option errors. Replies byte for byte against redis-server.
//
// REDIRECT names a client id, and ids differ between the two servers, so these scripts run on
// a small runner of their own: a step's command may be a function of the connection ids of
// the side it runs on, and the ids in replies are masked as "#<connection>". Each side runs the
// whole script on its own connections; then the replies are compared step by step.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../helpers/node.js';
import { selfTestMode } from '../helpers/oracle.js';
import { RawClient, escapeBytes, type Arg } from '../helpers/raw-client.js';
import { requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';

/** Connection ids of one side, by connection number. */
type Ids = (conn: number) => string;

interface TStep {
  /** Connection (default 0). */
  c?: number;
  /** The command, or a function of the side's ids; omitted: only read. */
  cmd?: readonly Arg[] | ((id: Ids) => Arg[]);
  /** Replies to read (default 1 with a command, 1 without). */
  n?: number;
  /** Each reply must match this instead of being equal on both sides. */
  match?: RegExp;
  /** Applied to each reply before comparing. */
  normalize?: (raw: string) => string;
  /** After the replies, the server must close the connection. */
  closes?: boolean;
  /** Milliseconds to wait for each reply (default 3000). */
  timeout?: number;
  /** Repeat the command (every 10 ms, up to 3 s) until its normalized reply matches. */
  until?: RegExp;
  /** Replace the connections' ids in the replies by #<connection> (CLIENT commands do). */
  mask?: boolean;
}

interface SideResult {
  replies: string[];
  error: string | null;
}

/** Runs a script on one server; replies are latin1 text with the ids masked. */
async function runSide(port: number, script: readonly TStep[]): Promise<SideResult> {
  const conns = new Map<number, RawClient>();
  const ids = new Map<number, string>();
  const replies: string[] = [];
  const open = async (k: number): Promise<RawClient> => {
    let rc = conns.get(k);
    if (rc === undefined) {
      rc = await RawClient.connect(port);
      conns.set(k, rc);
      const raw = (await rc.call('CLIENT', 'ID')).toString('latin1');
      ids.set(k, raw.slice(1, -2));
    }
    return rc;
  };
  const id: Ids = (k) => {
    const v = ids.get(k);
    if (v === undefined) throw new Error(`connection ${k} not open yet`);
    return v;
  };
  const maskIds = (raw: string): string => {
    let s = raw;
    for (const [k, v] of ids) {
      s = s.split(`:${v}\r\n`).join(`:#${k}\r\n`).split(`redir=${v} `).join(`redir=#${k} `);
    }
    return s;
  };
  try {
    for (let i = 0; i < script.length; i++) {
      const st = script[i];
      const rc = await open(st.c ?? 0);
      const first = typeof st.cmd === 'object' ? st.cmd[0] : typeof st.cmd === 'function' ? st.cmd(id)[0] : '';
      const masked = st.mask ?? String(first).toUpperCase() === 'CLIENT';
      const mask = (raw: string): string => (masked ? maskIds(raw) : raw);
      if (st.cmd !== undefined) {
        const args = typeof st.cmd === 'function' ? st.cmd(id) : st.cmd;
        await rc.command(...args);
      }
      if (st.until !== undefined) {
        const norm = st.normalize ?? ((x: string): string => x);
        const args = typeof st.cmd === 'function' ? st.cmd(id) : (st.cmd ?? []);
        for (let tries = 0; ; tries++) {
          const raw = (await rc.readReply(st.timeout ?? 3000)).toString('latin1');
          if (st.until.test(norm(raw))) {
            replies.push(`step ${i + 1}: ${mask(raw)}`);
            break;
          }
          if (tries > 300) throw new Error(`step ${i + 1}: never matched ${st.until}: ${raw}`);
          await new Promise((res) => setTimeout(res, 10));
          await rc.command(...args);
        }
        continue;
      }
      const n = st.n ?? 1;
      for (let r = 0; r < n; r++) {
        const raw = (await rc.readReply(st.timeout ?? 3000)).toString('latin1');
        replies.push(`step ${i + 1}: ${mask(raw)}`);
      }
      if (st.closes === true) {
        await rc.waitClose(3000);
        conns.delete(st.c ?? 0);
      }
    }
    // Nothing may be left unread on any connection.
    for (const [k, rc] of conns) {
      const marker = `sync-${k}`;
      const raw = (await rc.call('ECHO', marker)).toString('latin1');
      replies.push(`end (conn ${k}): ${raw}`);
    }
    return { replies, error: null };
  } catch (err) {
    return { replies, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await Promise.all([...conns.values()].map((rc) => rc.close()));
  }
}

/** Starts Shoal (or a second redis-server in ORACLE_SELF_TEST mode) and a redis-server. */
function withServers(
  name: string,
  config: Record<string, string>,
  body: (check: (script: readonly TStep[]) => Promise<void>) => void,
): void {
  describe(selfTestMode() ? `${name} [self-test: redis vs redis]` : name, { skip: requireRedis() }, () => {
    let shoal: RunningServer | null = null;
    let shoalRedis: RedisInstance | null = null;
    let redis: RedisInstance | null = null;
    const args = Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]);
    before(async () => {
      redis = await startRedis(args);
      if (selfTestMode()) shoalRedis = await startRedis(args);
      else shoal = await startServer({ port: 0, config });
    });
    after(async () => {
      await Promise.all([shoal?.close(), shoalRedis?.stop(), redis?.stop()]);
    });
    const check = async (script: readonly TStep[]): Promise<void> => {
      const mine = shoal?.port ?? shoalRedis?.port ?? 0;
      const theirs = redis?.port ?? 0;
      assert.ok(mine !== 0 && theirs !== 0, 'servers not started');
      const flush = async (port: number): Promise<void> => {
        const rc = await RawClient.connect(port);
        await rc.call('FLUSHALL');
        await rc.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
        await rc.close();
      };
      await Promise.all([flush(mine), flush(theirs)]);
      const [a, b] = await Promise.all([runSide(mine, script), runSide(theirs, script)]);
      const count = Math.max(a.replies.length, b.replies.length);
      for (let i = 0; i < count; i++) {
        const x = a.replies[i];
        const y = b.replies[i];
        const stepNo = Number(/^step (\d+)/.exec(y ?? x ?? '')?.[1] ?? 0);
        const st = stepNo > 0 ? script[stepNo - 1] : undefined;
        const show = (s: string | undefined, e: string | null): string =>
          s === undefined ? `(no reply: ${e ?? 'missing'})` : escapeBytes(Buffer.from(s, 'latin1'), 600);
        const where = `reply ${i + 1}${st !== undefined ? ` (conn ${st.c ?? 0})` : ''}`;
        if (x === undefined || y === undefined) {
          assert.fail(`${where}: shoal: ${show(x, a.error)}\n  redis: ${show(y, b.error)}`);
        }
        if (st?.match !== undefined) {
          const body = (s: string): string => s.slice(s.indexOf(': ') + 2);
          assert.ok(st.match.test(body(x)), `${where}: shoal ${show(x, null)} does not match ${st.match}`);
          assert.ok(st.match.test(body(y)), `${where}: redis ${show(y, null)} does not match ${st.match}`);
          continue;
        }
        const norm = st?.normalize ?? ((s: string): string => s);
        assert.equal(escapeBytes(Buffer.from(norm(x), 'latin1'), 2000), escapeBytes(Buffer.from(norm(y), 'latin1'), 2000), where);
      }
      assert.equal(a.error, b.error, 'both sides end the same way');
    };
    body(check);
  });
}

// ---------------------------------------------------------------------------------------------
// Scripts

const R = 0; // the tracking client
const REDIR = 1; // a RESP2 client subscribed to __redis__:invalidate
const SG = 2; // sets and gets keys
const RD = 3; // another tracking client

const subscribeRedir: TStep = { c: REDIR, cmd: ['SUBSCRIBE', '__redis__:invalidate'] };
const redirect = (...more: string[]): TStep => ({ cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'REDIRECT', id(REDIR), ...more] });
const sg = (...args: string[]): TStep => ({ c: SG, cmd: args });
const r = (...args: string[]): TStep => ({ cmd: args });
/** Reads one message on the redirect connection. */
const redirRead: TStep = { c: REDIR };
/** Reads one pushed message (and nothing else) on connection c. */
const pushed = (c: number): TStep => ({ c, mask: true });

/** The CLIENT LIST fields tracking sets: flags and redir. */
function trackingFields(raw: string): string {
  const m = /flags=(\S+) .* redir=(\S+) resp=/.exec(raw);
  return m === null ? raw : `${m[1]} ${m[2]}`;
}

withServers('oracle: tracking.tcl', { 'enable-debug-command': 'yes' }, (check) => {
  it('redirect: only keys read are invalidated; BCAST with and without prefixes', () =>
    check([
      subscribeRedir,
      redirect(),
      sg('SET', 'a', '1'),
      sg('SET', 'b', '1'),
      r('GET', 'a'),
      r('INCR', 'b'), // not read by R: no message
      r('INCR', 'a'),
      redirRead,
      r('MGET', 'a', 'b', 'c', 'd', 'e', 'f', 'g'),
      r('CLIENT', 'TRACKING', 'off'),
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', id(REDIR)] },
      r('MSET', 'a', '1', 'b', '2', 'c', '3'),
      redirRead,
      r('CLIENT', 'TRACKING', 'off'),
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', id(REDIR), 'PREFIX', 'a:', 'PREFIX', 'b:'] },
      r('MULTI'),
      r('INCR', 'a:1'),
      r('INCR', 'a:2'),
      r('INCR', 'b:1'),
      r('INCR', 'b:2'),
      r('INCR', 'c:1'),
      r('EXEC'),
      { c: REDIR, n: 2 }, // one message per prefix, in prefix order
      // Adding a prefix keeps the others.
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', id(REDIR), 'PREFIX', 'c:'] },
      r('INCR', 'c:1234'),
      redirRead,
      r('CLIENT', 'TRACKINGINFO'),
      { cmd: ['CLIENT', 'LIST', 'ID', '0'] },
      { cmd: (id) => ['CLIENT', 'LIST', 'ID', id(R)], normalize: trackingFields },
    ]));

  it('NOLOOP in default and BCAST mode', () =>
    check([
      subscribeRedir,
      redirect('NOLOOP'),
      r('MGET', 'otherkey1', 'loopkey', 'otherkey2'),
      sg('SET', 'otherkey1', '1'),
      r('SET', 'loopkey', '1'),
      sg('SET', 'otherkey2', '1'),
      { c: REDIR, n: 2 },
      r('CLIENT', 'TRACKING', 'off'),
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', id(REDIR), 'NOLOOP'] },
      sg('SET', 'otherkey1', '1'),
      redirRead,
      r('SET', 'loopkey', '1'),
      sg('SET', 'otherkey2', '1'),
      redirRead,
      r('CLIENT', 'TRACKINGINFO'),
    ]));

  it('expired keys are invalidated (active expiry, and lazy expiry inside a transaction)', () =>
    check([
      subscribeRedir,
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', id(REDIR), 'NOLOOP'] },
      r('SET', 'mykey', 'myval', 'px', '1'),
      r('SET', 'mykeyotherkey', 'myval'),
      redirRead,
      r('MULTI'),
      r('SET', 'mykey2', 'myval', 'px', '1'),
      r('SET', 'mykey2otherkey', 'myval'),
      r('DEBUG', 'SLEEP', '0.05'),
      r('GET', 'mykey2'),
      { cmd: ['EXEC'] },
      redirRead,
    ]));

  it('RESP3: invalidations are pushed after the reply of the command that caused them', () =>
    check([
      { cmd: ['HELLO', '3'], normalize: () => 'hello' },
      r('CLIENT', 'TRACKING', 'on'),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      sg('SET', 'key1', '2'),
      pushed(R),
      // Own changes: the push follows the reply.
      r('GET', 'key1'),
      { cmd: ['SET', 'key1', '3'], n: 2 },
      r('HSET', 'myhash', 'f', '1'),
      r('HGET', 'myhash', 'f'),
      { cmd: ['HDEL', 'myhash', 'f'], n: 2 },
      // A transaction's invalidations follow EXEC's reply.
      r('MSET', 'a', '1', 'b', '2'),
      r('GET', 'a'),
      r('MULTI'),
      r('INCR', 'a'),
      r('GET', 'b'),
      { cmd: ['EXEC'], n: 2 },
      r('GET', 'k'),
      r('MULTI'),
      r('SET', 'k', '1'),
      r('GET', 'k'),
      r('SET', 'k', '2'),
      { cmd: ['EXEC'], n: 3 },
      // Lazy expiry while reading several keys: after the whole reply.
      r('DEBUG', 'SET-ACTIVE-EXPIRE', '0'),
      r('MULTI'),
      r('MSET', 'x', '1', 'y', '2'),
      r('PEXPIRE', 'y', '20'),
      r('GET', 'y'),
      r('EXEC'),
      { cmd: ['DEBUG', 'SLEEP', '0.05'] },
      { cmd: ['MGET', 'x', 'y'], n: 2 },
      r('DEBUG', 'SET-ACTIVE-EXPIRE', '1'),
      // NOLOOP: nothing for own changes.
      r('CLIENT', 'TRACKING', 'on', 'NOLOOP'),
      r('GET', 'key1'),
      r('SET', 'key1', '4'),
      r('PING'),
    ]));

  it('RESP3 redirect target, switching protocols, several clients redirecting to one', () =>
    check([
      subscribeRedir,
      { cmd: ['HELLO', '3'], normalize: () => 'hello' },
      redirect(),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      sg('SET', 'key1', '2'),
      redirRead,
      { cmd: ['HELLO', '2'], normalize: () => 'hello' },
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      { cmd: ['HELLO', '3'], normalize: () => 'hello' },
      sg('SET', 'key1', '2'),
      redirRead,
      { c: RD, cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'REDIRECT', id(REDIR)] },
      sg('MSET', 'key1', '1', 'key2', '1'),
      r('GET', 'key1'),
      { c: RD, cmd: ['GET', 'key2'] },
      sg('INCR', 'key1'),
      redirRead,
      sg('INCR', 'key2'),
      redirRead,
      // Different protocols track the same key.
      { c: RD, cmd: ['HELLO', '3'], normalize: () => 'hello' },
      { c: RD, cmd: ['CLIENT', 'TRACKING', 'on'] },
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      { c: RD, cmd: ['GET', 'key1'] },
      sg('INCR', 'key1'),
      redirRead,
      { c: RD, cmd: ['PING'], n: 2 },
      // A RESP3 client as the redirect target gets pushes.
      { c: REDIR, cmd: ['UNSUBSCRIBE', '__redis__:invalidate'] },
      { c: REDIR, cmd: ['HELLO', '3'], normalize: () => 'hello' },
      { c: REDIR, cmd: ['SUBSCRIBE', '__redis__:invalidate'] },
      redirect(),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      sg('INCR', 'key1'),
      redirRead,
      // ...and so does a RESP3 target that is not subscribed to anything.
      { c: REDIR, cmd: ['UNSUBSCRIBE'] },
      r('GET', 'key1'),
      sg('INCR', 'key1'),
      redirRead,
      // A RESP2 target not in Pub/Sub mode gets nothing.
      { c: REDIR, cmd: ['HELLO', '2'], normalize: () => 'hello' },
      r('GET', 'key1'),
      sg('INCR', 'key1'),
      { c: REDIR, cmd: ['PING'] },
    ]));

  it('OPTIN / OPTOUT with CLIENT CACHING', () =>
    check([
      subscribeRedir,
      redirect('OPTIN'),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'), // not tracked: OPTIN without CACHING yes
      sg('SET', 'key1', '2'),
      r('CLIENT', 'CACHING', 'yes'),
      r('GET', 'key1'),
      r('GET', 'key3'), // CACHING applied to the previous command only
      sg('SET', 'key1', '4'),
      sg('SET', 'key3', '4'),
      redirRead,
      // CACHING survives CLIENT subcommands and lasts for a whole transaction.
      r('CLIENT', 'CACHING', 'yes'),
      r('CLIENT', 'GETNAME'),
      r('CLIENT', 'TRACKINGINFO'),
      r('MULTI'),
      r('GET', 'key1'),
      r('GET', 'key3'),
      r('EXEC'),
      r('CLIENT', 'TRACKINGINFO'),
      sg('MSET', 'key1', '5', 'key3', '5'),
      { c: REDIR, n: 2 },
      r('CLIENT', 'TRACKING', 'off'),
      redirect('OPTOUT'),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      sg('SET', 'key1', '2'),
      redirRead,
      r('CLIENT', 'CACHING', 'no'),
      r('GET', 'key1'), // not tracked
      sg('SET', 'key1', '3'),
      r('GET', 'key2'),
      sg('SET', 'key2', '2'),
      redirRead,
      r('CLIENT', 'CACHING', 'no'),
      r('CLIENT', 'TRACKINGINFO'),
      r('PING'),
      r('CLIENT', 'TRACKINGINFO'),
    ]));

  it('after switching from default to BCAST mode, keys read before are not invalidated', () =>
    check([
      { cmd: ['HELLO', '3'], normalize: () => 'hello' },
      r('CLIENT', 'TRACKING', 'on'),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'on', 'BCAST'),
      sg('INCR', 'key1'),
      pushed(R), // from the BCAST empty prefix, once
      r('PING'),
    ]));

  it('the redirect target disconnects: tracking-redir-broken, flag R, broken_redirect', () =>
    check([
      subscribeRedir,
      { cmd: ['HELLO', '3'], normalize: () => 'hello' },
      redirect(),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      { c: REDIR, cmd: ['QUIT'], closes: true },
      sg('SET', 'key1', '2'),
      pushed(R),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'GETREDIR'),
      { cmd: (id) => ['CLIENT', 'LIST', 'ID', id(R)], normalize: trackingFields },
      // Re-enabling clears the broken mark.
      r('CLIENT', 'TRACKING', 'on'),
      r('CLIENT', 'TRACKINGINFO'),
    ]));

  it('flushes send a null invalidation, once per command; the table is emptied', () =>
    check([
      subscribeRedir,
      redirect(),
      sg('SET', 'key1', '1'),
      r('GET', 'key1'),
      sg('FLUSHALL'),
      redirRead,
      r('GET', 'key1'),
      sg('FLUSHDB'),
      redirRead,
      r('GET', 'key1'),
      r('GET', 'key2'),
      { c: SG, cmd: ['INFO', 'stats'], normalize: (s) => s.split('\r\n').filter((l) => l.startsWith('tracking_total')).join() },
      sg('FLUSHALL', 'ASYNC'),
      { c: SG, cmd: ['INFO', 'stats'], normalize: (s) => s.split('\r\n').filter((l) => l.startsWith('tracking_total')).join() },
      redirRead,
      // The flushing client itself, in RESP3: after the reply (for MULTI, after EXEC's).
      { cmd: ['HELLO', '3'], normalize: () => 'hello' },
      r('CLIENT', 'TRACKING', 'on'),
      r('SET', 'a', '1'),
      r('GET', 'a'),
      r('MULTI'),
      r('FLUSHDB'),
      { cmd: ['EXEC'], n: 2 },
      { cmd: ['FLUSHALL'], n: 2 },
      // The null follows the tracking client's protocol, not the target's.
      r('CLIENT', 'TRACKING', 'off'),
      redirect(),
      sg('FLUSHDB'),
      redirRead,
      r('PING'),
    ]));

  it('a BLMOVE served after blocking gets its invalidation after its reply', () =>
    check([
      sg('RPUSH', 'list2', 'a'),
      { c: RD, cmd: ['HELLO', '3'], normalize: () => 'hello' },
      { c: RD, cmd: ['CLIENT', 'TRACKING', 'on'] },
      { c: RD, cmd: ['LRANGE', 'list2', '0', '-1'] },
      { c: RD, cmd: ['BLMOVE', 'list1', 'list2', 'left', 'left', '0'], n: 0 },
      { c: SG, cmd: ['CLIENT', 'LIST'], normalize: (s) => String(s.split('flags=b').length - 1), until: /^1$/ },
      sg('RPUSH', 'list1', 'foo'),
      { c: RD, n: 2 },
    ]));

  it('tracking-table-max-keys: keys over the limit are invalidated', () =>
    check([
      subscribeRedir,
      redirect('NOLOOP'),
      r('MSET', 'key1', '1', 'key2', '2'),
      r('MGET', 'key1', 'key2'),
      sg('CONFIG', 'SET', 'tracking-table-max-keys', '1'),
      { c: REDIR, match: /^\*3\r\n\$7\r\nmessage\r\n\$20\r\n__redis__:invalidate\r\n\*1\r\n\$4\r\nkey[12]\r\n$/ },
      { c: SG, cmd: ['INFO', 'stats'], normalize: (s) => s.split('\r\n').filter((l) => l.startsWith('tracking_total')).join() },
    ]));

  it('eviction effort grows until the table fits', () => {
    const script: TStep[] = [subscribeRedir, redirect()];
    for (let i = 0; i < 250; i++) script.push(r('GET', `key${i}`));
    script.push(sg('CONFIG', 'SET', 'tracking-table-max-keys', '1'));
    script.push({ c: REDIR, n: 249, match: /^\*3\r\n\$7\r\nmessage\r\n\$20\r\n__redis__:invalidate\r\n\*1\r\n\$\d+\r\nkey\d+\r\n$/ });
    script.push({ c: REDIR, cmd: ['PING'] });
    return check(script);
  });

  it('INFO tracking fields, GETREDIR, TRACKINGINFO', () =>
    check([
      subscribeRedir,
      redirect(),
      sg('SET', 'key1', '1'),
      sg('SET', 'key2', '2'),
      r('GET', 'key1'),
      r('GET', 'key2'),
      { c: RD, cmd: ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'prefix:'] },
      sg('SET', 'prefix:key1', '1'),
      sg('SET', 'prefix:key2', '2'),
      { c: SG, cmd: ['INFO'], normalize: (s) => s.split('\r\n').filter((l) => l.startsWith('tracking_')).join() },
      r('CLIENT', 'GETREDIR'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'GETREDIR'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'on'),
      r('CLIENT', 'GETREDIR'),
      r('CLIENT', 'TRACKINGINFO'),
      redirect('noloop'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'on', 'optin'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'CACHING', 'yes'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'on', 'optout'),
      r('CLIENT', 'CACHING', 'no'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'foo', 'PREFIX', 'bar'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'on', 'BCAST'),
      r('CLIENT', 'TRACKINGINFO'),
      { cmd: ['HELLO', '3'], normalize: () => 'hello' },
      r('CLIENT', 'TRACKINGINFO'),
      { c: SG, cmd: ['INFO', 'clients'], normalize: (s) => s.split('\r\n').filter((l) => l.startsWith('tracking_')).join() },
      { c: RD, cmd: ['RESET'] },
      r('RESET'),
      { c: SG, cmd: ['INFO'], normalize: (s) => s.split('\r\n').filter((l) => l.startsWith('tracking_')).join() },
    ]));
});

withServers('oracle: CLIENT TRACKING options and errors', {}, (check) => {
  it('option errors, in Redis order', () =>
    check([
      r('CLIENT', 'TRACKING'),
      r('CLIENT', 'TRACKING', 'maybe'),
      r('CLIENT', 'TRACKING', 'on', 'FOO'),
      r('CLIENT', 'TRACKING', 'on', 'PREFIX'),
      r('CLIENT', 'TRACKING', 'on', 'REDIRECT'),
      r('CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x'),
      r('CLIENT', 'TRACKING', 'on', 'REDIRECT', '99999'),
      r('CLIENT', 'TRACKING', 'on', 'REDIRECT', '0'),
      r('CLIENT', 'TRACKING', 'on', 'REDIRECT', '-1'),
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'REDIRECT', id(R), 'REDIRECT', id(R)] },
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'REDIRECT', id(R), 'REDIRECT', '99999'] },
      r('CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'),
      r('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'),
      r('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTOUT'),
      r('CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'),
      r('CLIENT', 'TRACKING', 'maybe', 'BCAST'),
      r('CLIENT', 'TRACKING', 'off', 'PREFIX', 'a'),
      r('CLIENT', 'TRACKING', 'on', 'OPTIN'),
      r('CLIENT', 'TRACKING', 'on', 'OPTOUT'),
      r('CLIENT', 'TRACKING', 'on', 'BCAST'),
      r('CLIENT', 'TRACKING', 'on'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'ON', 'bcast', 'noloop'),
      r('CLIENT', 'TRACKING', 'on'),
      r('CLIENT', 'TRACKING', 'on', 'OPTIN'),
      r('CLIENT', 'TRACKINGINFO'),
      // Self-redirect is allowed.
      r('CLIENT', 'TRACKING', 'off'),
      { cmd: (id) => ['CLIENT', 'TRACKING', 'on', 'REDIRECT', id(R)] },
      r('CLIENT', 'GETREDIR'),
    ]));

  it('CLIENT CACHING errors', () =>
    check([
      r('CLIENT', 'CACHING', 'yes'),
      r('CLIENT', 'CACHING', 'maybe'),
      r('CLIENT', 'CACHING'),
      r('CLIENT', 'CACHING', 'yes', 'no'),
      r('CLIENT', 'TRACKING', 'on'),
      r('CLIENT', 'CACHING', 'yes'),
      r('CLIENT', 'CACHING', 'no'),
      r('CLIENT', 'CACHING', 'maybe'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'on', 'OPTIN'),
      r('CLIENT', 'CACHING', 'no'),
      r('CLIENT', 'CACHING', 'YES'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKING', 'on', 'OPTOUT'),
      r('CLIENT', 'CACHING', 'yes'),
      r('CLIENT', 'CACHING', 'No'),
      r('CLIENT', 'GETREDIR', 'x'),
      r('CLIENT', 'TRACKINGINFO', 'x'),
    ]));

  it('BCAST prefix collisions (an overlap between later new prefixes errs and then enables)', () =>
    check([
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'FOOBAR', 'PREFIX', 'FOO'),
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'FOO', 'PREFIX', 'FOOBAR'),
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'FOO', 'PREFIX', 'BAR'),
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'FO'),
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'BARB'),
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'BAR'),
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', ''),
      { cmd: ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'y', 'PREFIX', 'yz'], n: 2 },
      r('CLIENT', 'TRACKINGINFO'),
      r('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', Buffer.from('n\0ul').toString('latin1'), 'PREFIX', 'n'),
      r('CLIENT', 'TRACKING', 'off'),
      r('CLIENT', 'TRACKINGINFO'),
      r('INFO', 'stats'),
    ].map((s, i, all) => (i === all.length - 1 ? { ...s, normalize: (x: string) => x.split('\r\n').filter((l) => l.startsWith('tracking_total')).join() } : s))));
});
