// Unit tests for loadConfig: redis-server style argv (config file, --options, stdin), config
// file syntax (comments, quotes, include), and the fatal error texts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigLoadError, loadConfig, optionsToConfigText } from '../../src/server/config/load.js';

const V = { version: '9.9.9' };

function fatal(line: number, text: string, reason: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Shoal 9.9.9) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${reason}`;
}

function loadError(argv: string[]): string {
  try {
    loadConfig(argv, V);
  } catch (e) {
    assert.ok(e instanceof ConfigLoadError);
    return e.message;
  }
  return 'OK';
}

function withTmp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-load-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('flags only', () => {
  const { config, configFile } = loadConfig(
    ['--port', '7000', '--save', '900', '1', '300', '10', '--bind', '127.0.0.1', '::1', '--maxmemory', '1GB'],
    V,
  );
  assert.equal(configFile, undefined);
  assert.equal(config.configFile, undefined);
  assert.equal(config.getNumber('port'), 7000);
  assert.equal(config.get('save'), '900 1 300 10');
  assert.equal(config.get('bind'), '127.0.0.1 ::1');
  assert.equal(config.getNumber('maxmemory'), 1024 ** 3);
});

test('--save edge cases', () => {
  assert.equal(loadConfig(['--save', ''], V).config.get('save'), '');
  assert.equal(loadConfig(['--save'], V).config.get('save'), '');
  const c = loadConfig(['--save', '--port', '7001'], V).config;
  assert.equal(c.get('save'), '');
  assert.equal(c.get('port'), '7001');
  assert.equal(loadConfig(['--port 7002'], V).config.get('port'), '7002');
});

test('options text matches redis-server construction', () => {
  assert.deepEqual(optionsToConfigText(['--port', '6502', '--hz', '--save', ''], true), {
    text: 'port "6502" \nhz "--save" "" ',
    stdin: false,
  });
  assert.equal(optionsToConfigText(['-'], true).stdin, true);
});

test('argv errors use line numbers after the (empty) file', () => {
  assert.equal(loadError(['--port', '6502', '--foo', 'bar']), fatal(3, 'foo "bar"', 'Bad directive or wrong number of arguments'));
  assert.equal(loadError(['--port', 'abc']), fatal(2, 'port "abc"', "argument couldn't be parsed into an integer"));
  assert.equal(loadError(['--maxmemory', '2.5g']), fatal(2, 'maxmemory "2.5g"', 'argument must be a memory value'));
  assert.equal(loadError(['--port', '6502', '--hz', '--save', '']), fatal(3, 'hz "--save" ""', 'wrong number of arguments'));
  assert.equal(loadError(['--port', '6502', 'a.conf']), fatal(2, 'port "6502" "a.conf"', 'wrong number of arguments'));
  assert.equal(loadError(['--requirepass']), fatal(2, 'requirepass', 'wrong number of arguments'));
  assert.equal(loadError(['--port', '6502', '--save', '--hz', 'abc']), fatal(4, 'hz "abc"', "argument couldn't be parsed into an integer"));
  assert.equal(
    loadError(['--unixsocketperm', '999']),
    fatal(2, 'unixsocketperm "999"', "argument couldn't be parsed as an octal number"),
  );
  assert.equal(
    loadError(['--unixsocketperm', '1000']),
    fatal(2, 'unixsocketperm "1000"', 'argument must be between 0 and 777 inclusive'),
  );
  assert.equal(loadConfig(['--unixsocketperm', '0700'], V).config.get('unixsocketperm'), '700');
  assert.equal(loadError(['/nonexistent/x.conf']), "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory");
});

test('config file + flags, comments, quotes, aliases, immutables, include', () => {
  withTmp((dir) => {
    const inc = join(dir, 'inc.conf');
    writeFileSync(inc, 'hz 7\n');
    const file = join(dir, 'main.conf');
    writeFileSync(
      file,
      `# comment\n\n  port 6502  \ninclude ${inc}\nslave-read-only no\ndaemonize yes\nrequirepass "p w\\x21"\n` +
        'save 900 1\nsave 300 10\nlist-max-ziplist-entries 5\nrename-command FLUSHALL ""\n',
    );
    const { config, configFile } = loadConfig([file, '--hz', '9', '--databases', '4'], V);
    assert.equal(configFile, file);
    assert.equal(config.configFile, file);
    assert.equal(config.get('port'), '6502');
    assert.equal(config.get('hz'), '9');
    assert.equal(config.get('replica-read-only'), 'no');
    assert.equal(config.getBool('daemonize'), true);
    assert.equal(config.get('requirepass'), 'p w!');
    assert.equal(config.get('databases'), '4');
    assert.equal(config.get('save'), '900 1 300 10');
    assert.deepEqual(config.fileDirectives, [['rename-command', 'FLUSHALL', '']]);
    assert.equal(loadConfig([inc], V).config.get('hz'), '7');

    writeFileSync(file, 'port 6502\nhz 20\n');
    assert.equal(loadError([file, '--hz', 'abc']), fatal(4, 'hz "abc"', "argument couldn't be parsed into an integer"));
    writeFileSync(file, 'port 6502');
    assert.equal(loadError([file, '--hz', 'abc']), fatal(2, 'hz "abc"', "argument couldn't be parsed into an integer"));
    writeFileSync(file, 'port 6502\nhz "abc\n');
    assert.equal(loadError([file]), fatal(2, 'hz "abc', 'Unbalanced quotes in configuration line'));
    writeFileSync(file, 'maxmemory 1mb # trailing\n');
    assert.equal(loadError([file]), fatal(1, 'maxmemory 1mb # trailing', 'wrong number of arguments'));
    writeFileSync(file, 'PORT abc\n');
    assert.equal(loadError([file]), fatal(1, 'PORT abc', "argument couldn't be parsed into an integer"));
    writeFileSync(file, 'daemonize maybe\n');
    assert.equal(loadError([file]), fatal(1, 'daemonize maybe', "argument must be 'yes' or 'no'"));
    writeFileSync(file, 'include /nonexistent.conf\n');
    assert.equal(loadError([file]), "Fatal error, can't open config file '/nonexistent.conf': No such file or directory");
    writeFileSync(file, 'save 900 1\nsave ""\nsave 300 10\n');
    assert.equal(loadConfig([file], V).config.get('save'), '300 10');
  });
});

test('stdin config', () => {
  const { config } = loadConfig(['-', '--hz', '12'], { ...V, readStdin: () => 'port 7003\nhz 11\n' });
  assert.equal(config.get('port'), '7003');
  assert.equal(config.get('hz'), '12');
});
