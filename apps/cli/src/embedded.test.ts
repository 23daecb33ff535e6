import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '@mso/gateway';
import { createLogger } from '@mso/telemetry';
import { allServices } from './services.js';

// Embedded mode is a product feature (`pnpm start` with no NATS_URL/DATABASE_URL): the in-memory bus
// and PGlite in a data folder. These tests run it as users do, and check their data survives a restart.
const dataDir = mkdtempSync(join(tmpdir(), 'mso-embedded-'));
const env = { MSO_DATA_DIR: join(dataDir, 'data') };
const adminKey = 'mso_admin_embedded_test';
const logger = createLogger({ name: 'embedded-test', level: 'warn' });
let platform: Platform | undefined;

afterAll(async () => {
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: string, url: string, key = adminKey, body?: unknown) =>
  platform!.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });

describe('embedded mode', () => {
  it('runs every service and the gateway in one process and keeps data across a restart', async () => {
    platform = await startPlatform({ services: allServices, env, adminKey, logger });
    expect(platform.runtime.bus.kind).toBe('memory');
    expect(platform.runtime.database?.kind).toBe('pglite');

    const created = await call('POST', '/v1/tenancy/practices', adminKey, {
      name: 'Harbor Dermatology',
      npi: '1245319599',
      taxId: '98-7654321',
      state: 'WA',
      agreement: { model: 'third-party', services: ['helpdesk'] },
    });
    expect(created.statusCode).toBe(201);
    const practiceId = created.json().id as string;
    const key = (await call('POST', `/v1/tenancy/practices/${practiceId}/api-keys`, adminKey, { role: 'practice-admin', label: 'office' })).json().key as string;
    expect((await call('GET', '/v1/helpdesk/info', key)).statusCode).toBe(200);
    expect((await call('GET', '/v1/billing/info', key)).json().code).toBe('service-not-in-agreement');
    const ready = await call('GET', '/readyz');
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { bus: 'ok', database: 'ok' } });

    await platform.close();
    platform = await startPlatform({ services: allServices, env, adminKey, logger });

    const again = await call('GET', `/v1/tenancy/practices/${practiceId}`);
    expect(again.statusCode).toBe(200);
    expect(again.json().name).toBe('Harbor Dermatology');
    // The practice's key and entitlement came back from disk too.
    expect((await call('GET', '/v1/helpdesk/info', key)).statusCode).toBe(200);
  }, 120_000);
});
