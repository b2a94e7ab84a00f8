// Wire tests for INFO: section selection, field names and order (lists extracted from
// redis-server 7.0.15 `INFO everything`), and the counters behind keyspace, commandstats,
// errorstats, latencystats and stats; CONFIG RESETSTAT.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { VType } from '../../src/server/keyspace/entry.js';
import { RawClient, parseReply, type Arg } from '../helpers/raw-client.js';
import { putEntry } from '../helpers/keyspace.js';

// Field names per section, in order, from `redis-cli -p 6400 info everything` (7.0.15).
const FIELDS: Record<string, string[]> = {
  Server: [
    'redis_version', 'redis_git_sha1', 'redis_git_dirty', 'redis_build_id', 'redis_mode', 'os', 'arch_bits',
    'monotonic_clock', 'multiplexing_api', 'atomicvar_api', 'gcc_version', 'process_id', 'process_supervised',
    'run_id', 'tcp_port', 'server_time_usec', 'uptime_in_seconds', 'uptime_in_days', 'hz', 'configured_hz',
    'lru_clock', 'executable', 'config_file', 'io_threads_active',
  ],
  Clients: [
    'connected_clients', 'cluster_connections', 'maxclients', 'client_recent_max_input_buffer',
    'client_recent_max_output_buffer', 'blocked_clients', 'tracking_clients', 'clients_in_timeout_table',
  ],
  Memory: [
    'used_memory', 'used_memory_human', 'used_memory_rss', 'used_memory_rss_human', 'used_memory_peak',
    'used_memory_peak_human', 'used_memory_peak_perc', 'used_memory_overhead', 'used_memory_startup',
    'used_memory_dataset', 'used_memory_dataset_perc', 'allocator_allocated', 'allocator_active',
    'allocator_resident', 'total_system_memory', 'total_system_memory_human', 'used_memory_lua',
    'used_memory_vm_eval', 'used_memory_lua_human', 'used_memory_scripts_eval', 'number_of_cached_scripts',
    'number_of_functions', 'number_of_libraries', 'used_memory_vm_functions', 'used_memory_vm_total',
    'used_memory_vm_total_human', 'used_memory_functions', 'used_memory_scripts', 'used_memory_scripts_human',
    'maxmemory', 'maxmemory_human', 'maxmemory_policy', 'allocator_frag_ratio', 'allocator_frag_bytes',
    'allocator_rss_ratio', 'allocator_rss_bytes', 'rss_overhead_ratio', 'rss_overhead_bytes',
    'mem_fragmentation_ratio', 'mem_fragmentation_bytes', 'mem_not_counted_for_evict', 'mem_replication_backlog',
    'mem_total_replication_buffers', 'mem_clients_slaves', 'mem_clients_normal', 'mem_cluster_links',
    'mem_aof_buffer', 'mem_allocator', 'active_defrag_running', 'lazyfree_pending_objects', 'lazyfreed_objects',
  ],
  Persistence: [
    'loading', 'async_loading', 'current_cow_peak', 'current_cow_size', 'current_cow_size_age',
    'current_fork_perc', 'current_save_keys_processed', 'current_save_keys_total', 'rdb_changes_since_last_save',
    'rdb_bgsave_in_progress', 'rdb_last_save_time', 'rdb_last_bgsave_status', 'rdb_last_bgsave_time_sec',
    'rdb_current_bgsave_time_sec', 'rdb_saves', 'rdb_last_cow_size', 'rdb_last_load_keys_expired',
    'rdb_last_load_keys_loaded', 'aof_enabled', 'aof_rewrite_in_progress', 'aof_rewrite_scheduled',
    'aof_last_rewrite_time_sec', 'aof_current_rewrite_time_sec', 'aof_last_bgrewrite_status', 'aof_rewrites',
    'aof_rewrites_consecutive_failures', 'aof_last_write_status', 'aof_last_cow_size', 'module_fork_in_progress',
    'module_fork_last_cow_size',
  ],
  Stats: [
    'total_connections_received', 'total_commands_processed', 'instantaneous_ops_per_sec', 'total_net_input_bytes',
    'total_net_output_bytes', 'total_net_repl_input_bytes', 'total_net_repl_output_bytes',
    'instantaneous_input_kbps', 'instantaneous_output_kbps', 'instantaneous_input_repl_kbps',
    'instantaneous_output_repl_kbps', 'rejected_connections', 'sync_full', 'sync_partial_ok', 'sync_partial_err',
    'expired_keys', 'expired_stale_perc', 'expired_time_cap_reached_count', 'expire_cycle_cpu_milliseconds',
    'evicted_keys', 'evicted_clients', 'total_eviction_exceeded_time', 'current_eviction_exceeded_time',
    'keyspace_hits', 'keyspace_misses', 'pubsub_channels', 'pubsub_patterns', 'pubsubshard_channels',
    'latest_fork_usec', 'total_forks', 'migrate_cached_sockets', 'slave_expires_tracked_keys', 'active_defrag_hits',
    'active_defrag_misses', 'active_defrag_key_hits', 'active_defrag_key_misses', 'total_active_defrag_time',
    'current_active_defrag_time', 'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes',
    'unexpected_error_replies', 'total_error_replies', 'dump_payload_sanitizations', 'total_reads_processed',
    'total_writes_processed', 'io_threaded_reads_processed', 'io_threaded_writes_processed',
    'reply_buffer_shrinks', 'reply_buffer_expands',
  ],
  Replication: [
    'role', 'connected_slaves', 'master_failover_state', 'master_replid', 'master_replid2', 'master_repl_offset',
    'second_repl_offset', 'repl_backlog_active', 'repl_backlog_size', 'repl_backlog_first_byte_offset',
    'repl_backlog_histlen',
  ],
  CPU: [
    'used_cpu_sys', 'used_cpu_user', 'used_cpu_sys_children', 'used_cpu_user_children', 'used_cpu_sys_main_thread',
    'used_cpu_user_main_thread',
  ],
  Modules: [],
  Cluster: ['cluster_enabled'],
};
/** Shoal's own fields, allowed only at the end of the Server section. */
const SHOAL_SERVER_EXTRAS = ['shoal_version', 'shoal_node_version'];

const DEFAULT_TITLES = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace'];
const ALL_TITLES = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats', 'Errorstats', 'Latencystats', 'Cluster', 'Keyspace'];

/** Parses INFO text into sections: title -> [[field, value], ...]. Checks the line format. */
function parseInfo(text: string): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  if (text === '') return out;
  assert.ok(text.endsWith('\r\n'), 'INFO text ends with CRLF');
  const blocks = text.slice(0, -2).split('\r\n\r\n');
  for (const b of blocks) {
    const lines = b.split('\r\n');
    const head = lines.shift() ?? '';
    assert.match(head, /^# [A-Za-z]+$/, `section header: ${head}`);
    const fields: [string, string][] = [];
    for (const l of lines) {
      const i = l.indexOf(':');
      assert.ok(i > 0, `field line: ${JSON.stringify(l)}`);
      fields.push([l.slice(0, i), l.slice(i + 1)]);
    }
    out.set(head.slice(2), fields);
  }
  return out;
}

describe('INFO', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(1_700_000_000_000);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const info = async (...sections: string[]): Promise<Map<string, [string, string][]>> =>
    parseInfo(String(await redis.call('info', ...sections)));
  const field = async (section: string, name: string): Promise<string | undefined> => {
    const s = await info(section);
    for (const fields of s.values()) for (const [k, v] of fields) if (k === name) return v;
    return undefined;
  };

  before(async () => {
    node = await startServer({ clock });
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });

  it('every section has exactly Redis 7.0.15 field names, in order', async () => {
    const s = await info('everything');
    assert.deepEqual([...s.keys()], ALL_TITLES);
    for (const [title, names] of Object.entries(FIELDS)) {
      const got = (s.get(title) ?? []).map(([k]) => k);
      const expected = title === 'Server' ? [...names, ...SHOAL_SERVER_EXTRAS] : names;
      assert.deepEqual(got, expected, `fields of # ${title}`);
    }
  });

  it('selects default, all, everything and named sections in the fixed order', async () => {
    assert.deepEqual([...(await info()).keys()], DEFAULT_TITLES);
    assert.deepEqual([...(await info('default')).keys()], DEFAULT_TITLES);
    assert.deepEqual([...(await info('all')).keys()], ALL_TITLES);
    assert.deepEqual([...(await info('KEYSPACE', 'server')).keys()], ['Server', 'Keyspace']);
    assert.deepEqual([...(await info('default', 'commandstats')).keys()], [...DEFAULT_TITLES.slice(0, 8), 'Commandstats', ...DEFAULT_TITLES.slice(8)]);
    assert.deepEqual([...(await info('server', 'server')).keys()], ['Server']);
    assert.equal(await r('INFO', 'nosuchsection'), '$0\r\n\r\n');
    assert.equal(await r('INFO', 'cluster', 'modules'), '$43\r\n# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n');
  });

  it('is a verbatim string in RESP3', async () => {
    const c = await RawClient.connect(node.port);
    try {
      await c.call('HELLO', '3');
      assert.equal((await c.call('INFO', 'cluster')).toString(), '=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
      assert.equal((await c.call('INFO', 'nosuch')).toString(), '=4\r\ntxt:\r\n');
    } finally {
      await c.close();
    }
  });

  it('reports real server values', async () => {
    const s = new Map((await info('server', 'replication', 'clients', 'persistence')).get('Server'));
    assert.equal(s.get('redis_version'), '7.0.15');
    assert.equal(s.get('tcp_port'), String(node.port));
    assert.equal(s.get('run_id'), node.server.runId);
    assert.equal(s.get('process_id'), String(process.pid));
    assert.equal(s.get('uptime_in_seconds'), '0');
    clock.advance(90_000);
    assert.equal(await field('server', 'uptime_in_seconds'), '90');
    assert.equal(await field('server', 'server_time_usec'), String(clock.nowUs()));
    assert.equal(await field('replication', 'master_replid'), node.server.repl.replId);
    assert.match(node.server.repl.replId, /^[0-9a-f]{40}$/);
    assert.equal(await field('replication', 'role'), 'master');
    assert.equal(await field('persistence', 'rdb_last_save_time'), String(Math.floor(node.server.startTimeMs / 1000)));
    const before = Number(await field('persistence', 'rdb_changes_since_last_save'));
    await redis.set('dirty:a', '1');
    await redis.set('dirty:b', '1');
    assert.equal(Number(await field('persistence', 'rdb_changes_since_last_save')), before + 2);
    assert.equal(await field('clients', 'connected_clients'), '2');
    assert.equal(await field('clients', 'maxclients'), '10000');
    assert.match((await field('memory', 'used_memory')) ?? '', /^[1-9]\d*$/);
    assert.match((await field('cpu', 'used_cpu_user')) ?? '', /^\d+\.\d{6}$/);
  });

  it("allocator_allocated and allocator_active count the records' memory (the arena's shared segments)", async () => {
    const MB = 1024 * 1024;
    // A server of its own, whose records are made by DEBUG POPULATE: this process is also the
    // client, and a client's buffers would count in the same figures.
    const own = await startServer({ config: { 'enable-debug-command': 'yes' } });
    const c = await RawClient.connect(own.port);
    try {
      const figure = async (name: string): Promise<number> =>
        Number(new RegExp(`^${name}:(\\d+)`, 'm').exec((await c.call('INFO', 'memory')).toString('latin1'))?.[1]);
      const arena = own.server.keyspace.store.arena;
      const allocated0 = await figure('allocator_allocated');
      const active0 = await figure('allocator_active');
      const shared0 = arena.sharedBytes;
      assert.equal((await c.call('DEBUG', 'POPULATE', '32000', 'alloc', '1000')).toString(), '+OK\r\n');
      const grown = arena.sharedBytes - shared0;
      assert.ok(grown >= 30 * MB, `the arena grew by ${grown} bytes for 32K records of 1 KB`);
      // V8's heap may move by a few megabytes between the two readings.
      const allocated = await figure('allocator_allocated');
      const active = await figure('allocator_active');
      assert.ok(allocated - allocated0 >= grown - 4 * MB, `allocator_allocated grew by ${allocated - allocated0}, the arena by ${grown}`);
      assert.ok(active - active0 >= grown - 4 * MB, `allocator_active grew by ${active - active0}, the arena by ${grown}`);
    } finally {
      await c.close();
      await own.close();
    }
  });

  it('keyspace lists non-empty databases with keys, expires and avg_ttl', async () => {
    await redis.flushall();
    assert.deepEqual((await info('keyspace')).get('Keyspace'), []);
    await redis.set('ks:a', '1');
    await redis.set('ks:b', '1', 'PX', 10_000);
    await redis.set('ks:c', '1', 'PX', 20_000);
    await r('SELECT', '3');
    await r('SET', 'ks:x', 'y');
    await r('SELECT', '0');
    assert.deepEqual((await info('keyspace')).get('Keyspace'), [
      ['db0', 'keys=3,expires=2,avg_ttl=15000'],
      ['db3', 'keys=1,expires=0,avg_ttl=0'],
    ]);
  });

  it('stats count keyspace hits, misses, expired keys and commands', async () => {
    await r('CONFIG', 'RESETSTAT');
    await redis.set('st:k', 'v', 'PX', 100);
    await redis.get('st:k');
    await redis.get('st:k');
    await redis.get('st:none');
    clock.advance(200);
    assert.equal(await redis.get('st:k'), null);
    const st = new Map((await info('stats')).get('Stats'));
    assert.equal(st.get('keyspace_hits'), '2');
    assert.equal(st.get('keyspace_misses'), '2');
    assert.equal(st.get('expired_keys'), '1');
    // RESETSTAT, SET, 4 x GET (this INFO is counted after it replies).
    assert.equal(st.get('total_commands_processed'), '6');
    assert.ok(Number(st.get('total_net_input_bytes')) > 0);
  });

  it('commandstats counts calls, failed and rejected calls, subcommands as container|sub', async () => {
    await r('CONFIG', 'RESETSTAT');
    await r('SET', 'cs:n', 'notanumber');
    await r('INCR', 'cs:n');
    await r('INCR', 'cs:m');
    await r('GET');
    await r('CONFIG', 'GET', 'maxmemory');
    const cs = new Map((await info('commandstats')).get('Commandstats'));
    const line = /^calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d\d),rejected_calls=(\d+),failed_calls=(\d+)$/;
    const parse = (name: string): number[] => {
      const m = line.exec(cs.get(name) ?? '');
      assert.ok(m, `cmdstat_${name}: ${cs.get(name)}`);
      return [Number(m[1]), Number(m[4]), Number(m[5])];
    };
    assert.deepEqual(parse('cmdstat_incr'), [2, 0, 1]);
    assert.deepEqual(parse('cmdstat_set'), [1, 0, 0]);
    assert.deepEqual(parse('cmdstat_get'), [0, 1, 0]);
    assert.deepEqual(parse('cmdstat_config|get'), [1, 0, 0]);
    assert.deepEqual(parse('cmdstat_config|resetstat'), [1, 0, 0]);
    assert.equal(cs.has('cmdstat_del'), false, 'commands never called are not listed');
  });

  it('errorstats counts error replies by code, sorted', async () => {
    await r('CONFIG', 'RESETSTAT');
    await r('SET', 'es:s', 'x');
    await r('INCR', 'es:s');
    await r('NOSUCHCOMMAND');
    putEntry(node.server.keyspace.dbs[0], 'es:h', VType.Hash, new Map(), 0);
    await r('GET', 'es:h');
    const es = (await info('errorstats')).get('Errorstats');
    assert.deepEqual(es, [
      ['errorstat_ERR', 'count=2'],
      ['errorstat_WRONGTYPE', 'count=1'],
    ]);
    assert.equal(await field('stats', 'total_error_replies'), '3');
  });

  it('latencystats reports p50/p99/p99.9 per command called', async () => {
    await r('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 5; i++) await r('PING');
    const ls = new Map((await info('latencystats')).get('Latencystats'));
    assert.match(ls.get('latency_percentiles_usec_ping') ?? '', /^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
    assert.equal(ls.has('latency_percentiles_usec_get'), false);
    await r('CONFIG', 'SET', 'latency-tracking-info-percentiles', '0 100');
    const again = new Map((await info('latencystats')).get('Latencystats'));
    assert.match(again.get('latency_percentiles_usec_ping') ?? '', /^p0=\d+\.\d{3},p100=\d+\.\d{3}$/);
    await r('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9');
  });

  it('CONFIG RESETSTAT resets counters but keeps the slow log', async () => {
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await r('GET', 'rs:missing');
    await r('INCR', 'x y');
    // -1 turns logging off, so a slow command on a loaded machine cannot add an entry.
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    const lenBefore = Number(parseReply(await raw.call('SLOWLOG', 'LEN')));
    assert.ok(lenBefore >= 2);
    assert.equal(await r('CONFIG', 'RESETSTAT'), '+OK\r\n');
    const s = await info('stats', 'commandstats', 'errorstats', 'latencystats');
    const st = new Map(s.get('Stats'));
    assert.equal(st.get('keyspace_misses'), '0');
    assert.equal(st.get('total_error_replies'), '0');
    assert.equal(st.get('total_connections_received'), '0');
    assert.deepEqual(s.get('Errorstats'), []);
    // Only the RESETSTAT itself has run since the reset.
    assert.deepEqual([...new Map(s.get('Commandstats')).keys()], ['cmdstat_config|resetstat']);
    assert.deepEqual([...new Map(s.get('Latencystats')).keys()], ['latency_percentiles_usec_config|resetstat']);
    assert.equal(Number(parseReply(await raw.call('SLOWLOG', 'LEN'))), lenBefore);
  });
});
