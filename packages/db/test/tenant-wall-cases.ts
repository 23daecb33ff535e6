import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { Database } from '../src/database.js';
import { ALL_PRACTICES, SERVICE_ROLE, applyTenant, tablesMissingTenantWall, tenantWallSql } from '../src/tenant-wall.js';
import { notes } from './fixtures/schema.js';

const practiceA = '00000000-0000-4000-8000-00000000000a';
const practiceB = '00000000-0000-4000-8000-00000000000b';

async function rowsOf<Row>(result: unknown): Promise<Row[]> {
  const awaited = await result;
  return (Array.isArray(awaited) ? awaited : (awaited as { rows: Row[] }).rows) as Row[];
}

/**
 * The tenant wall's cases, run on PostgreSQL (tenant-wall.int.test.ts) and on PGlite
 * (tenant-wall.test.ts) against the fixture schema, migrated. `database()` is the migrated database.
 */
export function tenantWallCases(database: () => Database): void {
  it('lists the tenant table without the wall, then none once its migration statements ran', async () => {
    const { db } = database();
    expect(await tablesMissingTenantWall(db, ['dbfixture'])).toEqual(['dbfixture.notes']);
    for (const statement of tenantWallSql('"dbfixture"."notes"')) await db.execute(sql.raw(statement));
    expect(await tablesMissingTenantWall(db, ['dbfixture'])).toEqual([]);
    await db.insert(notes).values([
      { practiceId: practiceA, body: 'a1' },
      { practiceId: practiceA, body: 'a2' },
      { practiceId: practiceB, body: 'b1' },
    ]);
  });

  it('runs service statements as a role that cannot bypass row-level security', async () => {
    const [role] = await rowsOf<{ rolsuper: boolean; rolbypassrls: boolean }>(
      database().db.execute(sql`select rolsuper, rolbypassrls from pg_roles where rolname = ${SERVICE_ROLE}`),
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const [who] = await rowsOf<{ name: string }>(database().tenantDb(practiceA).execute(sql`select current_user as name`));
    expect(who!.name).toBe(SERVICE_ROLE);
  });

  it("a query that forgets its practice filter still returns only the current practice's rows", async () => {
    const rows = await database().tenantDb(practiceA).select({ body: notes.body }).from(notes).orderBy(notes.body);
    expect(rows.map((r) => r.body)).toEqual(['a1', 'a2']);
    const inTransaction = await database().transaction(async (tx) => {
      await applyTenant(tx, practiceB);
      return tx.select({ body: notes.body }).from(notes);
    });
    expect(inTransaction.map((r) => r.body)).toEqual(['b1']);
  });

  it("refuses to write a row for another practice, and does not touch another practice's rows", async () => {
    const walled = database().tenantDb(practiceA);
    await expect(walled.insert(notes).values({ practiceId: practiceB, body: 'planted' })).rejects.toThrow();
    const changed = await walled.update(notes).set({ status: 'closed' }).where(eq(notes.body, 'b1')).returning();
    expect(changed).toEqual([]);
    await expect(walled.update(notes).set({ practiceId: practiceB }).where(eq(notes.body, 'a1'))).rejects.toThrow();
    const owner = await database().db.select({ body: notes.body, status: notes.status, practiceId: notes.practiceId }).from(notes).orderBy(notes.body);
    expect(owner).toEqual([
      { body: 'a1', status: 'open', practiceId: practiceA },
      { body: 'a2', status: 'open', practiceId: practiceA },
      { body: 'b1', status: 'open', practiceId: practiceB },
    ]);
  });

  it('keeps concurrent statements of different practices apart, among plain statements and transactions', async () => {
    const db = database();
    const reads = Array.from({ length: 120 }, async (_, i) => {
      const practice = i % 2 === 0 ? practiceA : practiceB;
      if (i % 5 === 0) await db.db.select().from(notes); // an unscoped statement on the same connections
      const rows =
        i % 7 === 0
          ? await db.transaction(async (tx) => {
              await applyTenant(tx, practice);
              return tx.select({ practiceId: notes.practiceId }).from(notes);
            })
          : await db.tenantDb(practice).select({ practiceId: notes.practiceId }).from(notes);
      return rows.every((r) => r.practiceId === practice) && rows.length === (practice === practiceA ? 2 : 1);
    });
    expect(new Set(await Promise.all(reads))).toEqual(new Set([true]));
  });

  it('platform scope sees no practice rows; the MSO-wide scope sees every practice', async () => {
    expect(await database().tenantDb(null).select().from(notes)).toEqual([]);
    const all = await database().tenantDb(ALL_PRACTICES).select({ practiceId: notes.practiceId }).from(notes);
    expect(new Set(all.map((r) => r.practiceId))).toEqual(new Set([practiceA, practiceB]));
  });

  it('the scope ends with its transaction, also a refused one: every connection is the owner again afterwards', async () => {
    const walled = database().tenantDb(practiceA);
    await Promise.all([
      walled.select().from(notes),
      database().transaction(async (tx) => applyTenant(tx, practiceA)),
      ...Array.from({ length: 4 }, () => walled.insert(notes).values({ practiceId: practiceB, body: 'refused' }).catch(() => undefined)),
    ]);
    const sessions = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const [who] = await rowsOf<{ name: string; practice: string | null }>(
          database().db.execute(sql`select current_user as name, nullif(current_setting('mso.practice_id', true), '') as practice`),
        );
        return who;
      }),
    );
    expect(new Set(sessions.map((s) => JSON.stringify(s)))).toEqual(new Set([JSON.stringify({ name: 'postgres', practice: null })]));
  });
}
