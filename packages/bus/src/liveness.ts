import { BusError } from './types.js';

/**
 * How a requester tells a slow operation from a dead copy of its service, without a timer per
 * request: the serving side sends a heartbeat on the reply subject for every request it has been
 * working on for `HEARTBEAT_MS` (again every `HEARTBEAT_MS` until it replies), and the requesting
 * side gives up with `BusError('lost')` once neither a reply nor a heartbeat came for its silence
 * limit. One sweep timer per side checks everything outstanding; it runs only while something is.
 */

/** A request worked on this long gets its first heartbeat, and another after each further period. */
export const HEARTBEAT_MS = 400;
/** A requester gives up on a copy silent this long (2.5 heartbeat periods: room for a late one). */
export const DEFAULT_SILENCE_MS = 1_000;
/** Sweep period of both sides: timeouts and silence are noticed up to this much late. */
export const SWEEP_MS = 100;

/** A sweep this late means this process itself stood still (a blocked event loop, a long GC pause). */
const STALL_MS = 3 * SWEEP_MS;

/**
 * Runs `tick` every `SWEEP_MS` while `active()` holds; restarted by `wake()`. `keepAlive`: it holds
 * the process open meanwhile, as a request's own timeout timer would.
 */
class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(
    private readonly active: () => boolean,
    private readonly tick: (now: number, stalled: boolean) => void,
    private readonly keepAlive: boolean,
  ) {}

  wake(): void {
    if (this.timer) return;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const stalled = now - this.last > STALL_MS;
      this.last = now;
      this.tick(now, stalled);
      if (!this.active()) this.stop();
    }, SWEEP_MS);
    if (!this.keepAlive) this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** One request waiting for its reply. */
export interface Waiting<R> {
  readonly subject: string;
  readonly timeoutMs: number;
  readonly deadline: number;
  /** 0: no silence limit. */
  readonly silenceMs: number;
  heardAt: number;
  resolve(reply: R): void;
  reject(error: unknown): void;
}

/** The requesting side: outstanding requests keyed by `K`, failed by the sweep on timeout or silence. */
export class WaitingRequests<K, R> {
  private readonly waiting = new Map<K, Waiting<R>>();
  private readonly sweeper = new Sweeper(
    () => this.waiting.size > 0,
    (now, stalled) => this.sweep(now, stalled),
    true,
  );

  add(key: K, subject: string, timeoutMs: number, silenceMs: number, resolve: (reply: R) => void, reject: (error: unknown) => void): void {
    const now = performance.now();
    this.waiting.set(key, { subject, timeoutMs, deadline: now + timeoutMs, silenceMs, heardAt: now, resolve, reject });
    this.sweeper.wake();
  }

  /** The serving copy is alive and working on `key`. */
  heard(key: K): void {
    const w = this.waiting.get(key);
    if (w) w.heardAt = performance.now();
  }

  /** Removes `key` (its reply came, or it failed otherwise); undefined if it was no longer waiting. */
  take(key: K): Waiting<R> | undefined {
    const w = this.waiting.get(key);
    if (w) this.waiting.delete(key);
    return w;
  }

  /** Fails everything still waiting with `error`. */
  failAll(error: BusError): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    this.sweeper.stop();
    for (const w of all) w.reject(error);
  }

  private sweep(now: number, stalled: boolean): void {
    for (const [key, w] of this.waiting) {
      // After this process stood still, heartbeats may be waiting unread in its socket (timers run
      // before I/O), or were never sent (embedded: the serving side stood still too): the silence
      // is ours, so it counts again from now.
      if (stalled) w.heardAt = now;
      if (now >= w.deadline) {
        this.waiting.delete(key);
        w.reject(new BusError('timeout', `request '${w.subject}' timed out after ${w.timeoutMs} ms`));
      } else if (w.silenceMs > 0 && now - w.heardAt >= w.silenceMs) {
        this.waiting.delete(key);
        w.reject(new BusError('lost', `request '${w.subject}': its service went silent (no reply or heartbeat for ${w.silenceMs} ms)`));
      }
    }
  }
}

/** The serving side: requests in progress, each given a heartbeat by `beat` every `HEARTBEAT_MS`. */
export class Heartbeats<T> {
  private readonly working = new Map<T, number>();
  // A handler that never settles must not hold its process open by its heartbeats.
  private readonly sweeper = new Sweeper(
    () => this.working.size > 0,
    (now) => this.sweep(now),
    false,
  );

  constructor(private readonly beat: (request: T) => void) {}

  start(request: T): void {
    this.working.set(request, performance.now());
    this.sweeper.wake();
  }

  done(request: T): void {
    this.working.delete(request);
  }

  /** No more heartbeats for anything in progress (the copy is going away as if it crashed). */
  clear(): void {
    this.working.clear();
    this.sweeper.stop();
  }

  private sweep(now: number): void {
    for (const [request, since] of this.working) {
      if (now - since < HEARTBEAT_MS) continue;
      this.working.set(request, now);
      try {
        this.beat(request);
      } catch {
        // The connection is closing: the requester notices the silence, or the close fails it.
      }
    }
  }
}
