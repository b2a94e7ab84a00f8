// The INFO report: Redis 7.0.15's sections, with every field name in Redis's order, filled
// with what Shoal really measures (or the honest constant where Shoal has no such machinery
// yet: no background saves or AOF, no replicas, no Lua, no forks).
//
// Output format, byte for byte as Redis builds it: each section is "# Name\r\n" followed by
// "field:value\r\n" lines; sections are separated by one empty line ("\r\n"). Shoal-specific
// fields go only at the end of a section, where tools that parse INFO ignore them: the Server
// section's, and default_ttl_applied at the end of Stats while the default TTL is on. The
// Shoal-only Keypatterns section is never part of default INFO, and part of INFO all /
// everything only while it is configured, so INFO reads as Redis's when the extensions are off.

import { shutdownRemainingMs } from '../persistence/shutdown.js';
import { waitersWithTimeout } from '../replication/master.js';
import { aofInfo } from '../persistence/aof/feed.js';
import { rdbSnapshotStartedAt } from '../persistence/bgsave.js';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { REDIS_COMPAT_VERSION, SHOAL_VERSION, type Server } from '../server.js';
import { replicationInfo } from '../replication/info.js';
import { lruClock } from '../keyspace/keyspace.js';
import type { Database } from '../keyspace/database.js';

// -----------------------------------------------------------------------------------------
// Section selection (Redis 7.0 semantics)

/**
 * Sections in output order. `def` = part of INFO / INFO default. `on` marks a Shoal extension:
 * INFO all / everything include it only while on(srv) holds (asking for it by name always
 * does).
 */
const SECTIONS: readonly { name: string; title: string; def: boolean; on?: (srv: Server) => boolean }[] = [
  { name: 'server', title: 'Server', def: true },
  { name: 'clients', title: 'Clients', def: true },
  { name: 'memory', title: 'Memory', def: true },
  { name: 'persistence', title: 'Persistence', def: true },
  { name: 'stats', title: 'Stats', def: true },
  { name: 'replication', title: 'Replication', def: true },
  { name: 'cpu', title: 'CPU', def: true },
  { name: 'modules', title: 'Modules', def: true },
  { name: 'commandstats', title: 'Commandstats', def: false },
  { name: 'errorstats', title: 'Errorstats', def: true },
  { name: 'latencystats', title: 'Latencystats', def: false },
  { name: 'cluster', title: 'Cluster', def: true },
  { name: 'keyspace', title: 'Keyspace', def: true },
  { name: 'keypatterns', title: 'Keypatterns', def: false, on: (srv) => srv.keyPatterns.enabled },
  { name: 'largevalues', title: 'Largevalues', def: false, on: (srv) => srv.largeValues.written > 0 },
];

/** Prefix of a Shoal extension section selected by "all" / "everything" (see SECTIONS.on). */
const IF_ON = '?';

/**
 * The set of section names requested by INFO's arguments (already lower-cased). No argument
 * means "default"; "all" is every section (module-generated ones excluded, Shoal has none);
 * "everything" is all of them too. Unknown names select nothing.
 */
export function selectSections(args: readonly string[]): Set<string> {
  const out = new Set<string>();
  const list = args.length === 0 ? ['default'] : args;
  for (const a of list) {
    if (a === 'all' || a === 'everything') {
      for (const s of SECTIONS) out.add(s.on === undefined ? s.name : IF_ON + s.name);
    } else if (a === 'default') {
      for (const s of SECTIONS) if (s.def) out.add(s.name);
    } else {
      out.add(a);
    }
  }
  return out;
}

/** Builds the INFO text for the selected sections (see selectSections). */
export function buildInfo(srv: Server, selected: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const s of SECTIONS) {
    if (!selected.has(s.name) && !(s.on !== undefined && selected.has(IF_ON + s.name) && s.on(srv))) continue;
    let text = `# ${s.title}\r\n`;
    for (const [k, v] of GENERATORS[s.name](srv)) text += `${k}:${v}\r\n`;
    parts.push(text);
  }
  return parts.join('\r\n');
}

type Lines = [string, string | number][];
const GENERATORS: Record<string, (srv: Server) => Lines> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  persistence: persistenceSection,
  stats: statsSection,
  replication: replicationSection,
  cpu: cpuSection,
  modules: () => [],
  commandstats: commandstatsSection,
  errorstats: errorstatsSection,
  latencystats: latencystatsSection,
  cluster: () => [['cluster_enabled', 0]],
  keyspace: keyspaceSection,
  keypatterns: (srv) => srv.keyPatterns.info(),
  largevalues: (srv) => srv.largeValues.info(),
};

// -----------------------------------------------------------------------------------------
// Formatting helpers

/** Redis's bytesToHuman: "123B", "1.21K", "3.50M", ... */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === 'P') return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

const fix2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '0.00');

/** "%ld.%06ld" of a microsecond count. */
const secs6 = (us: number): string => (us / 1e6).toFixed(6);

/** Percentile label as Redis prints it: "%f" with trailing zeros (and dot) trimmed. */
function percentileLabel(p: number): string {
  return String(Number(p.toFixed(6)));
}

// -----------------------------------------------------------------------------------------
// Server

const UNAME = `${os.type()} ${os.release()} ${os.machine()}`;
// Computed on first use: server.ts imports this module (through the handlers) before its own
// constants are initialized, so nothing from it may be read at module load.
let buildId = '';
const getBuildId = (): string =>
  (buildId ||= createHash('sha1').update(`shoal-${SHOAL_VERSION}`).digest('hex').slice(0, 16));
const MULTIPLEXING: Record<string, string> = { linux: 'epoll', darwin: 'kqueue', freebsd: 'kqueue', openbsd: 'kqueue', sunos: 'evport', win32: 'iocp' };

/** shutdown_in_milliseconds, printed only while a shutdown waits for replicas (as Redis). */
function shutdownLine(srv: Server): Lines {
  const ms = shutdownRemainingMs(srv);
  return ms === null ? [] : [['shutdown_in_milliseconds', ms]];
}

function serverSection(srv: Server): Lines {
  const now = srv.clock.now();
  const uptime = Math.max(0, Math.floor((now - srv.startTimeMs) / 1000));
  const hz = srv.config.getNumber('hz');
  const script = process.argv[1];
  return [
    ['redis_version', REDIS_COMPAT_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', getBuildId()],
    ['redis_mode', srv.sentinel !== null ? 'sentinel' : 'standalone'],
    ['os', UNAME],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', MULTIPLEXING[process.platform] ?? 'select'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', srv.runId],
    ['tcp_port', srv.tcpPort],
    ['server_time_usec', srv.clock.nowUs()],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', lruClock(now)],
    ['executable', script !== undefined ? resolve(script) : process.execPath],
    ['config_file', srv.configFile ?? srv.config.configFile ?? ''],
    ['io_threads_active', 0],
    ...shutdownLine(srv),
    ['shoal_version', SHOAL_VERSION],
    ['shoal_node_version', process.version],
  ];
}

// -----------------------------------------------------------------------------------------
// Clients

function clientsSection(srv: Server): Lines {
  let maxIn = 0;
  let maxOut = 0;
  let blocked = 0;
  let inTimeoutTable = 0;
  for (const c of srv.clients.values()) {
    maxIn = Math.max(maxIn, c.parser.pendingBytes);
    maxOut = Math.max(maxOut, c.socket.writableLength + c.w.length);
    if (c.suspended) blocked++;
    if (c.blocked !== null && c.blocked.deadline !== 0) inTimeoutTable++;
  }
  return [
    ['connected_clients', srv.clients.size],
    ['cluster_connections', 0],
    ['maxclients', srv.limits.maxclients],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', blocked],
    ['tracking_clients', srv.tracking.clients],
    ['clients_in_timeout_table', inTimeoutTable + waitersWithTimeout(srv)],
  ];
}

// -----------------------------------------------------------------------------------------
// Memory
//
// used_memory is the node's accounted memory (src/server/memory-account.ts): the startup
// baseline, the keyspace's bytes and the clients' buffers — the figure maxmemory compares
// against, which moves only when data does (not with garbage collection). used_memory_startup
// is the baseline; used_memory_overhead adds the clients' buffers and the keyspace's
// bookkeeping (entry metadata, indexes: Keyspace.memory()); used_memory_dataset is the rest
// (records and aggregate values). The "allocator" figures are the process's real ones: V8 heap
// in use plus off-heap buffers (allocated: V8's external memory and the arena's shared
// segments), heap reserved plus off-heap (active), RSS (resident); mem_fragmentation_ratio is
// RSS over used_memory, as in Redis.

function memorySection(srv: Server): Lines {
  const m = process.memoryUsage();
  const acct = srv.memory;
  const clients = acct.refreshClients();
  const used = acct.used();
  const peak = acct.peak;
  const startup = acct.startup;
  const overhead = acct.overhead();
  const dataset = used - overhead;
  const netOfStartup = used - startup;
  // The arena's slab segments and the store's metadata chunks are shared memory, outside V8's
  // external figure (arena.ts, store.ts).
  const store = srv.keyspace.store;
  const offHeap = m.external + store.arena.sharedBytes + store.chunkBytes();
  const allocated = m.heapUsed + offHeap;
  const active = m.heapTotal + offHeap;
  const resident = m.rss;
  const maxmemory = srv.config.getNumber('maxmemory');
  const total = os.totalmem();
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${fix2((used * 100) / peak)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${fix2(netOfStartup > 0 ? (dataset * 100) / netOfStartup : 0)}%`],
    ['allocator_allocated', allocated],
    ['allocator_active', active],
    ['allocator_resident', resident],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    // No scripting engine yet: nothing allocated for Lua or functions.
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', srv.config.getString('maxmemory-policy')],
    ['allocator_frag_ratio', fix2(active / allocated)],
    ['allocator_frag_bytes', active - allocated],
    ['allocator_rss_ratio', fix2(resident / active)],
    ['allocator_rss_bytes', resident - active],
    ['rss_overhead_ratio', fix2(m.rss / resident)],
    ['rss_overhead_bytes', m.rss - resident],
    ['mem_fragmentation_ratio', fix2(m.rss / used)],
    ['mem_fragmentation_bytes', m.rss - used],
    ['mem_not_counted_for_evict', acct.notCountedForEvict()],
    ['mem_replication_backlog', srv.repl.backlog?.memory ?? 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clients],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `v8-${process.versions.v8}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', srv.keyspace.stats.lazyfreePendingObjects],
    ['lazyfreed_objects', srv.keyspace.stats.lazyfreedObjects],
  ];
}

// -----------------------------------------------------------------------------------------
// Persistence. A fork-less snapshot's "copy-on-write" figures are the bytes it holds for the
// disk (persistence/snapshot.ts); its progress is keys written of the keys it began with.

/** The loading_* fields, while the dataset loads. */
function loadingInfo(srv: Server): Lines {
  const l = srv.loading;
  if (l === null) return [];
  const elapsedS = (srv.clock.now() - l.startedAt) / 1000;
  const perc = l.totalBytes > 0 ? (l.loadedBytes / l.totalBytes) * 100 : 0;
  const eta = l.loadedBytes > 0 ? Math.round(((l.totalBytes - l.loadedBytes) * elapsedS) / l.loadedBytes) : 1;
  return [
    ['loading_start_time', Math.floor(l.startedAt / 1000)],
    ['loading_total_bytes', l.totalBytes],
    ['loading_rdb_used_mem', 0],
    ['loading_loaded_bytes', l.loadedBytes],
    ['loading_loaded_perc', perc.toFixed(2)],
    ['loading_eta_seconds', eta],
  ];
}

function persistenceSection(srv: Server): Lines {
  const p = srv.persistence;
  const rdbStart = rdbSnapshotStartedAt(srv);
  const snap = srv.snapshot;
  const nowS = Math.floor(srv.clock.now() / 1000);
  const total = snap !== null ? snap.keysTotal : 0;
  const done = snap !== null ? snap.keysProcessed : 0;
  return [
    ['loading', srv.loading !== null && !srv.asyncLoading ? 1 : 0],
    ['async_loading', srv.asyncLoading ? 1 : 0],
    ['current_cow_peak', snap !== null ? snap.peakBytes : 0],
    ['current_cow_size', snap !== null ? snap.heldBytes : 0],
    ['current_cow_size_age', snap !== null ? nowS - Math.floor(snap.startedAt / 1000) : 0],
    ['current_fork_perc', total > 0 ? ((done / total) * 100).toFixed(2) : '0.00'],
    ['current_save_keys_processed', done],
    ['current_save_keys_total', total],
    ['rdb_changes_since_last_save', srv.dirty],
    ['rdb_bgsave_in_progress', rdbStart !== null ? 1 : 0],
    ['rdb_last_save_time', p.lastSave],
    ['rdb_last_bgsave_status', p.lastSaveOk ? 'ok' : 'err'],
    ['rdb_last_bgsave_time_sec', p.lastSaveMs < 0 ? -1 : Math.round(p.lastSaveMs / 1000)],
    ['rdb_current_bgsave_time_sec', rdbStart !== null ? nowS - Math.floor(rdbStart / 1000) : -1],
    ['rdb_saves', p.rdbSaves],
    ['rdb_last_cow_size', p.lastCowBytes],
    ['rdb_last_load_keys_expired', p.lastLoadKeysExpired],
    ['rdb_last_load_keys_loaded', p.lastLoadKeysLoaded],
    ...aofInfo(srv),
    ...loadingInfo(srv),
  ];
}

// -----------------------------------------------------------------------------------------
// Stats

function statsSection(srv: Server): Lines {
  const st = srv.stats;
  const ks = srv.keyspace.stats;
  return [
    ['total_connections_received', st.totalConnectionsReceived],
    ['total_commands_processed', st.totalCommandsProcessed],
    ['instantaneous_ops_per_sec', st.instantaneousOps],
    ['total_net_input_bytes', st.netInputBytes],
    ['total_net_output_bytes', st.netOutputBytes],
    ['total_net_repl_input_bytes', st.netReplInputBytes],
    ['total_net_repl_output_bytes', st.netReplOutputBytes],
    ['instantaneous_input_kbps', fix2(st.instantaneousInputKbps)],
    ['instantaneous_output_kbps', fix2(st.instantaneousOutputKbps)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', st.syncFull],
    ['sync_partial_ok', st.syncPartialOk],
    ['sync_partial_err', st.syncPartialErr],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', fix2(ks.expiredStalePerc * 100)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', Math.floor(ks.expireCycleCpuMs)],
    ['evicted_keys', srv.evictor.evictedKeys],
    ['evicted_clients', srv.clientEviction.evicted],
    ['total_eviction_exceeded_time', Math.floor(srv.evictor.totalExceededMs)],
    ['current_eviction_exceeded_time', Math.floor(srv.evictor.currentExceededMs)],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', srv.pubsub.channelCount],
    ['pubsub_patterns', srv.pubsub.patternCount],
    ['pubsubshard_channels', srv.pubsub.shardChannelCount],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', srv.tracking.totalKeys],
    ['tracking_total_items', srv.tracking.totalItems],
    ['tracking_total_prefixes', srv.tracking.totalPrefixes],
    ['unexpected_error_replies', st.unexpectedErrorReplies],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    // Socket read/write events are not counted yet.
    ['total_reads_processed', srv.stats.totalReadsProcessed],
    ['total_writes_processed', srv.stats.totalWritesProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
    // Shoal extension, only while on: keys given the default TTL (analytics/default-ttl.ts).
    ...(srv.defaultTtl.enabled ? ([['default_ttl_applied', srv.defaultTtl.applied]] as Lines) : []),
  ];
}

// -----------------------------------------------------------------------------------------
// Replication: replication/info.ts.

function replicationSection(srv: Server): Lines {
  return replicationInfo(srv);
}

// -----------------------------------------------------------------------------------------
// CPU: process totals from process.cpuUsage(); the main thread's own share from
// /proc/self/task/<pid>/stat where Linux provides it (else the process totals).

const CLK_TCK = 100;

function mainThreadCpu(): { user: number; system: number } | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
    return { user: (utime * 1e6) / CLK_TCK, system: (stime * 1e6) / CLK_TCK };
  } catch {
    return null;
  }
}

function cpuSection(): Lines {
  const u = process.cpuUsage();
  const main = mainThreadCpu() ?? u;
  return [
    ['used_cpu_sys', secs6(u.system)],
    ['used_cpu_user', secs6(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', secs6(main.system)],
    ['used_cpu_user_main_thread', secs6(main.user)],
  ];
}

// -----------------------------------------------------------------------------------------
// Commandstats, Errorstats, Latencystats

function commandstatsSection(srv: Server): Lines {
  const out: Lines = [];
  for (const cmd of srv.commands.all()) {
    const s = cmd.stats;
    if (s.calls === 0 && s.failedCalls === 0 && s.rejectedCalls === 0) continue;
    const usec = Math.floor(s.usec);
    out.push([
      `cmdstat_${cmd.fullName}`,
      `calls=${s.calls},usec=${usec},usec_per_call=${fix2(s.calls ? usec / s.calls : 0)},` +
        `rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    ]);
  }
  return out;
}

function errorstatsSection(srv: Server): Lines {
  // Redis keeps error codes in a radix tree, so they come out in byte order.
  const codes = [...srv.stats.errors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return codes.map((code) => [`errorstat_${code}`, `count=${srv.stats.errors.get(code) ?? 0}`]);
}

function latencystatsSection(srv: Server): Lines {
  // With latency-tracking off the section is empty, even if histograms were recorded before.
  if (!srv.latency.commands.enabled) return [];
  const pcts = srv.config
    .getString('latency-tracking-info-percentiles')
    .split(' ')
    .filter((t) => t !== '')
    .map(Number);
  const out: Lines = [];
  for (const cmd of srv.commands.all()) {
    const h = srv.latency.commands.get(cmd);
    if (h === undefined || h.total === 0) continue;
    const vals = pcts.map((p) => `p${percentileLabel(p)}=${(h.valueAt(p) / 1000).toFixed(3)}`);
    out.push([`latency_percentiles_usec_${cmd.fullName}`, vals.join(',')]);
  }
  return out;
}

// -----------------------------------------------------------------------------------------
// Keyspace

/**
 * Estimated average remaining TTL (ms) of the keys with a TTL in db. Redis estimates it from
 * the active expire cycle's samples; Shoal estimates it from up to AVG_TTL_SAMPLE keys with a
 * TTL (looking at most at AVG_TTL_SCAN of them), so INFO stays cheap on large databases.
 */
const AVG_TTL_SAMPLE = 4096;
const AVG_TTL_SCAN = 65536;

function avgTtl(db: Database, now: number): number {
  if (db.expiresSize === 0) return 0;
  let sum = 0;
  let n = 0;
  const limit = Math.min(db.expiresSize, AVG_TTL_SCAN);
  for (let i = 0; i < limit && n < AVG_TTL_SAMPLE; i++) {
    const at = db.volatileExpiry(i);
    if (at <= now) continue;
    sum += at - now;
    n++;
  }
  return n === 0 ? 0 : Math.floor(sum / n);
}

function keyspaceSection(srv: Server): Lines {
  const out: Lines = [];
  const now = srv.clock.now();
  for (const db of srv.keyspace.dbs) {
    if (db.size === 0) continue;
    out.push([`db${db.id}`, `keys=${db.size},expires=${db.expiresSize},avg_ttl=${avgTtl(db, now)}`]);
  }
  return out;
}
