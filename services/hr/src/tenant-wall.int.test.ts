import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tablesMissingTenantWall } from '@mso/db';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { KIT_TABLES_OUTSIDE_WALL, kitMigrations } from '@mso/kit';
import { tasks } from './db/schema.js';
import { hr } from './service.js';

const practiceA = '00000000-0000-4000-8000-0000000000a1';
const practiceB = '00000000-0000-4000-8000-0000000000b2';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase({ migrations: [kitMigrations('hr'), { schema: 'hr', migrationsFolder: hr.db!.migrationsFolder }] });
});
afterAll(async () => {
  await test?.drop();
});

describe('tenant wall on hr', () => {
  it('has the policy on every hr table with a practice_id', async () => {
    expect(await tablesMissingTenantWall(test.database.db, ['hr'], KIT_TABLES_OUTSIDE_WALL)).toEqual([]);
  });

  it("answers a query without a practice filter with the scope's practice only", async () => {
    const row = (practiceId: string, id: string) => ({ id, practiceId, kind: 'credential-expiring', team: 'credentialing', title: 'Renew', dueOn: '2026-12-31', status: 'open', createdAt: new Date() });
    await test.database.db.insert(tasks).values([row(practiceA, '00000000-0000-4000-8000-00000000000a'), row(practiceB, '00000000-0000-4000-8000-00000000000b')]);
    const seen = await test.database.tenantDb(practiceA).select().from(tasks);
    expect(seen.map((t) => t.practiceId)).toEqual([practiceA]);
  });
});
