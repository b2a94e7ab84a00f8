// A node started from a config file in a fresh temp directory (CONFIG REWRITE tests): the file
// holds `port 0`, loopback, `loglevel warning` and the lines given.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from '../../src/index.js';
import { loadConfig } from '../../src/server/config/load.js';
import { Logger } from '../../src/server/observability/logger.js';

export interface ConfigFileNode {
  server: Server;
  /** The config file's path. */
  file: string;
  /** Stops the node and removes the directory. */
  close(): Promise<void>;
}

/** Writes `prefix` + the standard lines + `lines` to a temp shoal.conf and starts a node from it. */
export async function startFromConfigFile(lines: string, prefix = ''): Promise<ConfigFileNode> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-conf-'));
  const file = join(dir, 'shoal.conf');
  writeFileSync(file, `${prefix}port 0\nbind 127.0.0.1\nloglevel warning\n${lines}`);
  const { config, configFile } = loadConfig([file]);
  const server = new Server({ config, configFile, log: new Logger(), ephemeralPort: true });
  await server.start();
  return {
    server,
    file,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
