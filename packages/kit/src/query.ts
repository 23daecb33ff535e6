import { and, asc, desc, eq, gt, lt, or, type Column, type SQL } from 'drizzle-orm';
import { decodeCursor } from './pagination.js';

/**
 * Query building blocks every service's list and repository code needs: the tenant condition (every
 * query on a tenant-owned table filters by practice), optional equality filters, and keyset pages over
 * (created_at, id) that match the cursors of `paginate`.
 */

/** `practice_id = $practiceId AND ...conditions` (undefined conditions are skipped). */
export function tenantWhere(practiceColumn: Column, practiceId: string, ...conditions: (SQL | undefined)[]): SQL {
  return and(eq(practiceColumn, practiceId), ...conditions)!;
}

/** `column = value`, or no condition when the filter was not given. */
export function eqIfSet<T>(column: Column, value: T | undefined | null): SQL | undefined {
  return value === undefined || value === null ? undefined : eq(column, value);
}

export interface KeysetColumns {
  createdAt: Column;
  id: Column;
}

export interface KeysetPage {
  /** Rows after the cursor (undefined on the first page). */
  where: SQL | undefined;
  orderBy: SQL[];
  /** Fetch one row more than the page to know whether there is a next one. */
  fetch: number;
  /** Page size to hand to `paginate`. */
  limit: number;
}

/**
 * A keyset page: `direction` `desc` lists newest first. Use as
 * `select().where(tenantWhere(t.practiceId, id, page.where, ...)).orderBy(...page.orderBy).limit(page.fetch)`
 * and then `paginate(rows, page.limit, map)`.
 */
export function keysetPage(columns: KeysetColumns, input: { limit?: number | undefined; cursor?: string | undefined }, direction: 'asc' | 'desc' = 'asc'): KeysetPage {
  const limit = input.limit ?? 50;
  const after = decodeCursor(input.cursor);
  const beyond = direction === 'asc' ? gt : lt;
  const order = direction === 'asc' ? asc : desc;
  const where = after
    ? or(beyond(columns.createdAt, new Date(after.createdAt)), and(eq(columns.createdAt, new Date(after.createdAt)), beyond(columns.id, after.id)))
    : undefined;
  return { where, orderBy: [order(columns.createdAt), order(columns.id)], fetch: limit + 1, limit };
}
