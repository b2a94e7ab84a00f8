// Waiting for a condition in tests: poll it, never sleep a fixed time.

export interface PollOptions {
  /** What is awaited, for the timeout's message. */
  readonly what?: string;
  /** Give up after this many ms (default 10 s). */
  readonly ms?: number;
  /** Poll period, ms (default 10). */
  readonly every?: number;
}

/** Resolves once cond() holds; throws if it does not within opts.ms. */
export async function until(cond: () => boolean | Promise<boolean>, opts: PollOptions = {}): Promise<void> {
  const deadline = Date.now() + (opts.ms ?? 10_000);
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((res) => setTimeout(res, opts.every ?? 10));
  }
}
