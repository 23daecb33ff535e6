import { describe, expect, it } from 'vitest';
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { PgDialect } from 'drizzle-orm/pg-core';
import { encodeCursor } from './pagination.js';
import { eqIfSet, keysetPage, tenantWhere } from './query.js';

const things = pgTable('things', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id').notNull(),
  status: text('status').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
const dialect = new PgDialect();
const render = (q: Parameters<PgDialect['sqlToQuery']>[0]) => dialect.sqlToQuery(q);

describe('query helpers', () => {
  it('always filters by practice and skips filters that were not given', () => {
    const q = render(tenantWhere(things.practiceId, 'p1', eqIfSet(things.status, undefined), eqIfSet(things.status, 'open')));
    expect(q.sql).toBe('("things"."practice_id" = $1 and "things"."status" = $2)');
    expect(q.params).toEqual(['p1', 'open']);
  });

  it('pages newest first after a cursor', () => {
    const cursor = encodeCursor({ createdAt: '2026-03-02T14:00:00.000Z', id: 'b' });
    const page = keysetPage(things, { limit: 10, cursor }, 'desc');
    expect(page.fetch).toBe(11);
    expect(page.limit).toBe(10);
    const q = render(page.where!);
    expect(q.sql).toBe('("things"."created_at" < $1 or ("things"."created_at" = $2 and "things"."id" < $3))');
    expect(page.orderBy.map((o) => render(o).sql)).toEqual(['"things"."created_at" desc', '"things"."id" desc']);
  });

  it('starts at the beginning without a cursor and refuses a forged one', () => {
    expect(keysetPage(things, {}).where).toBeUndefined();
    expect(keysetPage(things, {}).limit).toBe(50);
    expect(() => keysetPage(things, { cursor: 'not-a-cursor' })).toThrow(/cursor/);
  });
});
