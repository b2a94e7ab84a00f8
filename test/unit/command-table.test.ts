// The command table: every spec has a handler and vice versa; lookups are case-insensitive.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandTable, F } from '../../src/server/command-table.js';
import { getKeysFromCommand } from '../../src/server/handlers/command.js';
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

describe('legacy key ranges', () => {
  // A snapshot in progress finds the keys a write command may change through (first, last,
  // step) unless the command has movable keys (persistence/snapshot.ts): for every other write
  // command that range must name exactly the keys its key specs find.
  it('equal the key specs for every write command without movable keys', () => {
    const table = new CommandTable(allHandlers);
    let checked = 0;
    for (const top of table.all()) {
      for (const cmd of [top, ...(top.subcommands?.values() ?? [])]) {
        if ((cmd.flags & (F.write | F.mayReplicate)) === 0 || (cmd.flags & F.movableKeys) !== 0) continue;
        const arity = Math.abs(cmd.arity);
        for (const len of [arity, arity + 1, arity + 2, 7]) {
          const [name, sub] = cmd.fullName.split('|');
          const argv = Array.from({ length: len }, (_, i) => Buffer.from(i === 0 ? name : i === 1 && sub !== undefined ? sub : `a${i}`));
          const spec = cmd.spec;
          const legacy: number[] = [];
          if (spec.firstKey > 0) {
            const last = spec.lastKey < 0 ? len + spec.lastKey : Math.min(spec.lastKey, len - 1);
            for (let i = spec.firstKey; i <= last; i += spec.step) legacy.push(i);
          }
          const bySpecs = getKeysFromCommand(cmd, argv);
          if (bySpecs === null) continue;
          assert.deepEqual([...bySpecs].sort((a, b) => a - b), legacy, `${cmd.fullName} with ${len} arguments`);
          checked++;
        }
      }
    }
    assert.ok(checked > 200, `only ${checked} cases`);
  });
});
