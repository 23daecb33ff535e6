import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { tenantWallCases } from '../test/tenant-wall-cases.js';
import { createPgliteTestDatabase, type PgliteTestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('../test/fixtures/migrations', import.meta.url));

let test: PgliteTestDatabase;
beforeAll(async () => {
  test = await createPgliteTestDatabase({ migrations: [{ schema: 'dbfixture', migrationsFolder }] });
}, 60_000);
afterAll(async () => {
  await test?.drop();
});

describe('tenant wall (PGlite, embedded mode)', () => {
  tenantWallCases(() => test.database);
});
