// Development tool: (re)writes the spec files src/commands/<group>.ts from a running
// redis-server 7.0 (REDIS_PORT, default 6379) through dump.mjs, keeping only the commands and
// subcommands listed below. It overwrites whole files: specs added by hand (CLIENT NO-TOUCH,
// from Redis 7.2, in connection.ts) must be re-applied, so review `git diff` afterwards.
//   REDIS_PORT=6400 node scripts/emit.mjs [group ...]    (no group: every group)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
const here = dirname(fileURLToPath(import.meta.url));
const groups = {
  strings: { title: 'String commands', cmds: 'get set setnx setex psetex getset getdel getex mget mset msetnx append strlen incr decr incrby decrby incrbyfloat getrange setrange substr lcs' },
  keys: { title: 'Generic keyspace commands', cmds: 'del unlink exists type rename renamenx keys scan randomkey expire pexpire expireat pexpireat ttl pttl expiretime pexpiretime persist touch copy object move dbsize flushdb flushall swapdb sort sort_ro' },
  server: { title: 'Server commands', cmds: 'info config time shutdown monitor slowlog latency debug command memory' },
  connection: { title: 'Connection commands', cmds: 'ping echo quit reset select hello auth client' },
  hashes: { title: 'Hash commands', cmds: 'hset hsetnx hget hmget hmset hdel hexists hlen hstrlen hkeys hvals hgetall hincrby hincrbyfloat hrandfield hscan' },
  lists: { title: 'List commands', cmds: 'lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset linsert lrem ltrim lpos lmove rpoplpush lmpop blpop brpop blmove brpoplpush blmpop' },
  sets: { title: 'Set commands', cmds: 'sadd srem smembers sismember smismember scard spop srandmember smove sinter sintercard sinterstore sunion sunionstore sdiff sdiffstore sscan' },
  zsets: { title: 'Sorted set commands', cmds: 'zadd zincrby zrem zcard zcount zlexcount zscore zmscore zrank zrevrank zrange zrevrange zrangestore zrangebyscore zrevrangebyscore zrangebylex zrevrangebylex zremrangebyrank zremrangebyscore zremrangebylex zpopmin zpopmax bzpopmin bzpopmax zmpop bzmpop zrandmember zunion zinter zdiff zunionstore zinterstore zdiffstore zintercard zscan' },
  bitmaps: { title: 'Bitmap commands', cmds: 'setbit getbit bitcount bitpos bitop bitfield bitfield_ro' },
  transactions: { title: 'Transaction commands', cmds: 'multi exec discard watch unwatch' },
  pubsub: { title: 'Pub/Sub commands', cmds: 'subscribe unsubscribe psubscribe punsubscribe publish pubsub ssubscribe sunsubscribe spublish' },
};
const keepSubs = {
  object: 'encoding freq idletime refcount help', config: 'get set resetstat rewrite help',
  client: 'id setname getname list info kill pause unpause reply no-evict unblock help tracking caching trackinginfo getredir',
  slowlog: 'get len reset help', latency: 'latest history reset doctor help',
  command: 'count info docs getkeys getkeysandflags list help',
  memory: 'help doctor malloc-stats purge usage stats',
  pubsub: 'channels numsub numpat shardchannels shardnumsub help',
};
const only = process.argv.slice(2);
for (const g of only) if (!(g in groups)) throw new Error(`unknown group ${g}`);
function ser(v, ind) {
  const pad = '  '.repeat(ind);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object')) return '[' + v.map((x) => JSON.stringify(x)).join(', ') + ']';
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => pad + '  ' + ser(x, ind + 1)).join(',\n') + ',\n' + pad + ']';
  }
  if (v && typeof v === 'object') {
    const ents = Object.entries(v);
    const inline = ents.every(([, x]) => typeof x !== 'object' || (Array.isArray(x) && x.every((y) => typeof y !== 'object')));
    const fmt = ([k, x]) => (/^[a-zA-Z_]\w*$/.test(k) ? k : JSON.stringify(k)) + ': ' + ser(x, ind + 1);
    if (inline) { const s = '{ ' + ents.map(fmt).join(', ') + ' }'; if (s.length + pad.length < 110) return s; }
    return '{\n' + ents.map((e) => pad + '  ' + fmt(e)).join(',\n') + ',\n' + pad + '}';
  }
  return JSON.stringify(v);
}
for (const [file, g] of Object.entries(groups)) {
  if (only.length > 0 && !only.includes(file)) continue;
  const specs = JSON.parse(execFileSync(process.execPath, [join(here, 'dump.mjs'), ...g.cmds.split(' ')], { maxBuffer: 1 << 26 }));
  for (const s of specs) if (s.subcommands) {
    const keep = (keepSubs[s.name] || '').split(' ');
    s.subcommands = s.subcommands.filter((x) => keep.includes(x.name.split('|')[1]));
  }
  const body = specs.map((s) => '  ' + ser(s, 1)).join(',\n');
  writeFileSync(join(here, '..', 'src', 'commands', `${file}.ts`),
`// ${g.title}: the declarative specs (arity, flags, key positions, ACL categories, docs).
// Everything else — COMMAND, arity errors, key extraction, docs/COMMANDS.md — derives from here.
// The handlers live in src/server/handlers/${file}.ts under the same names.
import type { CommandSpec } from './types.js';

export const ${file}Specs: CommandSpec[] = [
${body},
];
`);
}
