import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '@mso/contracts';
import { addLocation, createPractice, locationAdded } from '@mso/contracts/tenancy';
import { testService, type TestService } from '@mso/testing';
import { tenancy } from './service.js';

// Embedded mode (PGlite, in-memory bus): a location's write batch runs as a kit transaction there,
// with the same outcome as the pipelined one on PostgreSQL (locations.int.test.ts).

let t: TestService;
let practiceId: string;
const clinic = { name: 'Harbor East', line1: '5 Pier St', city: 'Baltimore', state: 'MD', postalCode: '21202' };
const mso = { role: 'mso-admin' as const };

beforeAll(async () => {
  t = await testService(tenancy);
  const practice = await t.call(
    createPractice,
    { name: 'Harbor Family Practice', npi: '1234567893', taxId: '12-3456789', state: 'MD', agreement: { model: 'third-party', services: ['helpdesk'] } },
    mso,
  );
  practiceId = practice.id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('adding a location, embedded', () => {
  it('stores the location and announces it', async () => {
    const location = await t.call(addLocation, { practiceId, ...clinic }, { practiceId, role: 'practice-admin' });
    expect(location).toMatchObject({ ...clinic, practiceId, createdAt: t.clock.now().toISOString() });
    const events = await t.events(locationAdded);
    expect(events.map((e) => e.data.location)).toEqual([location]);
  });

  it('answers a missing practice 404 and announces nothing', async () => {
    const before = (await t.events(locationAdded)).length;
    const missing = t.call(addLocation, { practiceId: '00000000-0000-4000-8000-000000000000', ...clinic }, mso);
    await expect(missing).rejects.toBeInstanceOf(ProblemError);
    await expect(missing).rejects.toMatchObject({ status: 404 });
    expect(await t.events(locationAdded)).toHaveLength(before);
  });
});
