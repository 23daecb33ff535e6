import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { tenantWallCases } from '../test/tenant-wall-cases.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('../test/fixtures/migrations', import.meta.url));

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase({ migrations: [{ schema: 'dbfixture', migrationsFolder }] });
});
afterAll(async () => {
  await test?.drop();
});

describe('tenant wall (PostgreSQL)', () => {
  tenantWallCases(() => test.database);
});
