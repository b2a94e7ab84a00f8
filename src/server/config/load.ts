// Startup configuration loading, like redis-server: an optional config file (first positional
// argument, or '-' for stdin), then `--name value...` options turned into config lines appended
// after the file's content. Errors are thrown as ConfigLoadError carrying redis-server's fatal
// message text (with "Shoal <version>" where Redis prints its own version).

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitArgs } from '../../lib/splitargs.js';
import { Config } from './config.js';
import { ValueError, reprString } from './values.js';

/** A fatal startup configuration error; `message` is the full text to print to stderr. */
export class ConfigLoadError extends Error {}

export interface LoadOptions {
  /** Source of config text when '-' (stdin) is given; defaults to reading fd 0. */
  readonly readStdin?: () => string;
  /** Version shown in the fatal error banner; defaults to package.json's version. */
  readonly version?: string;
  /**
   * Sentinel mode: `sentinel ...` lines are accepted (Config.sentinelDirectives), the port
   * defaults to 26379 and protected mode is off (a sentinel must be reachable), as Redis's
   * initSentinelConfig.
   */
  readonly sentinel?: boolean;
}

export interface LoadResult {
  readonly config: Config;
  /** Absolute path of the config file, when one was given (CONFIG REWRITE target). */
  readonly configFile?: string;
}

const MAX_INCLUDE_DEPTH = 32;

let cachedVersion: string | undefined;

/** Shoal's version from the nearest package.json named "shoal" above this module. */
export function shoalVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = '0.0.0';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'shoal' && 'version' in pkg) {
        cachedVersion = String(pkg.version);
        break;
      }
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  return cachedVersion;
}

/** Text of redis-server's "FATAL CONFIG FILE ERROR" block (leading newline, no trailing one). */
export function fatalConfigError(version: string, lineNo: number, line: string, reason: string): string {
  return (
    `\n*** FATAL CONFIG FILE ERROR (Shoal ${version}) ***\n` +
    `Reading the configuration file, at line ${lineNo}\n` +
    `>>> '${line}'\n` +
    reason
  );
}

function cantOpen(path: string, e: unknown): ConfigLoadError {
  const code = (e as { code?: unknown }).code;
  const why =
    code === 'ENOENT'
      ? 'No such file or directory'
      : code === 'EACCES'
        ? 'Permission denied'
        : code === 'EISDIR'
          ? 'Is a directory'
          : e instanceof Error
            ? e.message
            : String(e);
  return new ConfigLoadError(`Fatal error, can't open config file '${path}': ${why}`);
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw cantOpen(path, e);
  }
}

/**
 * Turns redis-server style `--name value...` arguments into config text, one directive per
 * line, values quoted. A lone `--name` takes the following arguments as values even if they
 * start with `--`, except `--save` followed by `--x` (or last), which means `save ""`.
 * Returns the text and whether '-' (read config from stdin) was seen.
 */
export function optionsToConfigText(args: readonly string[], firstIndex: boolean): { text: string; stdin: boolean } {
  let text = '';
  let stdin = false;
  let lastNameComplete = true;
  args.forEach((a, j) => {
    const isLast = j === args.length - 1;
    if (a === '-' && ((firstIndex && j === 0) || isLast)) {
      stdin = true;
      return;
    }
    if (lastNameComplete && a.startsWith('--')) {
      if (text !== '') text += '\n';
      text += a.slice(2) + ' ';
      const words = splitArgs(Buffer.from(a, 'utf8'));
      if (words !== null && words.length === 1) {
        lastNameComplete = false;
        const lower = a.toLowerCase();
        const next = args[j + 1];
        if (lower === '--save' && (isLast || next?.startsWith('--') === true)) {
          text += '""';
          lastNameComplete = true;
        } else if (lower === '--sentinel' && !isLast && next?.startsWith('--') === true) {
          lastNameComplete = true;
        }
      } else {
        lastNameComplete = true;
      }
      return;
    }
    text += reprString(a) + ' ';
    lastNameComplete = true;
  });
  return { text, stdin };
}

/** Applies config text to `config`, line by line (1-based line numbers in errors). */
function applyConfigText(config: Config, text: string, version: string, depth: number): void {
  const lines = text.split('\n');
  lines.forEach((rawLine, i) => {
    const line = rawLine.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line.startsWith('#')) return;
    const fail = (reason: string) => new ConfigLoadError(fatalConfigError(version, i + 1, line, reason));
    const parts = splitArgs(Buffer.from(line, 'utf8'));
    if (parts === null) throw fail('Unbalanced quotes in configuration line');
    if (parts.length === 0) return;
    const args = parts.map((b: Buffer) => b.toString('utf8'));
    if ((args[0] ?? '').toLowerCase() === 'include') {
      const target = args[1];
      if (args.length !== 2 || target === undefined) throw fail('Bad directive or wrong number of arguments');
      if (depth >= MAX_INCLUDE_DEPTH) throw fail('Too many nested include directives');
      applyConfigText(config, readConfigFile(target), version, depth + 1);
      return;
    }
    try {
      config.applyDirective(args, i + 1, line);
    } catch (e) {
      if (e instanceof ValueError) throw fail(e.message);
      throw e;
    }
  });
}

/**
 * Parses redis-server's command line (arguments after `shoal server`): optional config file
 * path first (anything not starting with '-'), '-' to read config from stdin, then
 * `--name value...` options appended as config lines after the file (and stdin) content.
 * Throws ConfigLoadError with the text redis-server prints before exiting 1.
 */
export function loadConfig(argv: readonly string[], opts: LoadOptions = {}): LoadResult {
  const version = opts.version ?? shoalVersion();
  let rest = argv;
  let file: string | undefined;
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-')) {
    file = first;
    rest = argv.slice(1);
  }
  const { text: options, stdin } = optionsToConfigText(rest, file === undefined);
  let text = '';
  if (file !== undefined) text += readConfigFile(file);
  if (stdin) text += (opts.readStdin ?? (() => readFileSync(0, 'utf8')))();
  text += '\n' + options;
  const config = new Config();
  if (opts.sentinel === true) {
    config.sentinelMode = true;
    config.applyDirective(['port', '26379']);
    config.applyDirective(['protected-mode', 'no']);
  }
  applyConfigText(config, text, version, 0);
  if (file === undefined) return { config };
  const configFile = resolve(file);
  config.configFile = configFile;
  return { config, configFile };
}
