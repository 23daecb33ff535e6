import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tablesMissingTenantWall } from '@mso/db';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { KIT_TABLES_OUTSIDE_WALL, kitMigrations } from '@mso/kit';
import { tenancy } from './service.js';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase({ migrations: [kitMigrations('tenancy'), { schema: 'tenancy', migrationsFolder: tenancy.db!.migrationsFolder }] });
});
afterAll(async () => {
  await test?.drop();
});

describe('tenant wall on tenancy', () => {
  // Agreements, API keys and audit events belong to a practice; tenancy's MSO-wide handlers take the
  // kit's recorded path past the wall (handlers/registry.ts).
  it('has the policy on every tenancy table with a practice_id', async () => {
    expect(await tablesMissingTenantWall(test.database.db, ['tenancy'], KIT_TABLES_OUTSIDE_WALL)).toEqual([]);
  });
});
