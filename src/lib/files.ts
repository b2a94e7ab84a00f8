// File-system checks shared by the sentinel (its scripts) and the benchmarks (the tools they run).

import { accessSync, constants } from 'node:fs';

/** True when `path` names a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
