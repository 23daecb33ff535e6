// How a careful client writes through faults: one Idempotency-Key per intended effect, the request
// sent again with that key after a timeout, a connection error, a 5xx or a 409 `idempotency-key-in-use`,
// until the platform gives an answer that settles it.
import { randomUUID } from 'node:crypto';
import { ApiError, type Api, type Json } from '../demo/client.js';

/** What the run counts as it goes. */
export interface ClientCounts {
  /** HTTP requests sent (every attempt, reads included). */
  requests: number;
  /** Writes intended (each one effect, with its own key). */
  writes: number;
  /** Attempts after the first of a write. */
  retries: number;
  /** Attempts that timed out or lost the connection. */
  timeouts: number;
  /** 5xx and 429 answers. */
  unavailable: number;
  /** Repeats the platform recognised and did not apply again: `idempotent-replayed` answers. */
  replayed: number;
  /** 409 answers saying the first request took effect but its reply was not kept. */
  tookEffectUnreplied: number;
}

export const newCounts = (): ClientCounts => ({ requests: 0, writes: 0, retries: 0, timeouts: 0, unavailable: 0, replayed: 0, tookEffectUnreplied: 0 });

export type WriteOutcome =
  | { kind: 'ok'; status: number; body: Json; replayed: boolean; attempts: number }
  /** The key's first request took effect; its reply is gone (read the resource). */
  | { kind: 'took-effect'; attempts: number }
  /** A 4xx the handler answered: no effect, and a retry with the key would answer the same. */
  | { kind: 'refused'; status: number; body: Json; attempts: number }
  | { kind: 'gave-up'; error: string; attempts: number };

export interface WriteOptions {
  contentType?: string;
  /** Per attempt. */
  timeoutMs: number;
  /** For all attempts; past the kit's 60 s claim lease, a retry takes over a dead copy's key. */
  budgetMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FaultClient {
  readonly counts = newCounts();
  constructor(private readonly options: { timeoutMs: number; budgetMs: number }) {}

  /** A read, retried on faults (reads have no effect): its body, or throws after the budget. */
  async read(api: Api, path: string, budgetMs = this.options.budgetMs): Promise<Json> {
    const end = Date.now() + budgetMs;
    for (let attempt = 0; ; attempt++) {
      this.counts.requests++;
      try {
        return (await api.request('GET', path, undefined, { timeoutMs: this.options.timeoutMs })).body;
      } catch (error) {
        const retryable = !(error instanceof ApiError) || error.status >= 500 || error.status === 429;
        if (!retryable || Date.now() > end) throw error;
        await sleep(Math.min(2_000, 200 * 1.5 ** attempt));
      }
    }
  }

  /** One intended effect: sent with one key until an answer settles it. */
  async write(api: Api, method: string, path: string, body: unknown, o: Partial<WriteOptions> = {}): Promise<WriteOutcome> {
    const key = randomUUID();
    const timeoutMs = o.timeoutMs ?? this.options.timeoutMs;
    const end = Date.now() + (o.budgetMs ?? this.options.budgetMs);
    this.counts.writes++;
    let last: string;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) this.counts.retries++;
      this.counts.requests++;
      try {
        const reply = await api.request(method, path, body, { idempotencyKey: key, timeoutMs, ...(o.contentType ? { contentType: o.contentType } : {}) });
        const replayed = reply.headers.get('idempotent-replayed') === 'true';
        if (replayed) this.counts.replayed++;
        return { kind: 'ok', status: reply.status, body: reply.body, replayed, attempts: attempt };
      } catch (error) {
        if (error instanceof ApiError) {
          const problem = error.body as { code?: string; detail?: string } | undefined;
          last = `${error.status} ${problem?.code ?? ''} ${problem?.detail ?? ''}`.trim();
          if (error.status === 409 && problem?.code === 'idempotency-key-in-use') {
            if (/took effect/.test(problem.detail ?? '')) {
              this.counts.tookEffectUnreplied++;
              return { kind: 'took-effect', attempts: attempt };
            }
            // Still running, or a dead copy's claim not yet past its lease: ask again.
          } else if (error.status >= 500 || error.status === 429) {
            this.counts.unavailable++;
          } else {
            return { kind: 'refused', status: error.status, body: error.body, attempts: attempt };
          }
        } else {
          this.counts.timeouts++;
          last = (error as Error).message;
        }
      }
      if (Date.now() > end) return { kind: 'gave-up', error: last, attempts: attempt };
      await sleep(Math.min(3_000, 250 * 1.5 ** attempt));
    }
  }
}
