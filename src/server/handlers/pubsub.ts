// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE
// PUBLISH SPUBLISH and the PUBSUB introspection container, as Redis 7.0's pubsub.c. The
// registry and the message formats are in src/server/pubsub/registry.ts; what a RESP2 client
// in Pub/Sub mode may still run is decided by the dispatch gate.

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { SubKind } from '../pubsub/registry.js';
import { replyHelp } from './util.js';

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

// ---------------------------------------------------------------------------------------------
// Subscribing

/** SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE name [name ...]: one confirmation per name. */
function subscribeGeneric(c: Client, argv: Buffer[], kind: SubKind): void {
  const pubsub = c.srv.pubsub;
  for (let i = 1; i < argv.length; i++) pubsub.subscribe(c, kind, argv[i]);
}

/**
 * UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE [name ...]: one confirmation per name given, or
 * per name subscribed (a single one with a null name when none) without arguments. The client
 * leaves Pub/Sub mode when nothing of any kind is left.
 */
function unsubscribeGeneric(c: Client, argv: Buffer[], kind: SubKind): void {
  const pubsub = c.srv.pubsub;
  if (argv.length === 1) pubsub.unsubscribeAll(c, kind, true);
  else for (let i = 1; i < argv.length; i++) pubsub.unsubscribe(c, kind, argv[i], true);
  pubsub.updateMode(c);
}

const subscribeCommand: Handler = (c, argv) => subscribeGeneric(c, argv, SubKind.Channel);
const psubscribeCommand: Handler = (c, argv) => subscribeGeneric(c, argv, SubKind.Pattern);

/** SSUBSCRIBE is refused inside a transaction, unlike SUBSCRIBE (kept for compatibility). */
const ssubscribeCommand: Handler = (c, argv) => {
  if (c.inExec) return void c.w.error(Err.ssubscribeDenyBlocking);
  subscribeGeneric(c, argv, SubKind.Shard);
};

const unsubscribeCommand: Handler = (c, argv) => unsubscribeGeneric(c, argv, SubKind.Channel);
const punsubscribeCommand: Handler = (c, argv) => unsubscribeGeneric(c, argv, SubKind.Pattern);
const sunsubscribeCommand: Handler = (c, argv) => unsubscribeGeneric(c, argv, SubKind.Shard);

// ---------------------------------------------------------------------------------------------
// Publishing

/** PUBLISH channel message: the number of clients that received it (patterns included). */
const publishCommand: Handler = (c, argv) => {
  c.w.integer(c.srv.pubsub.publish(argv[1], argv[2], false));
  // Subscribers of replicas get it too (the stream carries it; the AOF does not).
  if (c.srv.propagation.active) c.srv.propagation.forceReplicasOnly();
};

/** SPUBLISH shardchannel message: shard channels ignore patterns. */
const spublishCommand: Handler = (c, argv) => {
  c.w.integer(c.srv.pubsub.publish(argv[1], argv[2], true));
};

// ---------------------------------------------------------------------------------------------
// PUBSUB

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern] */
function channelsGeneric(c: Client, argv: Buffer[], shard: boolean): void {
  if (argv.length > 3) return void c.w.error(Err.subcommandSyntax(argv[1].toString('latin1'), 'PUBSUB'));
  const names = c.srv.pubsub.channelNames(shard, argv.length === 3 ? argv[2] : null);
  c.w.array(names.length);
  for (const n of names) c.w.bulk(n);
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: a flat array of channel, count pairs. */
function numsubGeneric(c: Client, argv: Buffer[], shard: boolean): void {
  const pubsub = c.srv.pubsub;
  c.w.array((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    c.w.bulk(argv[i]);
    c.w.integer(pubsub.subscriberCount(shard, argv[i]));
  }
}

export const pubsubHandlers: Record<string, Handler> = {
  subscribe: subscribeCommand,
  unsubscribe: unsubscribeCommand,
  psubscribe: psubscribeCommand,
  punsubscribe: punsubscribeCommand,
  ssubscribe: ssubscribeCommand,
  sunsubscribe: sunsubscribeCommand,
  publish: publishCommand,
  spublish: spublishCommand,
  'pubsub|channels': (c, argv) => channelsGeneric(c, argv, false),
  'pubsub|shardchannels': (c, argv) => channelsGeneric(c, argv, true),
  'pubsub|numsub': (c, argv) => numsubGeneric(c, argv, false),
  'pubsub|shardnumsub': (c, argv) => numsubGeneric(c, argv, true),
  'pubsub|numpat': (c) => c.w.integer(c.srv.pubsub.patternCount),
  'pubsub|help': (c) => replyHelp(c, HELP),
};
