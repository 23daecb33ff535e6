import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tablesMissingTenantWall } from '@mso/db';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { KIT_TABLES_OUTSIDE_WALL, kitMigrations, staffDirectoryTable } from '@mso/kit';
import { practices } from './db/schema.js';
import { helpdesk } from './service.js';

const practiceA = '00000000-0000-4000-8000-0000000000a1';
const practiceB = '00000000-0000-4000-8000-0000000000b2';
/** The kit's staff directory in helpdesk's schema (`staffDirectory: true`). */
const staffMembers = staffDirectoryTable('helpdesk');

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase({ migrations: [kitMigrations('helpdesk'), { schema: 'helpdesk', migrationsFolder: helpdesk.db!.migrationsFolder }] });
});
afterAll(async () => {
  await test?.drop();
});

describe('tenant wall on helpdesk', () => {
  it('has the policy on every helpdesk table with a practice_id', async () => {
    expect(await tablesMissingTenantWall(test.database.db, ['helpdesk'], KIT_TABLES_OUTSIDE_WALL)).toEqual([]);
  });

  it("answers a query without a practice filter with the scope's practice only", async () => {
    await test.database.db.insert(practices).values([{ practiceId: practiceA }, { practiceId: practiceB }]);
    const seen = await test.database.tenantDb(practiceA).select().from(practices);
    expect(seen.map((p) => p.practiceId)).toEqual([practiceA]);
  });

  it('keeps the staff directory platform-wide: written without a practice, read from any practice', async () => {
    const personId = '00000000-0000-4000-8000-0000000000c3';
    const at = new Date('2026-07-01T15:00:00Z');
    const employments = [{ employmentId: personId, employer: 'mso', title: 'IT technician', department: 'IT', startDate: '2025-01-06', endDate: null }];
    await test.database.tenantDb(null).insert(staffMembers).values({ personId, displayName: 'Pat Morgan', employments, changedAt: at, updatedAt: at });
    for (const scope of [practiceA, practiceB]) {
      expect((await test.database.tenantDb(scope).select().from(staffMembers)).map((m) => m.personId)).toEqual([personId]);
    }
  });
});
