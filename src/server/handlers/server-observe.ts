// SLOWLOG and LATENCY: reading and resetting the slow log and the latency monitor
// (src/server/observability/{slowlog,latency}.ts), replies as Redis 7.0 shapes them.

import { Err, sanitizeErrorText } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { latencyDoctorReport } from '../observability/latency.js';
import { replyHelp } from './util.js';


const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

// GRAPH and HISTOGRAM are listed because Redis lists them; Shoal does not implement them yet.
const LATENCY_HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
];

// -----------------------------------------------------------------------------------------
// SLOWLOG

/** SLOWLOG GET [count]: newest first; count defaults to 10, -1 means every entry. */
const slowlogGet: Handler = (c, argv) => {
  const log = c.srv.slowlog.entries;
  if (argv.length > 3) {
    c.w.error(sanitizeErrorText(Err.subcommandSyntax(argv[1].toString('latin1'), 'SLOWLOG')));
    return;
  }
  let count = 10;
  if (argv.length === 3) {
    const v = parseIntArg(argv[2]);
    if (v === null || v < -1) {
      c.w.error(Err.slowlogCount);
      return;
    }
    count = v === -1 ? log.length : typeof v === 'bigint' ? log.length : v;
  }
  const n = Math.min(count, log.length);
  c.w.array(n);
  for (let i = 0; i < n; i++) {
    const e = log[i];
    c.w.array(6);
    c.w.integer(e.id);
    c.w.integer(e.time);
    c.w.integer(e.durationUs);
    c.w.array(e.argv.length);
    for (const a of e.argv) c.w.bulk(a);
    c.w.bulkString(e.peer);
    c.w.bulkString(e.name);
  }
};

// -----------------------------------------------------------------------------------------
// LATENCY

const latencyLatest: Handler = (c) => {
  const events = c.srv.latency.events;
  c.w.array(events.size);
  for (const [name, ev] of events) {
    const last = ev.samples[ev.samples.length - 1];
    c.w.array(4);
    c.w.bulkString(name);
    c.w.integer(last?.time ?? 0);
    c.w.integer(last?.latency ?? 0);
    c.w.integer(ev.max);
  }
};

const latencyHistory: Handler = (c, argv) => {
  const ev = c.srv.latency.events.get(argv[2].toString());
  const samples = ev?.samples ?? [];
  c.w.array(samples.length);
  for (const s of samples) {
    c.w.array(2);
    c.w.integer(s.time);
    c.w.integer(s.latency);
  }
};

const latencyDoctor: Handler = (c) => {
  const srv = c.srv;
  c.w.verbatim(
    latencyDoctorReport(srv.latency, {
      thresholdMs: srv.config.getNumber('latency-monitor-threshold'),
      slowlogUs: srv.config.getNumber('slowlog-log-slower-than'),
    }),
  );
};

export const observeHandlers: Record<string, Handler> = {
  'slowlog|get': slowlogGet,
  'slowlog|len': (c) => c.w.integer(c.srv.slowlog.entries.length),
  'slowlog|reset': (c) => {
    c.srv.slowlog.reset();
    c.w.ok();
  },
  'slowlog|help': (c) => replyHelp(c, SLOWLOG_HELP),
  'latency|latest': latencyLatest,
  'latency|history': latencyHistory,
  'latency|reset': (c, argv) => c.w.integer(c.srv.latency.reset(argv.slice(2).map((a) => a.toString()))),
  'latency|doctor': latencyDoctor,
  'latency|help': (c) => replyHelp(c, LATENCY_HELP),
};
