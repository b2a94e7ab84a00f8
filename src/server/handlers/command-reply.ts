// Encoders for COMMAND INFO and COMMAND DOCS replies, built from the command specs.
//
// Field order, and which aggregates are sets or maps in RESP3, follow Redis 7.0.15 byte for
// byte (checked against the oracle): flags, ACL categories, tips and key specs are sets;
// subcommands are an array in INFO (an empty set when there are none) and a map in DOCS.

import type { Command } from '../command-table.js';
import type { DocArg, KeySpec } from '../../commands/types.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';

// ---------------------------------------------------------------------------------------------
// COMMAND INFO

/** The 10-element description of one command; a null for an unknown name. */
export function replyCommandInfo(w: ReplyWriter, cmd: Command | undefined): void {
  if (cmd === undefined) {
    w.nil();
    return;
  }
  const spec = cmd.spec;
  w.array(10);
  w.bulkString(cmd.fullName);
  w.integer(spec.arity);
  w.set(spec.flags.length);
  for (const f of spec.flags) w.simple(f);
  w.integer(spec.firstKey);
  w.integer(spec.lastKey);
  w.integer(spec.step);
  w.set(spec.acl.length);
  for (const a of spec.acl) w.simple('@' + a);
  const tips = spec.tips ?? [];
  w.set(tips.length);
  for (const t of tips) w.bulkString(t);
  const specs = spec.keySpecs ?? [];
  w.set(specs.length);
  for (const ks of specs) replyKeySpec(w, ks);
  const subs = cmd.subcommands;
  if (subs === null || subs.size === 0) {
    w.set(0);
  } else {
    w.array(subs.size);
    for (const sub of subs.values()) replyCommandInfo(w, sub);
  }
}

function replyKeySpec(w: ReplyWriter, ks: KeySpec): void {
  w.map(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    w.bulkString('notes');
    w.bulkString(ks.notes);
  }
  w.bulkString('flags');
  w.set(ks.flags.length);
  for (const f of ks.flags) w.simple(f);

  w.bulkString('begin_search');
  w.map(2);
  const bs = ks.beginSearch;
  if (bs.type === 'index') {
    w.bulkString('type');
    w.bulkString('index');
    w.bulkString('spec');
    w.map(1);
    w.bulkString('index');
    w.integer(bs.index ?? 0);
  } else if (bs.type === 'keyword') {
    w.bulkString('type');
    w.bulkString('keyword');
    w.bulkString('spec');
    w.map(2);
    w.bulkString('keyword');
    w.bulkString(bs.keyword ?? '');
    w.bulkString('startfrom');
    w.integer(bs.startfrom ?? 0);
  } else {
    w.bulkString('type');
    w.bulkString('unknown');
    w.bulkString('spec');
    w.map(0);
  }

  w.bulkString('find_keys');
  w.map(2);
  const fk = ks.findKeys;
  if (fk.type === 'range') {
    w.bulkString('type');
    w.bulkString('range');
    w.bulkString('spec');
    w.map(3);
    w.bulkString('lastkey');
    w.integer(fk.lastkey ?? 0);
    w.bulkString('keystep');
    w.integer(fk.keystep ?? 1);
    w.bulkString('limit');
    w.integer(fk.limit ?? 0);
  } else if (fk.type === 'keynum') {
    w.bulkString('type');
    w.bulkString('keynum');
    w.bulkString('spec');
    w.map(3);
    w.bulkString('keynumidx');
    w.integer(fk.keynumidx ?? 0);
    w.bulkString('firstkey');
    w.integer(fk.firstkey ?? 1);
    w.bulkString('keystep');
    w.integer(fk.keystep ?? 1);
  } else {
    w.bulkString('type');
    w.bulkString('unknown');
    w.bulkString('spec');
    w.map(0);
  }
}

// ---------------------------------------------------------------------------------------------
// COMMAND DOCS

/** The documentation map of one command (the value half of COMMAND DOCS's name -> doc map). */
export function replyCommandDocs(w: ReplyWriter, cmd: Command): void {
  const doc = cmd.spec.doc;
  const subs = cmd.subcommands;
  const hasSubs = subs !== null && subs.size > 0;
  let n = 3;
  if (doc.complexity !== undefined) n++;
  if (doc.docFlags !== undefined && doc.docFlags.length > 0) n++;
  if (doc.deprecatedSince !== undefined) n++;
  if (doc.replacedBy !== undefined) n++;
  if (doc.history !== undefined && doc.history.length > 0) n++;
  if (doc.arguments !== undefined && doc.arguments.length > 0) n++;
  if (hasSubs) n++;
  w.map(n);
  w.bulkString('summary');
  w.bulkString(doc.summary);
  w.bulkString('since');
  w.bulkString(doc.since);
  w.bulkString('group');
  w.bulkString(doc.group);
  if (doc.complexity !== undefined) {
    w.bulkString('complexity');
    w.bulkString(doc.complexity);
  }
  if (doc.docFlags !== undefined && doc.docFlags.length > 0) {
    w.bulkString('doc_flags');
    w.set(doc.docFlags.length);
    for (const f of doc.docFlags) w.simple(f);
  }
  if (doc.deprecatedSince !== undefined) {
    w.bulkString('deprecated_since');
    w.bulkString(doc.deprecatedSince);
  }
  if (doc.replacedBy !== undefined) {
    w.bulkString('replaced_by');
    w.bulkString(doc.replacedBy);
  }
  if (doc.history !== undefined && doc.history.length > 0) {
    w.bulkString('history');
    w.set(doc.history.length);
    for (const [version, text] of doc.history) {
      w.array(2);
      w.bulkString(version);
      w.bulkString(text);
    }
  }
  if (doc.arguments !== undefined && doc.arguments.length > 0) {
    w.bulkString('arguments');
    replyDocArgs(w, doc.arguments);
  }
  if (hasSubs) {
    w.bulkString('subcommands');
    w.map(subs.size);
    for (const sub of subs.values()) {
      w.bulkString(sub.fullName);
      replyCommandDocs(w, sub);
    }
  }
}

/**
 * An argument list. Redis 7.0 prints name, type, key_spec_index, token, summary, since,
 * deprecated_since, flags, arguments — in that order, each only when present (7.0 has no
 * display_text; that arrived in 7.2).
 */
function replyDocArgs(w: ReplyWriter, args: readonly DocArg[]): void {
  w.array(args.length);
  for (const a of args) {
    const sub = a.arguments ?? [];
    const flags = a.flags ?? [];
    const hasSub = sub.length > 0;
    const hasFlags = flags.length > 0;
    let n = 2;
    if (a.keySpecIndex !== undefined) n++;
    if (a.token !== undefined) n++;
    if (a.summary !== undefined) n++;
    if (a.since !== undefined) n++;
    if (a.deprecatedSince !== undefined) n++;
    if (hasFlags) n++;
    if (hasSub) n++;
    w.map(n);
    w.bulkString('name');
    w.bulkString(a.name);
    w.bulkString('type');
    w.bulkString(a.type);
    if (a.keySpecIndex !== undefined) {
      w.bulkString('key_spec_index');
      w.integer(a.keySpecIndex);
    }
    if (a.token !== undefined) {
      w.bulkString('token');
      w.bulkString(a.token);
    }
    if (a.summary !== undefined) {
      w.bulkString('summary');
      w.bulkString(a.summary);
    }
    if (a.since !== undefined) {
      w.bulkString('since');
      w.bulkString(a.since);
    }
    if (a.deprecatedSince !== undefined) {
      w.bulkString('deprecated_since');
      w.bulkString(a.deprecatedSince);
    }
    if (hasFlags) {
      w.bulkString('flags');
      w.set(flags.length);
      for (const f of flags) w.simple(f);
    }
    if (hasSub) {
      w.bulkString('arguments');
      replyDocArgs(w, sub);
    }
  }
}
