import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { addDays, startHost, type Host } from '@mso/kit';
import { startTestPlatform, validNpi, type TestPlatform } from '@mso/testing';
import { hr } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: one person employed by the MSO and by a
// practice, each employer's key seeing its own employment only; the expiry job with two copies of hr.

let p: TestPlatform;
let second: Host | undefined;
let a: { id: string; key: string };
let b: { id: string; key: string };

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', hr], transport: 'real' });
  p.clock.set('2026-10-01T18:00:00Z');
  a = await p.createPractice({ services: ['hr'] });
  b = await p.createPractice({ services: ['hr'] });
  second = await startHost({ services: [hr], bus: p.runtime.bus, database: p.runtime.database!, clock: p.clock });
});
afterAll(async () => {
  await second?.stop();
  await p?.close();
});

const employment = (employer: string, extra: object = {}) => ({ employer, title: 'Nurse', department: 'Clinic', fte: 0.6, pay: { basis: 'hourly', amountCents: 38_00 }, startDate: '2026-09-01', ...extra });
const person = (extra: object) => ({ firstName: 'Rosa', lastName: 'Alvarez', ssn: '135-79-2468', dateOfBirth: '1985-05-05', ...extra });

describe('hr through the gateway', () => {
  it('keeps one person with two employments, each employer seeing its own', async () => {
    const byMso = await p.request({ method: 'POST', url: '/v1/hr/people', body: person({ employment: employment('mso', { title: 'Float nurse', allocations: [{ practiceId: a.id, percent: 50 }, { practiceId: b.id, percent: 50 }] }) }) });
    expect(byMso.status).toBe(201);
    const byPractice = await p.request({ method: 'POST', url: '/v1/hr/people', key: a.key, body: person({ employment: employment(a.id) }) });
    expect(byPractice.status).toBe(200);
    expect(byPractice.json.id).toBe(byMso.json.id);
    const id = byMso.json.id as string;

    const seenByA = await p.request({ method: 'GET', url: `/v1/hr/people/${id}`, key: a.key });
    expect(seenByA.status).toBe(200);
    expect(seenByA.json.employments.map((e: { employer: string }) => e.employer)).toEqual([a.id]);
    const seenByMso = await p.request({ method: 'GET', url: `/v1/hr/people/${id}` });
    expect(seenByMso.json.employments.map((e: { employer: string }) => e.employer).sort()).toEqual(['mso', a.id].sort());

    // Practice B: the person and both employments answer 404, as missing ids do.
    const missing = await p.request({ method: 'GET', url: `/v1/hr/people/${crypto.randomUUID()}`, key: b.key });
    const other = await p.request({ method: 'GET', url: `/v1/hr/people/${id}`, key: b.key });
    expect([missing.status, other.status]).toEqual([404, 404]);
    expect(other.json.code).toBe(missing.json.code);
    for (const e of seenByMso.json.employments as { id: string }[]) {
      expect((await p.request({ method: 'GET', url: `/v1/hr/employments/${e.id}`, key: b.key })).status).toBe(404);
    }
    const msoEmployment = (seenByMso.json.employments as { id: string; employer: string }[]).find((e) => e.employer === 'mso')!;
    expect((await p.request({ method: 'GET', url: `/v1/hr/employments/${msoEmployment.id}`, key: a.key })).status).toBe(404);
    expect((await p.request({ method: 'GET', url: '/v1/hr/people', key: b.key })).json.items).toEqual([]);
  });

  it('notices an expiring licence once per threshold with two copies running', async () => {
    const people = await p.request({ method: 'GET', url: '/v1/hr/people', key: a.key });
    const provider = await p.request({ method: 'POST', url: '/v1/hr/providers', key: a.key, body: { personId: people.json.items[0].id, npi: validNpi(Math.floor(Math.random() * 90_000_000)), taxonomy: '163W00000X' } });
    expect(provider.status).toBe(201);
    const expiresOn = addDays('2026-10-01', 95);
    const licence = await p.request({ method: 'POST', url: `/v1/hr/providers/${provider.json.id}/credentials`, key: a.key, body: { kind: 'state-licence', state: 'FL', number: 'RN998877', issuedOn: '2024-10-01', expiresOn } });
    expect(licence.status).toBe(201);
    // Each day's 06:00 fire in the practice's zone (18:00 UTC is past it in every US zone), both copies at once.
    for (const daysBefore of [91, 90, 89, 60, 30, 29, 7, 0, -1]) {
      p.clock.set(`${addDays(expiresOn, -daysBefore)}T18:00:00Z`);
      await Promise.all([p.runtime.host.runDueJobs(), second!.runDueJobs(), p.runtime.host.runDueJobs(), second!.runDueJobs()]);
    }
    const list = await p.request({ method: 'GET', url: '/v1/hr/tasks', key: a.key });
    expect(list.json.items.map((t: { kind: string; title: string }) => `${t.kind} ${/in (\d+) days/.exec(t.title)?.[1] ?? ''}`.trim())).toEqual([
      'credential-expiring 90',
      'credential-expiring 60',
      'credential-expiring 30',
      'credential-expiring 7',
      'credential-expired',
    ]);
    const notices = await p.runtime.database!.db.execute(sql`select threshold from hr.credential_notices where emitted order by threshold desc`);
    const rows = (Array.isArray(notices) ? notices : (notices as unknown as { rows: unknown[] }).rows) as { threshold: number }[];
    expect(rows.map((r) => r.threshold)).toEqual([90, 60, 30, 7, 0]);
    expect((await p.request({ method: 'GET', url: '/v1/hr/tasks', key: b.key })).json.items).toEqual([]);
  }, 60_000);
});
