import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, type TestPlatform } from '@mso/testing';
import { tenancy } from './service.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: [tenancy] });
});
afterAll(async () => {
  await p?.close();
});

const rows = async <T>(query: ReturnType<typeof sql>) => (await p.runtime.database!.db.execute(query)) as unknown as T[];
const clinic = { name: 'Lakeside North', line1: '120 Harbor Rd', city: 'Columbus', state: 'OH', postalCode: '43215' };

describe('adding a location', () => {
  it('answers 201 with the location and publishes tenancy.location.added through the outbox', async () => {
    const a = await p.createPractice();
    const res = await p.request({ method: 'POST', url: `/v1/tenancy/practices/${a.id}/locations`, key: a.key, body: clinic });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ ...clinic, practiceId: a.id, createdAt: p.clock.now().toISOString() });
    const [published] = await eventually(
      () => rows<{ envelope: Record<string, unknown>; published_at: Date | null }>(sql`select envelope, published_at from tenancy.mso_outbox where envelope->>'subject' = ${res.json.id}`),
      ([row]) => row?.published_at != null,
      { what: 'the location event published by the relay' },
    );
    expect(published!.envelope).toMatchObject({ type: 'tenancy.location.added', subject: res.json.id, tenantid: a.id, data: { location: res.json } });
  });

  it('answers a practice key naming another practice 404, exactly as a missing practice, and adds nothing', async () => {
    const a = await p.createPractice();
    const b = await p.createPractice();
    const other = await p.request({ method: 'POST', url: `/v1/tenancy/practices/${b.id}/locations`, key: a.key, body: clinic });
    const missing = await p.request({ method: 'POST', url: '/v1/tenancy/practices/00000000-0000-4000-8000-000000000000/locations', body: clinic });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.json.detail).toBe(missing.json.detail);
    const events = await rows<{ n: number }>(sql`select count(*)::int as n from tenancy.mso_outbox where envelope->>'tenantid' = ${b.id} and envelope->>'type' = 'tenancy.location.added'`);
    expect(events[0]!.n).toBe(0);
    // The missing practice is found missing by the insert's foreign key, after its event was already
    // on its way to the outbox with the COMMIT: the transaction kept neither.
    const orphans = await rows<{ n: number }>(sql`select count(*)::int as n from tenancy.mso_outbox where envelope->>'tenantid' = '00000000-0000-4000-8000-000000000000'`);
    expect(orphans[0]!.n).toBe(0);
  });

  it('lets the MSO admin add a location for any practice', async () => {
    const a = await p.createPractice();
    const res = await p.request({ method: 'POST', url: `/v1/tenancy/practices/${a.id}/locations`, body: { ...clinic, postalCode: '43215-1234' } });
    expect(res.status).toBe(201);
    expect(res.json.practiceId).toBe(a.id);
  });

  it('refuses a malformed postal code with 400 naming the field', async () => {
    const a = await p.createPractice();
    const res = await p.request({ method: 'POST', url: `/v1/tenancy/practices/${a.id}/locations`, key: a.key, body: { ...clinic, postalCode: '4321' } });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toContain('/postalCode');
  });
});
