// Development tool: prints the COMMAND INFO and COMMAND DOCS of the named commands, as
// reported by a running redis-server 7.0 (REDIS_PORT, default 6379), as JSON in the shape of
// src/commands/types.ts. Used by emit.mjs to write a group's spec file.
//   node scripts/dump.mjs get set client
import Redis from 'ioredis';
const r = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: false });
const names = process.argv.slice(2);
const toObj = (a) => { const o = {}; for (let i = 0; i < a.length; i += 2) o[a[i]] = a[i + 1]; return o; };
function convKeySpec(ks) {
  const o = toObj(ks);
  const bs = toObj(o.begin_search); const fk = toObj(o.find_keys);
  const res = { flags: o.flags };
  if (o.notes) res.notes = o.notes;
  res.beginSearch = { type: bs.type, ...(bs.spec ? toObj(bs.spec) : {}) };
  res.findKeys = { type: fk.type, ...(fk.spec ? toObj(fk.spec) : {}) };
  return res;
}
function convInfo(i) {
  const [name, arity, flags, first, last, step, acl, tips, keyspecs, subs] = i;
  const o = { name, arity, flags, firstKey: first, lastKey: last, step, acl: acl.map((s) => s.replace(/^@/, '')) };
  if (tips.length) o.tips = tips;
  if (keyspecs.length) o.keySpecs = keyspecs.map(convKeySpec);
  if (subs && subs.length) o.subcommands = subs.map(convInfo);
  return o;
}
function convArg(a) {
  const o = toObj(a); const r2 = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'arguments') r2.arguments = v.map(convArg);
    else if (k === 'key_spec_index') r2.keySpecIndex = v;
    else if (k === 'display_text') r2.display = v;
    else if (k === 'deprecated_since') r2.deprecatedSince = v;
    else r2[k] = v;
  }
  return r2;
}
function convDoc(d) {
  const o = toObj(d); const r2 = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'arguments') r2.arguments = v.map(convArg);
    else if (k === 'history') r2.history = v;
    else if (k === 'subcommands') { const s = toObj(v); r2.subcommands = Object.fromEntries(Object.entries(s).map(([n, dd]) => [n, convDoc(dd)])); }
    else if (k === 'doc_flags') r2.docFlags = v;
    else if (k === 'deprecated_since') r2.deprecatedSince = v;
    else if (k === 'replaced_by') r2.replacedBy = v;
    else r2[k] = v;
  }
  return r2;
}
const out = [];
for (const n of names) {
  const [info] = await r.call('command', 'info', n);
  const docs = toObj(await r.call('command', 'docs', n));
  const spec = convInfo(info);
  spec.doc = convDoc(docs[n]);
  if (spec.subcommands) {
    for (const s of spec.subcommands) s.doc = spec.doc.subcommands[s.name];
    delete spec.doc.subcommands;
  }
  out.push(spec);
}
console.log(JSON.stringify(out, null, 1));
r.disconnect();
