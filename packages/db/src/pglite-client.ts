import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import { traced, type SpanTarget } from './tracing.js';

type Queryable = Pick<PGliteInterface, 'query' | 'exec'> & Partial<Pick<PGliteInterface, 'transaction'>>;

/**
 * Returns a view of a PGlite instance (or of one of its transactions) whose `query`/`exec` calls, the
 * entry points drizzle uses, produce query spans; the transaction callback receives a wrapped
 * transaction so statements inside transactions are traced as well. Other members pass through, bound
 * to the real instance (PGlite uses private fields).
 */
export function tracePgliteClient<T extends Queryable>(client: T, target: SpanTarget): T {
  const query: PGliteInterface['query'] = (text, params, options) =>
    traced(text, target, () => client.query(text, params, options));
  const exec: PGliteInterface['exec'] = (text, options) => traced(text, target, () => client.exec(text, options));
  const transaction = <R>(fn: (tx: Transaction) => Promise<R>) =>
    client.transaction!((tx) => fn(tracePgliteClient(tx, target)));
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
