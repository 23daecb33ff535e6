import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { startHost, type Host } from './host.js';
import { tenantWallServiceCases, wallLogger, wallService } from '../test/tenant-wall-service.js';

// The tenant wall on PostgreSQL and NATS (the same cases run embedded in tenant-wall.test.ts).
let db: TestDatabase;
let bus: Bus;
let host: Host;
const namespace = `w${randomUUID().slice(0, 8)}`;
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  host = await startHost({ services: [wallService], bus, database: db.database, logger: wallLogger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
});
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

describe('tenant wall (PostgreSQL)', () => {
  tenantWallServiceCases(() => ({ bus, database: db.database, host }));
});
