// The sentinel's timing parameters, in milliseconds, as Redis 7.0 names and sets them
// (SENTINEL DEBUG lists them and changes them at run time, for every sentinel in the process).

export const timing = {
  'info-period': 10_000,
  'ping-period': 1_000,
  'ask-period': 1_000,
  'publish-period': 2_000,
  'default-down-after': 30_000,
  'default-failover-timeout': 180_000,
  'tilt-trigger': 2_000,
  'tilt-period': 30_000,
  'slave-reconf-timeout': 10_000,
  'min-link-reconnect-period': 15_000,
  'election-timeout': 10_000,
  'script-max-runtime': 60_000,
  'script-retry-delay': 30_000,
};
