import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { pgSchema, pgTable, text } from 'drizzle-orm/pg-core';
import { createPgliteTestDatabase, type PgliteTestDatabase } from '@mso/db/testing';
import { PrebuiltSql, qualifiedName } from './prepared.js';
import type { Db } from './service.js';

// Embedded mode (PGlite): a prebuilt statement runs through drizzle's `db.execute` like a `sql` template.
const odd = pgSchema('we"ird').table('no"tes', { body: text('body') });

let test: PgliteTestDatabase;
// PGlite's driver answers `execute` with `{ rows }` (postgres.js with the rows array itself).
const rows = async (statement: PrebuiltSql) => ((await db.execute(statement)) as unknown as { rows: unknown[] }).rows;
let db: Db;

beforeAll(async () => {
  test = await createPgliteTestDatabase();
  db = test.database.db as unknown as Db;
  await db.execute(sql.raw(`create schema "we""ird"`));
  await db.execute(sql.raw(`create table "we""ird"."no""tes" (body text)`));
}, 60_000);
afterAll(async () => {
  await test?.drop();
});

describe('PrebuiltSql', () => {
  it('runs its own text with its parameters, in order', async () => {
    expect(await rows(new PrebuiltSql('select $1::int - $2::int as difference, $3::text as label', [7, 2, 'seven']))).toEqual([{ difference: 5, label: 'seven' }]);
  });

  it('writes into a table named by qualifiedName, even with quotes in its names', async () => {
    expect(qualifiedName(odd)).toBe('"we""ird"."no""tes"');
    expect(qualifiedName(pgTable('plain', { id: text('id') }))).toBe('"plain"');
    await db.execute(new PrebuiltSql(`insert into ${qualifiedName(odd)} (body) values ($1), ($2)`, ['one', 'two']));
    expect(await db.select().from(odd).orderBy(odd.body)).toEqual([{ body: 'one' }, { body: 'two' }]);
  });

  it('keeps its parameters when the statement runs again', async () => {
    const statement = new PrebuiltSql('select $1::int as n', [1]);
    await db.execute(statement);
    expect(await rows(statement)).toEqual([{ n: 1 }]);
  });
});
