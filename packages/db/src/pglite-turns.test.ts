import { describe, expect, it } from 'vitest';
import { pgliteTurns } from './pglite-client.js';

/** A call that keeps the thread busy for `ms` of the fake clock, as a PGlite statement does. */
function busy(clock: { t: number }, ms: number, log: string[], name: string) {
  return async () => {
    clock.t += ms;
    log.push(name);
    return name;
  };
}

describe('pgliteTurns', () => {
  it('runs top-level calls first come, first served', async () => {
    const clock = { t: 0 };
    const turns = pgliteTurns(10, () => clock.t);
    const log: string[] = [];
    const results = await Promise.all(['a', 'b', 'c'].map((n) => turns(busy(clock, 1, log, n))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('lets the event loop run once the calls have kept it for the budget', async () => {
    const clock = { t: 0 };
    const turns = pgliteTurns(10, () => clock.t);
    const log: string[] = [];
    // Queued PGlite work would otherwise run in one microtask drain, ahead of any I/O callback.
    const calls = Array.from({ length: 6 }, (_, i) => turns(busy(clock, 4, log, `q${i}`)));
    setImmediate(() => log.push('io'));
    await Promise.all(calls);
    const io = log.indexOf('io');
    expect(io).toBeGreaterThan(0);
    expect(io).toBeLessThan(4);
  });

  it('does not yield while under the budget, and releases the queue after a failure', async () => {
    const clock = { t: 0 };
    const turns = pgliteTurns(10, () => clock.t);
    const log: string[] = [];
    const failing = turns(async () => {
      throw new Error('boom');
    });
    const calls = [turns(busy(clock, 1, log, 'a')), turns(busy(clock, 1, log, 'b'))];
    setImmediate(() => log.push('io'));
    await expect(failing).rejects.toThrow('boom');
    await Promise.all(calls);
    expect(log).toEqual(['a', 'b']);
  });
});
