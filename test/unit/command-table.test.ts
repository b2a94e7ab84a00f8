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
