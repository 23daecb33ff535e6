export interface EventuallyOptions {
  /** What is awaited, for the error when it never comes. */
  what?: string;
  /** How long to keep reading (default 30 s: test files share two cores). */
  timeoutMs?: number;
  /** Pause between reads (default 50 ms). */
  everyMs?: number;
  /** Runs before each further read, e.g. `() => p.runtime.host.flushOutbox()` to publish at once. */
  between?: () => Promise<unknown>;
}

/**
 * Reads until `done` holds: what crosses processes (events through the outbox, a consumer's view)
 * arrives a moment later. Throws naming `what` (and the last value) when it never does.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, options: EventuallyOptions = {}): Promise<T> {
  const end = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`waited in vain for ${options.what ?? 'the condition'}; last value: ${JSON.stringify(value)?.slice(0, 500)}`);
    await options.between?.();
    await new Promise((r) => setTimeout(r, options.everyMs ?? 50));
  }
}
