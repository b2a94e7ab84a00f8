// The server log, in redis-server's line format: "pid:M 26 Nov 2026 05:30:00.123 * message".
// Levels as redis.conf names them: debug, verbose, notice, warning (and nothing).

import { appendFileSync } from 'node:fs';

const LEVELS = ['debug', 'verbose', 'notice', 'warning', 'nothing'] as const;
export type LogLevel = (typeof LEVELS)[number];
const MARKS = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  #level = 2;
  /** Empty string: standard output. */
  #file = '';
  role = 'M';
  /** Lines are also handed here (tests capture the log). */
  sink: ((line: string) => void) | null = null;

  setLevel(level: string): void {
    const i = LEVELS.indexOf(level as LogLevel);
    if (i >= 0) this.#level = i;
  }

  setFile(path: string): void {
    this.#file = path;
  }

  #write(level: number, msg: string): void {
    if (level < this.#level) return;
    const d = new Date();
    const p2 = (n: number): string => String(n).padStart(2, '0');
    const ts = `${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
    const line = `${process.pid}:${this.role} ${ts} ${MARKS[level]} ${msg}\n`;
    if (this.sink) this.sink(line);
    if (this.#file === '') process.stdout.write(line);
    else {
      try {
        appendFileSync(this.#file, line);
      } catch {
        process.stderr.write(line);
      }
    }
  }

  debug(msg: string): void {
    this.#write(0, msg);
  }
  verbose(msg: string): void {
    this.#write(1, msg);
  }
  notice(msg: string): void {
    this.#write(2, msg);
  }
  warning(msg: string): void {
    this.#write(3, msg);
  }
}
