import type { Db } from './service.js';

/**
 * A query built once per database handle and reused. Drizzle rebuilds the SQL of a query on every
 * call (a third of a service's CPU on a primary-key read, measured with `pnpm bench`); hot reads
 * prepare it once with `sql.placeholder()` and execute it with values. A transaction handle gets its
 * own copy, built on first use.
 */
export function preparedQuery<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const cache = new WeakMap<Db, Q>();
  return (db) => {
    let query = cache.get(db);
    if (!query) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
}
