import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing.js';

// patches/postgres@3.4.9.patch keeps a result's count, command, columns, state and statement in
// private fields behind accessors (defining them on every result cost more than the rest of a
// primary-key read's decoding). What callers see must stay as it was: the metadata readable and
// settable, and the result comparing, listing and serialising as its rows only.

let test: TestDatabase;
let sql: postgres.Sql;
beforeAll(async () => {
  test = await createTestDatabase();
  sql = postgres(test.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await test?.drop();
});

describe('a query result', () => {
  it('carries its metadata beside rows that compare, list and serialise as plain rows', async () => {
    const result = await sql`select n, 'row ' || n as label from generate_series(1, 3) n`;
    expect(result.count).toBe(3);
    expect(result.command).toBe('SELECT');
    expect(result.columns.map((c) => c.name)).toEqual(['n', 'label']);
    expect(result.statement.string).toContain('generate_series');
    expect(result).toEqual([
      { n: 1, label: 'row 1' },
      { n: 2, label: 'row 2' },
      { n: 3, label: 'row 3' },
    ]);
    expect(Object.keys(result)).toEqual(['0', '1', '2']);
    expect(JSON.stringify(result)).toBe('[{"n":1,"label":"row 1"},{"n":2,"label":"row 2"},{"n":3,"label":"row 3"}]');
    // Array methods give plain arrays, as before (Symbol.species).
    expect(result.map((r) => r.n)).toStrictEqual([1, 2, 3]);
  });

  it('counts the rows a write touched, and each statement of a transaction has its own', async () => {
    await sql`create table counted (id int primary key)`;
    const [inserted, updated] = await sql.begin((tx) => [
      tx`insert into counted select generate_series(1, 4)`,
      tx`update counted set id = id + 10 where id > 2`,
    ]);
    expect(inserted!.count).toBe(4);
    expect(inserted!.command).toBe('INSERT');
    expect(updated!.count).toBe(2);
    expect(updated!.command).toBe('UPDATE');
  });
});
