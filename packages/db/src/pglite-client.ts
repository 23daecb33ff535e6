import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import { traced, type SpanTarget } from './tracing.js';

type Queryable = Pick<PGliteInterface, 'query' | 'exec'> & Partial<Pick<PGliteInterface, 'transaction'>>;

/**
 * Returns a view of a PGlite instance (or of one of its transactions) whose `query`/`exec` calls, the
 * entry points drizzle uses, produce query spans; the transaction callback receives a wrapped
 * transaction so statements inside transactions are traced as well. Other members pass through, bound
 * to the real instance (PGlite uses private fields).
 */
export function tracePgliteClient<T extends Queryable>(client: T, target: SpanTarget, turns?: PgliteTurns): T {
  // `turns` is given for the instance only: a transaction's statements run in the transaction's turn.
  const inTurn = turns ?? (<R>(call: () => Promise<R>) => call());
  const query: PGliteInterface['query'] = (text, params, options) =>
    inTurn(() => traced(text, target, () => client.query(text, params, options)));
  const exec: PGliteInterface['exec'] = (text, options) => inTurn(() => traced(text, target, () => client.exec(text, options)));
  const transaction = <R>(fn: (tx: Transaction) => Promise<R>) =>
    inTurn(() => client.transaction!((tx) => fn(tracePgliteClient(tx, target))));
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(real, property) {
      if (property === 'query') return query;
      if (property === 'exec') return exec;
      if (property === 'transaction' && typeof real.transaction === 'function') return transaction;
      const value = Reflect.get(real, property, real) as unknown;
      if (typeof value !== 'function') return value;
      let fn = bound.get(property);
      if (fn === undefined) {
        fn = (value as (...args: unknown[]) => unknown).bind(real);
        bound.set(property, fn);
      }
      return fn;
    },
  });
}

/** How long PGlite may run statements back to back before the event loop gets a turn. */
export const PGLITE_TURN_MS = 10;

/** Runs one top-level PGlite call (a statement, or a whole transaction) in its turn. */
export type PgliteTurns = <R>(call: () => Promise<R>) => Promise<R>;

/**
 * A first-come, first-served queue of top-level PGlite calls that lets the event loop run (one
 * `setImmediate`) before the next call once calls have run back to back for `budgetMs`.
 *
 * Why: PGlite executes every statement synchronously on the main thread, and its own mutex hands the
 * connection to the next waiter in a microtask. Under load the statements of every queued request
 * then run in a single microtask drain, so one event-loop iteration lasts as long as the whole queue
 * (about 200 ms at 100 concurrent requests), and Node accepts only one new connection per busy
 * iteration: when 100 connections opened at once (a client starting, reconnecting after a pause) the
 * last ones waited 5-20 s to be accepted while the first were served. Taking turns here keeps an
 * iteration near `budgetMs`. Only top-level calls queue: a transaction's statements never wait, since
 * waiting would hold the connection. A call made while a transaction runs waits for it, as it does
 * inside PGlite.
 */
export function pgliteTurns(budgetMs = PGLITE_TURN_MS, now: () => number = () => performance.now()): PgliteTurns {
  let tail: Promise<void> = Promise.resolve();
  let since = now();
  return async <R>(call: () => Promise<R>): Promise<R> => {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      if (now() - since >= budgetMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        since = now();
      }
      return await call();
    } finally {
      release();
    }
  };
}

/**
 * A view of a (traced) PGlite instance for the tenant wall: every transaction starts with `setup`, and
 * every statement outside a transaction runs in a transaction of its own that starts with it. PGlite is
 * one session shared by the whole process, so the scope must not outlive the statement.
 */
export function scopePgliteClient<T extends Queryable>(client: T, setup: { text: string; params: readonly unknown[] }): T {
  const begin = <R>(fn: (tx: Transaction) => Promise<R>) =>
    client.transaction!(async (tx) => {
      await tx.query(setup.text, [...setup.params]);
      return fn(tx);
    });
  const query: PGliteInterface['query'] = (text, params, options) => begin((tx) => tx.query(text, params, options));
  const exec: PGliteInterface['exec'] = (text, options) => begin((tx) => tx.exec(text, options));
  return new Proxy(client, {
    get(real, property, receiver) {
      if (property === 'query') return query;
      if (property === 'exec') return exec;
      if (property === 'transaction') return begin;
      return Reflect.get(real, property, receiver) as unknown;
    },
  });
}
