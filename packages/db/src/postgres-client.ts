import type { Sql, TransactionSql } from 'postgres';
import { endQuerySpan, startQuerySpan, type SpanTarget } from './tracing.js';

type Callback = (sql: TransactionSql) => unknown;

/**
 * Ends a span when a postgres.js query settles. postgres.js queries are lazy promises that start
 * executing on the first `then`, so the span starts there too and measures the real round trip.
 */
function instrumentQuery(query: PromiseLike<unknown>, text: string, target: SpanTarget): void {
  const originalThen = query.then;
  let settled: Promise<unknown> | undefined;
  Object.defineProperty(query, 'then', {
    configurable: true,
    writable: true,
    value(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
      if (settled === undefined) {
        const span = startQuerySpan(text, target);
        settled = Promise.resolve(
          originalThen.call(
            query,
            (value) => {
              endQuerySpan(span);
              return value;
            },
            (error: unknown) => {
              endQuerySpan(span, error);
              throw error;
            },
          ),
        );
      }
      return settled.then(onFulfilled, onRejected);
    },
  });
}

function wrapCallback(args: unknown[], target: SpanTarget): unknown[] {
  const last = args.length - 1;
  const fn = args[last];
  if (typeof fn !== 'function') return args;
  const copy = [...args];
  copy[last] = (scoped: TransactionSql) => (fn as Callback)(traceSqlClient(scoped, target));
  return copy;
}

/**
 * Returns a view of a postgres.js client whose `unsafe` queries (the only entry point drizzle uses)
 * produce query spans, including on the scoped clients of `begin` and `savepoint`. Everything else is
 * passed through untouched (tagged-template queries on `$client` are not traced).
 */
export function traceSqlClient<T extends Sql | TransactionSql>(sql: T, target: SpanTarget): T {
  const unsafe = (text: string, params?: unknown[], options?: object) => {
    const query = (sql.unsafe as (t: string, p?: unknown[], o?: object) => PromiseLike<unknown>)(text, params, options);
    instrumentQuery(query, text, target);
    return query;
  };
  const begin = (...args: unknown[]) =>
    (sql as unknown as { begin: (...a: unknown[]) => unknown }).begin(...wrapCallback(args, target));
  const savepoint = (...args: unknown[]) =>
    (sql as unknown as { savepoint: (...a: unknown[]) => unknown }).savepoint(...wrapCallback(args, target));
  return new Proxy(sql, {
    get(client, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin' && 'begin' in client) return begin;
      if (property === 'savepoint' && 'savepoint' in client) return savepoint;
      return Reflect.get(client, property, receiver) as unknown;
    },
  });
}
