// Server command handlers: INFO here; CONFIG in server-config.ts; SLOWLOG and LATENCY in
// server-observe.ts. The report itself is built by src/server/observability/info.ts.

import type { Handler } from '../command-table.js';
import { buildInfo, selectSections } from '../observability/info.js';
import { configHandlers } from './server-config.js';
import { observeHandlers } from './server-observe.js';

/** INFO [section ...]: a verbatim text reply (a bulk string in RESP2). */
const info: Handler = (c, argv) => {
  const sections = selectSections(argv.slice(1).map((a) => a.toString('latin1').toLowerCase()));
  c.w.verbatim(buildInfo(c.srv, sections));
};

export const serverHandlers: Record<string, Handler> = {
  info,
  ...configHandlers,
  ...observeHandlers,
};
