// The `shoal` command line: `shoal server [config-file] [--name value ...]` starts a node with
// redis-server's flags and config file format. More modes (sentinel, proxy, cluster, up)
// arrive with their roadmap stages.
//
// `shoal server` first sizes the V8 heap from maxmemory and the machine's memory and, when the
// running process's limit is too small, re-executes Node once with --max-old-space-size
// (launch.ts). The re-executed node is this same file run as a script, with SHOAL_LAUNCHED=1 and
// an IPC channel to the launcher; its side of that arrangement lives here (LauncherLink).

import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { loadConfig } from '../server/config/load.js';
import { IdleHeapRelease, tuneV8 } from './heap-tuning.js';
import { Logger } from '../server/observability/logger.js';
import { shutdownFlagsOf, shutdownPending, startShutdown } from '../server/persistence/shutdown.js';
import {
  LAUNCHED_ENV,
  heapLogLine,
  heapWarning,
  isForwardedSignal,
  planHeapForProcess,
  relaunch,
  type HeapPlan,
} from './launch.js';

const MAIN_SCRIPT = fileURLToPath(import.meta.url);

// The server module is loaded only where it is needed, so that a launcher which re-executes
// (and then just waits for its child) stays small: about 10 MB less resident memory.
type ServerModule = typeof import('../server/server.js');
const loadServer = (): Promise<ServerModule> => import('../server/server.js');

const USAGE = `Usage: shoal <command> [options]

Commands:
  server [/path/to/shoal.conf] [--name value ...]
        Start a node. Options and the config file follow redis-server, e.g.
          shoal server --port 7000 --databases 32
          shoal server /etc/shoal.conf --loglevel verbose
        Defaults: 127.0.0.1:6379, 16 databases; loads dump.rdb from dir (the working
        directory) if it exists, SAVE writes it; no automatic saves yet.
  sentinel /path/to/sentinel.conf [--name value ...]
        Start a sentinel (as redis-sentinel, or shoal server <file> --sentinel): it
        monitors the masters its file names (sentinel monitor <name> <ip> <port> <quorum>)
        and fails them over. Listens on 26379 by default; keeps its state in the file.
  up [--port 7000] [--replicas 2] [--sentinels 3] [--dir ./shoal-up] ...
        A local playground: a master, its replicas and sentinels, each a process with its
        log under --dir; prints every failover; Ctrl-C stops them all.
  bigkeys [-h host] [-p port] [-n db] [--memkeys] ...
        Survey a running node for its biggest keys (as redis-cli --bigkeys / --memkeys).
  hotkeys [-h host] [-p port] [-n db] ...
        Survey a running node for its hottest keys (HOTKEYS, or OBJECT FREQ as redis-cli --hotkeys).
  version   Print the version.
  help      Print this help.

Environment:
  SHOAL_HEAP_MB=N   JavaScript heap (old space) size in MB for \`shoal server\`; by default it
                    is sized from maxmemory and the machine's memory (see README, Heap size).
`;

export async function main(args: string[]): Promise<void> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case 'server':
      return runServer(rest);
    case 'sentinel':
      return runServer(rest[0] === '--help' || rest[0] === '-h' || rest[0] === '--version' || rest[0] === '-v' ? rest : [...rest, '--sentinel']);
    case 'up':
      process.exitCode = await (await import('./up.js')).up(rest);
      return;
    case 'bigkeys':
      process.exitCode = await (await import('./survey.js')).survey('bigkeys', rest);
      return;
    case 'hotkeys':
      process.exitCode = await (await import('./survey.js')).survey('hotkeys', rest);
      return;
    case 'version':
    case '--version':
    case '-v': {
      const { SHOAL_VERSION, REDIS_COMPAT_VERSION } = await loadServer();
      process.stdout.write(`Shoal v=${SHOAL_VERSION} redis-compat=${REDIS_COMPAT_VERSION} node=${process.version}\n`);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`shoal: unknown command '${cmd}'\n\n${USAGE}`);
      process.exitCode = 1;
  }
}

async function runServer(args: string[]): Promise<void> {
  tuneV8();
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (args[0] === '--version' || args[0] === '-v') {
    const { SHOAL_VERSION, REDIS_COMPAT_VERSION } = await loadServer();
    process.stdout.write(`Shoal server v=${SHOAL_VERSION} redis-compat=${REDIS_COMPAT_VERSION} node=${process.version}\n`);
    return;
  }
  // Sentinel mode (`shoal sentinel`, or --sentinel anywhere, as redis-server): the file is
  // where the sentinel keeps its state, so it must exist and be writable.
  const sentinel = args.includes('--sentinel');
  const confArgs = sentinel ? args.filter((a) => a !== '--sentinel') : args;
  if (sentinel) {
    const early = new Logger();
    early.role = 'X';
    const file = confArgs[0] !== undefined && !confArgs[0].startsWith('-') ? confArgs[0] : undefined;
    if (file === undefined) {
      early.warning('Sentinel needs config file on disk to save state. Exiting...');
      process.exitCode = 1;
      return;
    }
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      early.warning(`Sentinel config file ${file} is not writable: ${errnoText(err)}. Exiting...`);
      process.exitCode = 1;
      return;
    }
  }
  // Config read from stdin ('-') is kept, so that a re-executed node can be given it again.
  let stdinText: string | undefined;
  const readStdin = (): string => (stdinText ??= readFileSync(0, 'utf8'));
  let loaded;
  let plan: HeapPlan;
  try {
    loaded = loadConfig(confArgs, { readStdin, sentinel });
    plan = planHeapForProcess(Number(loaded.config.getBigInt('maxmemory')));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  if (plan.relaunch) return relaunch({ heapMb: plan.heapMb, mainScript: MAIN_SCRIPT, args, stdinText });

  const link = LauncherLink.attach();
  const { Server, SHOAL_VERSION, REDIS_COMPAT_VERSION } = await loadServer();
  const log = new Logger();
  const server = new Server({ config: loaded.config, configFile: loaded.configFile, log, sentinel });
  if (server.sentinel !== null) {
    const { setUpSentinel } = await import('../sentinel/setup.js');
    const err = await setUpSentinel(server);
    if (err !== null) {
      process.stderr.write(`${err}\n`);
      process.exitCode = 1;
      return;
    }
  }
  log.notice(`Shoal version=${SHOAL_VERSION} (redis ${REDIS_COMPAT_VERSION} compatible), pid=${process.pid}, just started`);
  if (loaded.configFile) log.notice(`Configuration loaded from ${loaded.configFile}`);
  else log.warning('No config file specified, using the default config. In order to specify a config file use shoal server /path/to/shoal.conf');
  log.notice(heapLogLine(plan, v8.getHeapStatistics().heap_size_limit));
  const lowHeap = heapWarning(plan);
  if (lowHeap !== null) log.warning(lowHeap);
  try {
    await server.start();
  } catch (err) {
    log.warning((err as Error).message);
    process.exitCode = 1;
    await server.close();
    return;
  }
  const mb = (n: number): string => (n / 2 ** 20).toFixed(1);
  new IdleHeapRelease(
    { commands: () => server.stats.totalCommandsProcessed, inputBytes: () => server.stats.netInputBytes },
    (before, after, ms) => log.debug(`Idle: young generation ${mb(before)} MB -> ${mb(after)} MB (${ms.toFixed(1)} ms)`),
  ).start();
  // redis-server's handling of SIGINT/SIGTERM: the first schedules a shutdown; while it is under
  // way (closing, or waiting for replicas) a second SIGINT exits at once and a second SIGTERM
  // changes nothing. A shutdown that was aborted or failed is no longer under way, so the next
  // signal starts another. Under the launcher a single signal can arrive twice, directly and
  // forwarded over IPC (see ForwardedSignal): a request from the other source is that copy, not
  // an insistence, so only a repeat from the same source counts.
  let closing = false;
  const sources = new Set<string>();
  const underWay = (): boolean => closing || server.shuttingDown || shutdownPending(server);
  const requestShutdown = (what: string, source: 'signal' | 'launcher'): void => {
    if (underWay()) {
      if (what === 'SIGINT' && sources.has(source)) {
        log.warning(`You insist... exiting now.`);
        process.exit(1);
      }
      sources.add(source);
      return;
    }
    sources.clear();
    log.warning(`Received ${what} scheduling shutdown...`);
    const flags = shutdownFlagsOf(server.config.getString(what === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm'));
    // Closes the node, or waits for its replicas first (persistence/shutdown.ts).
    const outcome = startShutdown(server, flags, null);
    if (outcome === 'failed') {
      log.warning(`${what} received but errors trying to shut down the server, check the logs for more information`);
      return;
    }
    sources.add(source);
    if (outcome === 'closing') closing = true;
  };
  process.on('SIGINT', () => requestShutdown('SIGINT', 'signal'));
  process.on('SIGTERM', () => requestShutdown('SIGTERM', 'signal'));
  link?.serve({
    signal: (sig) => requestShutdown(sig, 'launcher'),
    gone: () => {
      if (closing) return;
      closing = true;
      log.warning('Launcher process is gone (IPC channel closed), scheduling shutdown...');
      void server.close();
    },
  });
  await server.closed;
  log.warning('Shoal is now ready to exit, bye bye...');
  process.exit(0);
}

/**
 * The launched node's end of the IPC channel to its launcher (launch.ts relaunch()). Attached
 * before the server starts: until serve() is called a forwarded signal gets Node's default
 * action (the launcher then dies of it too) and a closed channel means the launcher was killed,
 * so the node exits. The channel is unref'd: it never keeps the node alive by itself.
 */
class LauncherLink {
  #handlers: { signal: (sig: 'SIGINT' | 'SIGTERM') => void; gone: () => void } | null = null;

  /** The link when this process was started by the launcher with a channel, else null. */
  static attach(): LauncherLink | null {
    if (process.env[LAUNCHED_ENV] !== '1' || process.channel === undefined) return null;
    const link = new LauncherLink();
    process.on('message', (m: unknown) => {
      if (!isForwardedSignal(m)) return;
      if (link.#handlers !== null) link.#handlers.signal(m.signal);
      else process.kill(process.pid, m.signal);
    });
    process.on('disconnect', () => {
      if (link.#handlers !== null) link.#handlers.gone();
      else process.exit(1);
    });
    process.channel.unref();
    return link;
  }

  /** From now on forwarded signals and the launcher's death go to these handlers. */
  serve(handlers: { signal: (sig: 'SIGINT' | 'SIGTERM') => void; gone: () => void }): void {
    this.#handlers = handlers;
  }
}

function errnoText(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  return e instanceof Error ? e.message : String(e);
}

/** True when this module is the script Node was started with (the launcher re-executes it). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(MAIN_SCRIPT);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
