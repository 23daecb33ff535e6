import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '@mso/kit';
import { startTestPlatform, type TestPlatform } from '@mso/testing';
import { hr } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: the monthly accrual with two copies of hr
// running, then an employee's request, its approval by the manager, and the balance with its entries.

let p: TestPlatform;
let second: Host | undefined;
let a: { id: string; key: string };
let b: { id: string; key: string };
let userKey: string;

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', hr], transport: 'real' });
  p.clock.set('2026-10-01T18:00:00Z');
  a = await p.createPractice({ services: ['hr'] });
  b = await p.createPractice({ services: ['hr'] });
  const key = await p.request({ method: 'POST', url: `/v1/tenancy/practices/${a.id}/api-keys`, body: { role: 'practice-user', label: 'front desk' } });
  userKey = key.json.key as string;
  second = await startHost({ services: [hr], bus: p.runtime.bus, database: p.runtime.database!, clock: p.clock });
});
afterAll(async () => {
  await second?.stop();
  await p?.close();
});

const employment = (extra: object = {}) => ({ employer: a.id, title: 'Nurse', department: 'Clinic', fte: 1, pay: { basis: 'hourly', amountCents: 40_00 }, startDate: '2026-06-01', ...extra });

describe('PTO through the gateway', () => {
  it('accrues once with two copies, then request → manager approval → balance', async () => {
    const manager = await p.request({ method: 'POST', url: '/v1/hr/people', key: a.key, body: { firstName: 'Ada', lastName: 'Quinn', ssn: '411-22-3333', dateOfBirth: '1979-04-04', employment: employment({ title: 'Nurse manager' }) } });
    expect(manager.status).toBe(201);
    const nurse = await p.request({ method: 'POST', url: '/v1/hr/people', key: a.key, body: { firstName: 'Ben', lastName: 'Ortiz', ssn: '411-22-4444', dateOfBirth: '1991-09-09', employment: employment({ managerId: manager.json.id }) } });
    const employmentId = nurse.json.employments[0].id as string;
    const policy = await p.request({ method: 'POST', url: '/v1/hr/pto/policies', key: a.key, body: { employer: a.id, leaveType: 'vacation', name: 'Vacation', accrualHoursPerMonth: 10, carryOverCapHours: 40 } });
    expect(policy.status).toBe(201);
    // The MSO's own staff accrue on the MSO's run (the default zone), under the MSO's policy.
    const clerk = await p.request({ method: 'POST', url: '/v1/hr/people', body: { firstName: 'Cy', lastName: 'Moss', ssn: '411-22-5555', dateOfBirth: '1985-01-01', employment: employment({ employer: 'mso', title: 'Billing clerk' }) } });
    const msoEmploymentId = clerk.json.employments[0].id as string;
    expect((await p.request({ method: 'POST', url: '/v1/hr/pto/policies', body: { employer: 'mso', leaveType: 'vacation', name: 'MSO vacation', accrualHoursPerMonth: 8 } })).status).toBe(201);

    // 12:00 UTC on November 1 is past the 00:30 fire in every US zone: October accrues, once, whichever copy runs.
    p.clock.set('2026-11-01T12:00:00Z');
    await Promise.all([p.runtime.host.runDueJobs(), second!.runDueJobs(), p.runtime.host.runDueJobs(), second!.runDueJobs()]);
    const url = `/v1/hr/employments/${employmentId}/pto/vacation`;
    expect((await p.request({ method: 'GET', url, key: a.key })).json).toMatchObject({ balanceHours: 10, entries: [{ kind: 'accrual', period: '2026-10', hours: 10 }] });
    const msoBalance = await p.request({ method: 'GET', url: `/v1/hr/employments/${msoEmploymentId}/pto/vacation` });
    expect(msoBalance.json).toMatchObject({ balanceHours: 8, entries: [{ kind: 'accrual', period: '2026-10', hours: 8 }] });
    expect(msoBalance.json.entries).toHaveLength(1);
    expect((await p.request({ method: 'GET', url: `/v1/hr/employments/${msoEmploymentId}/pto/vacation`, key: a.key })).status).toBe(404);

    // The employee asks (a user key); above the balance is refused naming hours.
    p.clock.set('2026-11-02T15:00:00Z');
    const tooMuch = await p.request({ method: 'POST', url: '/v1/hr/pto/requests', key: userKey, body: { employmentId, leaveType: 'vacation', startDate: '2026-11-23', endDate: '2026-11-24', hours: 16 } });
    expect([tooMuch.status, tooMuch.json.code, tooMuch.json.errors?.[0]?.path]).toEqual([422, 'unprocessable', '/hours']);
    const asked = await p.request({ method: 'POST', url: '/v1/hr/pto/requests', key: userKey, body: { employmentId, leaveType: 'vacation', startDate: '2026-11-23', endDate: '2026-11-23', hours: 8 } });
    expect([asked.status, asked.json.status]).toEqual([201, 'pending']);

    // Another practice does not see it; a user key that is not the manager is refused; the manager approves.
    expect((await p.request({ method: 'POST', url: `/v1/hr/pto/requests/${asked.json.id}/approve`, key: b.key, body: {} })).status).toBe(404);
    expect((await p.request({ method: 'POST', url: `/v1/hr/pto/requests/${asked.json.id}/approve`, key: userKey, body: { decidedBy: nurse.json.id } })).status).toBe(403);
    const approved = await p.request({ method: 'POST', url: `/v1/hr/pto/requests/${asked.json.id}/approve`, key: userKey, body: { decidedBy: manager.json.id }, headers: { 'idempotency-key': crypto.randomUUID() } });
    expect([approved.status, approved.json.status, approved.json.decidedBy]).toEqual([200, 'approved', manager.json.id]);

    const balance = await p.request({ method: 'GET', url, key: userKey });
    expect(balance.status).toBe(200);
    expect(balance.json).toMatchObject({ balanceHours: 2, pendingHours: 0, availableHours: 2 });
    expect(balance.json.entries.map((e: { kind: string; hours: number }) => `${e.kind} ${e.hours}`)).toEqual(['accrual 10', 'use -8']);
    expect((await p.request({ method: 'GET', url, key: b.key })).status).toBe(404);

    const report = await p.request({ method: 'GET', url: '/v1/hr/reports/pto-balances' });
    const rows = report.json.employers.find((e: { employer: string }) => e.employer === a.id).rows as { lastName: string; balanceHours: number }[];
    expect(rows.map((r) => `${r.lastName} ${r.balanceHours}`)).toEqual(['Ortiz 2', 'Quinn 10']);
  }, 60_000);
});
