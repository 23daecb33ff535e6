import { afterAll, beforeAll, describe } from 'vitest';
import { createMemoryBus, type Bus } from '@mso/bus';
import { createPgliteTestDatabase, type PgliteTestDatabase } from '@mso/db/testing';
import { startHost, type Host } from './host.js';
import { tenantWallServiceCases, wallLogger, wallService } from '../test/tenant-wall-service.js';

// The tenant wall in embedded mode: PGlite runs the same policies, as the same non-owner role.
let db: PgliteTestDatabase;
let bus: Bus;
let host: Host;

beforeAll(async () => {
  db = await createPgliteTestDatabase();
  bus = createMemoryBus();
  host = await startHost({ services: [wallService], bus, database: db.database, logger: wallLogger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await db?.drop();
});

describe('tenant wall (PGlite, embedded mode)', () => {
  tenantWallServiceCases(() => ({ bus, database: db.database, host }));
});
