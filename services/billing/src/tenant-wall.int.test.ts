import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tablesMissingTenantWall } from '@mso/db';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { KIT_TABLES_OUTSIDE_WALL, kitMigrations } from '@mso/kit';
import { payers } from './db/schema.js';
import { billing } from './service.js';

const practiceA = '00000000-0000-4000-8000-0000000000a1';
const practiceB = '00000000-0000-4000-8000-0000000000b2';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase({ migrations: [kitMigrations('billing'), { schema: 'billing', migrationsFolder: billing.db!.migrationsFolder }] });
});
afterAll(async () => {
  await test?.drop();
});

describe('tenant wall on billing', () => {
  it('has the policy on every billing table with a practice_id', async () => {
    expect(await tablesMissingTenantWall(test.database.db, ['billing'], KIT_TABLES_OUTSIDE_WALL)).toEqual([]);
  });

  it("answers a query without a practice filter with the scope's practice only", async () => {
    const now = new Date();
    const row = (practiceId: string, id: string) => ({ id, practiceId, name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI', erasByTraceNumber: false, active: true, createdAt: now, updatedAt: now });
    await test.database.db.insert(payers).values([row(practiceA, '00000000-0000-4000-8000-00000000000a'), row(practiceB, '00000000-0000-4000-8000-00000000000b')]);
    const seen = await test.database.tenantDb(practiceA).select().from(payers);
    expect(seen.map((p) => p.practiceId)).toEqual([practiceA]);
  });
});
