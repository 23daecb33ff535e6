import { eq, sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing.js';

// patches/drizzle-orm@0.45.4.patch works out how each selected field maps (its decoder, path and
// table) once per field list instead of once per row. Rows must come out as before: nested objects
// for joins, the side of a left join that found nothing as null, custom decoders, dates as dates,
// for prepared queries run again and again and for queries built each time.

const owners = pgTable('mapping_owners', { id: integer('id').primaryKey(), name: text('name').notNull(), since: timestamp('since', { withTimezone: true }).notNull() });
const pets = pgTable('mapping_pets', { id: integer('id').primaryKey(), ownerId: integer('owner_id').notNull(), name: text('name').notNull() });

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
  const { db } = test.database;
  await db.execute(sql`create table mapping_owners (id int primary key, name text not null, since timestamptz not null)`);
  await db.execute(sql`create table mapping_pets (id int primary key, owner_id int not null, name text not null)`);
  await db.insert(owners).values([
    { id: 1, name: 'Ana', since: new Date('2026-01-02T03:04:05.678Z') },
    { id: 2, name: 'Ben', since: new Date('2026-05-06T07:08:09.000Z') },
  ]);
  await db.insert(pets).values([{ id: 10, ownerId: 1, name: 'Rex' }]);
});
afterAll(async () => {
  await test?.drop();
});

const joined = () =>
  test.database.db
    .select({ owner: owners, pet: pets, petCount: sql`(select count(*) from mapping_pets p where p.owner_id = ${owners.id})`.mapWith(Number) })
    .from(owners)
    .leftJoin(pets, eq(pets.ownerId, owners.id))
    .orderBy(owners.id);

const expected = [
  { owner: { id: 1, name: 'Ana', since: new Date('2026-01-02T03:04:05.678Z') }, pet: { id: 10, ownerId: 1, name: 'Rex' }, petCount: 1 },
  { owner: { id: 2, name: 'Ben', since: new Date('2026-05-06T07:08:09.000Z') }, pet: null, petCount: 0 },
];

describe('rows of a drizzle select', () => {
  it('map joins, an empty left-join side, custom decoders and dates, for a query built each time', async () => {
    expect(await joined()).toEqual(expected);
    expect(await joined()).toEqual(expected);
  });

  it('map the same from a prepared query run again, its placeholder changing what the join finds', async () => {
    const prepared = joined().where(eq(owners.id, sql.placeholder('id'))).prepare('mapping_by_owner');
    for (let run = 0; run < 3; run++) {
      expect(await prepared.execute({ id: 2 })).toEqual([expected[1]]);
      expect(await prepared.execute({ id: 1 })).toEqual([expected[0]]);
    }
    const [first] = await prepared.execute({ id: 1 });
    expect(first!.owner.since).toBeInstanceOf(Date);
  });
});
