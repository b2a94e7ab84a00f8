// The sentinel's scripts (Redis's sentinelScheduleScriptExecution and friends): a master's
// notification-script runs for each of its warning-level events (`<event> <description>`),
// its client-reconfig-script when a failover moves it (`<master> <role> start <from-ip>
// <from-port> <to-ip> <to-port>`, role leader or observer). At most 256 wait and 16 run at a
// time; a script that exits 1 or dies of a signal is retried up to 10 times, 30 s after its
// first try and twice as long after each next one; one running over 60 s is killed.

import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { timing } from './timing.js';

const MAX_QUEUE = 256;
const MAX_RUNNING = 16;
const MAX_RETRY = 10;

export interface ScriptJob {
  argv: string[];
  /** The child while it runs. */
  child: ChildProcess | null;
  pid: number;
  /** Start time while it runs; the time it may start while it waits. */
  startTime: number;
  retryNum: number;
}

export class ScriptQueue {
  readonly jobs: ScriptJob[] = [];
  #running = 0;
  readonly #now: () => number;
  readonly #event: (type: string, msg: string) => void;

  /** `event` reports -script-error and -script-timeout (warning level). */
  constructor(now: () => number, event: (type: string, msg: string) => void) {
    this.#now = now;
    this.#event = event;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.jobs.length - this.#running;
  }

  /** Queues a run; when the queue is full the oldest job not running makes room. */
  schedule(argv: string[]): void {
    this.jobs.push({ argv, child: null, pid: 0, startTime: 0, retryNum: 0 });
    if (this.jobs.length > MAX_QUEUE) {
      const i = this.jobs.findIndex((j) => j.child === null);
      if (i >= 0) this.jobs.splice(i, 1);
    }
  }

  /** Starts the jobs due (the timer's sentinelRunPendingScripts) and kills the ones over time. */
  tick(): void {
    const now = this.#now();
    for (const job of this.jobs) {
      if (this.#running >= MAX_RUNNING) break;
      if (job.child !== null || job.startTime > now) continue;
      this.#start(job, now);
    }
    for (const job of this.jobs) {
      if (job.child !== null && now - job.startTime > timing['script-max-runtime']) {
        this.#event('-script-timeout', `${job.argv[0]} ${job.pid}`);
        job.child.kill('SIGKILL');
      }
    }
  }

  #start(job: ScriptJob, now: number): void {
    const [file, ...args] = job.argv;
    job.retryNum++;
    job.startTime = now;
    const child = spawn(file as string, args, { stdio: 'ignore' });
    job.child = child;
    job.pid = child.pid ?? 0;
    this.#running++;
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnFailed: boolean): void => {
      if (done) return;
      done = true;
      this.#running--;
      job.child = null;
      // Exit 1 or a signal: try again later; 0 is done; any other code (or no process at all)
      // is an error not worth retrying (sentinelCollectTerminatedScripts).
      if ((code === 1 || signal !== null) && !spawnFailed && job.retryNum < MAX_RETRY) {
        job.startTime = this.#now() + timing['script-retry-delay'] * 2 ** (job.retryNum - 1);
        job.pid = 0;
        return;
      }
      // "<path> <signal> <exit code>"; a script that could not be run counts as exit code 99.
      if (code !== 0 || spawnFailed) this.#event('-script-error', `${file} ${signal !== null ? (os.constants.signals[signal] ?? 0) : 0} ${code ?? 0}`);
      const i = this.jobs.indexOf(job);
      if (i >= 0) this.jobs.splice(i, 1);
    };
    child.once('error', () => finish(99, null, true));
    child.once('exit', (code, signal) => finish(code, signal, false));
  }

  /** Kills every running script (the sentinel stops). */
  killAll(): void {
    for (const job of this.jobs) job.child?.kill('SIGKILL');
  }
}
