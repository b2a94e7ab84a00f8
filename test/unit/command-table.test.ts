// The command table: every spec has a handler and vice versa; lookups are case-insensitive.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandTable } from '../../src/server/command-table.js';
import { allHandlers } from '../../src/server/handlers/index.js';
import { allSpecs } from '../../src/commands/index.js';

describe('command table', () => {
  const table = new CommandTable(allHandlers);

  it('implements every declared command and subcommand', () => {
    assert.deepEqual(table.missing, []);
  });

  it('has a top-level command for every spec', () => {
    assert.equal(table.size, allSpecs.length);
  });

  it('looks commands up case-insensitively, subcommands by container|sub', () => {
    assert.equal(table.lookup('GeT')?.fullName, 'get');
    assert.equal(table.lookupFullName('CONFIG|GET')?.fullName, 'config|get');
    assert.equal(table.lookup('nosuchcommand'), undefined);
  });

  it('rejects a handler without a spec', () => {
    assert.throws(() => new CommandTable({ ...allHandlers, nosuch: () => {} }), /handler 'nosuch' has no spec/);
  });
});

describe('command lookup by bytes', () => {
  const table = new CommandTable(allHandlers);
  it('finds every command in any case, and nothing else', () => {
    for (const cmd of table.commands) {
      assert.equal(table.lookupBytes(Buffer.from(cmd.fullName)), cmd);
      assert.equal(table.lookupBytes(Buffer.from(cmd.fullName.toUpperCase())), cmd);
    }
    assert.equal(table.lookupBytes(Buffer.from('gett')), undefined);
    assert.equal(table.lookupBytes(Buffer.from('ge')), undefined);
    assert.equal(table.lookupBytes(Buffer.from('g\x05t')), undefined);
    assert.equal(table.lookupBytes(Buffer.alloc(0)), undefined);
  });
});
