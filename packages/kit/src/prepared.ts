import { SQL, type Query } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
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

/**
 * A statement whose SQL text the caller built (and may keep), with its parameters, for `db.execute`:
 * drizzle takes it as any `sql` template but does not walk the template's chunks to build the text
 * again (that walk and its `is()` checks were a tenth of tenancy's CPU on the write of `pnpm bench`
 * (f)). For hot writes whose shape `.prepare()` cannot hold, such as an insert of a varying number of
 * rows. Parameters are `$1`, `$2`, … in the text, in the order of `params`.
 */
export class PrebuiltSql extends SQL {
  constructor(
    readonly text: string,
    readonly values: readonly unknown[],
  ) {
    super([]);
  }

  override toQuery(): Query {
    return { sql: this.text, params: [...this.values] };
  }
}

/** `"schema"."table"` of a drizzle table, quoted for a prebuilt statement's text. */
export function qualifiedName(table: PgTable): string {
  const { schema, name } = getTableConfig(table);
  const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
  return schema ? `${quote(schema)}.${quote(name)}` : quote(name);
}
