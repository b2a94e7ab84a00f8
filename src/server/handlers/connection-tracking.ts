// CLIENT TRACKING / CACHING / TRACKINGINFO / GETREDIR: client-side caching control, as Redis
// 7.0's clientCommand. Merged into the CLIENT container by connection-client.ts; the tracking
// table and the invalidation messages are in src/server/pubsub/tracking.ts.

import { Err, sanitizeErrorText } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import type { TrackingOptions } from '../pubsub/tracking.js';
import { isKeyword } from './util.js';

/**
 * CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP].
 * Options are parsed first (REDIRECT must name a connected client), then checked against each
 * other and the current mode in Redis's order.
 */
const clientTrackingCommand: Handler = (c, argv) => {
  const o: TrackingOptions = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] };
  const prefixes: Buffer[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const a = argv[j];
    if (isKeyword(a, 'redirect') && more > 0) {
      j++;
      if (o.redirect !== 0) return void c.w.error(Err.trackingRedirectTwice);
      const id = parseIntArg(argv[j]);
      if (id === null) return void c.w.error(Err.notInteger);
      if (typeof id !== 'number' || !c.srv.clients.has(id)) return void c.w.error(Err.trackingNoRedirectTarget);
      o.redirect = id;
    } else if (isKeyword(a, 'bcast')) {
      o.bcast = true;
    } else if (isKeyword(a, 'optin')) {
      o.optin = true;
    } else if (isKeyword(a, 'optout')) {
      o.optout = true;
    } else if (isKeyword(a, 'noloop')) {
      o.noloop = true;
    } else if (isKeyword(a, 'prefix') && more > 0) {
      j++;
      prefixes.push(Buffer.from(argv[j]));
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  o.prefixes = prefixes;
  const tracking = c.srv.tracking;
  if (isKeyword(argv[2], 'on')) {
    const t = c.tracking;
    if (!o.bcast && prefixes.length > 0) return void c.w.error(Err.trackingPrefixNeedsBcast);
    if (t !== null && t.bcast !== o.bcast) return void c.w.error(Err.trackingBcastSwitch);
    if (o.bcast && (o.optin || o.optout)) return void c.w.error(Err.trackingBcastOptInOut);
    if (o.optin && o.optout) return void c.w.error(Err.trackingOptInAndOut);
    if (t !== null && ((o.optin && t.optout) || (o.optout && t.optin))) return void c.w.error(Err.trackingOptSwitch);
    if (o.bcast) {
      const clash = tracking.prefixCollision(c, prefixes);
      if (clash !== null) {
        c.w.errorLatin1(sanitizeErrorText(clash.error));
        if (!clash.proceed) return;
      }
    }
    tracking.enable(c, o);
  } else if (isKeyword(argv[2], 'off')) {
    tracking.disable(c);
  } else {
    return void c.w.error(Err.syntax);
  }
  c.w.ok();
};

/** CLIENT CACHING YES|NO: tracks (OPTIN) or skips (OPTOUT) the keys of the next command. */
const clientCachingCommand: Handler = (c, argv) => {
  const t = c.tracking;
  if (t === null) return void c.w.error(Err.cachingNotTracking);
  if (isKeyword(argv[2], 'yes')) {
    if (!t.optin) return void c.w.error(Err.cachingYesNotOptin);
  } else if (isKeyword(argv[2], 'no')) {
    if (!t.optout) return void c.w.error(Err.cachingNoNotOptout);
  } else {
    return void c.w.error(Err.syntax);
  }
  t.caching = true;
  c.w.ok();
};

/** CLIENT GETREDIR: the redirect id (0: none), or -1 when tracking is off. */
const clientGetredirCommand: Handler = (c) => {
  c.w.integer(c.tracking === null ? -1 : c.tracking.redirect);
};

/** CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes. */
const clientTrackinginfoCommand: Handler = (c) => {
  const t = c.tracking;
  const flags: string[] = [t === null ? 'off' : 'on'];
  if (t !== null) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin');
    if (t.optin && t.caching) flags.push('caching-yes');
    if (t.optout) flags.push('optout');
    if (t.optout && t.caching) flags.push('caching-no');
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedirect) flags.push('broken_redirect');
  }
  const w = c.w;
  w.map(3);
  w.bulkLatin1('flags');
  w.set(flags.length);
  for (const f of flags) w.bulkLatin1(f);
  w.bulkLatin1('redirect');
  w.integer(t === null ? -1 : t.redirect);
  w.bulkLatin1('prefixes');
  const prefixes = t === null ? [] : [...t.prefixes].sort();
  w.array(prefixes.length);
  for (const p of prefixes) w.bulkLatin1(p);
};

export const trackingClientHandlers: Record<string, Handler> = {
  'client|tracking': clientTrackingCommand,
  'client|caching': clientCachingCommand,
  'client|getredir': clientGetredirCommand,
  'client|trackinginfo': clientTrackinginfoCommand,
};
