// The `shoal` command line: `shoal server [config-file] [--name value ...]` starts a node with
// redis-server's flags and config file format. More modes (sentinel, proxy, cluster, up)
// arrive with their roadmap stages.

import { loadConfig } from '../server/config/load.js';
import { Server, SHOAL_VERSION, REDIS_COMPAT_VERSION } from '../server/server.js';
import { Logger } from '../server/observability/logger.js';

const USAGE = `Usage: shoal <command> [options]

Commands:
  server [/path/to/shoal.conf] [--name value ...]
        Start a node. Options and the config file follow redis-server, e.g.
          shoal server --port 7000 --databases 32
          shoal server /etc/shoal.conf --loglevel verbose
        Defaults: 127.0.0.1:6379, 16 databases, no persistence.
  version   Print the version.
  help      Print this help.
`;

export async function main(args: string[]): Promise<void> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case 'server':
      return runServer(rest);
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`Shoal v=${SHOAL_VERSION} redis-compat=${REDIS_COMPAT_VERSION} node=${process.version}\n`);
      return;
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
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (args[0] === '--version' || args[0] === '-v') {
    process.stdout.write(`Shoal server v=${SHOAL_VERSION} redis-compat=${REDIS_COMPAT_VERSION} node=${process.version}\n`);
    return;
  }
  let loaded;
  try {
    loaded = loadConfig(args);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const log = new Logger();
  const server = new Server({ config: loaded.config, configFile: loaded.configFile, log });
  log.notice(`Shoal version=${SHOAL_VERSION} (redis ${REDIS_COMPAT_VERSION} compatible), pid=${process.pid}, just started`);
  if (loaded.configFile) log.notice(`Configuration loaded from ${loaded.configFile}`);
  else log.warning('No config file specified, using the default config. In order to specify a config file use shoal server /path/to/shoal.conf');
  try {
    await server.start();
  } catch (err) {
    log.warning((err as Error).message);
    process.exitCode = 1;
    await server.close();
    return;
  }
  let signalled = false;
  const onSignal = (sig: string): void => {
    if (signalled) {
      log.warning(`You insist... exiting now.`);
      process.exit(1);
    }
    signalled = true;
    log.warning(`Received ${sig} scheduling shutdown...`);
    void server.close();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  await server.closed;
  log.warning('Shoal is now ready to exit, bye bye...');
  process.exit(0);
}
