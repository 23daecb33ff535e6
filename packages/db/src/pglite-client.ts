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
