import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, type TestPlatform, type TestResponse, validNpi } from '@mso/testing';
import { hr } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: a person employed by the MSO who serves
// two captive practices 60/40, the MSO's and a practice's payroll runs, finance's books of each
// employer and a cost-plus management fee on the allocated cost.

let p: TestPlatform;
let a: { id: string; key: string };
let b: { id: string; key: string };

async function captivePractice(name: string): Promise<{ id: string; key: string }> {
  const created = await p.request({
    method: 'POST',
    url: '/v1/tenancy/practices',
    body: {
      name,
      npi: validNpi(Math.floor(Math.random() * 90_000_000)),
      taxId: '12-3456789',
      state: 'TX',
      agreement: { model: 'captive-pc', services: ['billing', 'collections', 'hr', 'helpdesk', 'finance'], fees: [{ basis: 'cost-plus-percent', rateBasisPoints: 1000 }], effectiveFrom: '2026-06-01' },
    },
  });
  if (created.status !== 201) throw new Error(`practice: ${created.status} ${JSON.stringify(created.json)}`);
  const key = await p.request({ method: 'POST', url: `/v1/tenancy/practices/${created.json.id}/api-keys`, body: { role: 'practice-admin', label: 'office' } });
  return { id: created.json.id as string, key: key.json.key as string };
}

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', hr, 'finance'], transport: 'real' });
  p.clock.set('2026-06-01T15:00:00Z');
  a = await captivePractice('Lakeside Medical Group PC');
  b = await captivePractice('Riverbend Pediatrics PC');
}, 60_000);
afterAll(() => p?.close());

type Account = { key: string; balanceCents: number };
const balanceOf = (r: TestResponse, key: string) => (r.json?.accounts as Account[] | undefined)?.find((x) => x.key === key)?.balanceCents ?? 0;

describe('payroll totals through the gateway', () => {
  let msoRun: { id: string };

  it('posts the MSO and a practice payroll, each booked in its own employer’s books', async () => {
    const mso = (method: string, url: string, body?: unknown) => p.request({ method, url, ...(body !== undefined ? { body } : {}) });
    expect((await mso('PUT', '/v1/hr/payroll-settings/mso', { schedule: 'monthly', employerTaxBasisPoints: 765, benefitsBasisPoints: 1200 })).status).toBe(200);
    expect((await p.request({ method: 'PUT', url: `/v1/hr/payroll-settings/${a.id}`, key: a.key, body: { schedule: 'monthly', employerTaxBasisPoints: 800, benefitsBasisPoints: 0 } })).status).toBe(200);

    const shared = await mso('POST', '/v1/hr/people', {
      firstName: 'Jordan',
      lastName: 'Kim',
      ssn: '246-80-1357',
      dateOfBirth: '1984-02-29',
      employment: { employer: 'mso', title: 'Practice manager', department: 'Operations', fte: 1, pay: { basis: 'salary', amountCents: 60_000_00 }, startDate: '2026-01-05', allocations: [{ practiceId: a.id, percent: 60 }, { practiceId: b.id, percent: 40 }] },
    });
    expect(shared.status).toBe(201);
    const own = await p.request({
      method: 'POST',
      url: '/v1/hr/people',
      key: a.key,
      body: { firstName: 'Lee', lastName: 'Park', ssn: '975-31-8642', dateOfBirth: '1991-11-11', employment: { employer: a.id, title: 'Medical assistant', department: 'Clinic', fte: 1, pay: { basis: 'hourly', amountCents: 20_00 }, startDate: '2026-06-01' } },
    });
    expect(own.status).toBe(201);

    p.clock.set('2026-07-02T15:00:00Z');
    const june = { periodStart: '2026-06-01', periodEnd: '2026-06-30' };
    // Two clerks post the month at once: one run, one event (the other answers the run on file).
    const [first, second] = await Promise.all([mso('POST', '/v1/hr/payroll-runs', { employer: 'mso', ...june }), mso('POST', '/v1/hr/payroll-runs', { employer: 'mso', ...june })]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.json.id).toBe(second.json.id);
    const run = first.status === 201 ? first : second;
    // $60,000.00 / 12 = $5,000.00; 7.65 % = $382.50; 12 % = $600.00; cost $5,982.50 → 60 % $3,589.50, 40 % $2,393.00.
    expect(run.json).toMatchObject({ grossCents: 500_000, employerTaxCents: 38_250, benefitsCents: 60_000, costCents: 598_250 });
    expect(run.json.allocations).toEqual(expect.arrayContaining([{ practiceId: a.id, costCents: 358_950 }, { practiceId: b.id, costCents: 239_300 }]));
    msoRun = run.json;
    const again = await mso('POST', '/v1/hr/payroll-runs', { employer: 'mso', ...june });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(run.json.id);

    const ownRun = await p.request({ method: 'POST', url: '/v1/hr/payroll-runs', key: a.key, body: { employer: a.id, ...june, hours: [{ employmentId: own.json.employments[0].id, hours: 80 }] } });
    expect(ownRun.status).toBe(201);
    // 80 h × $20.00 = $1,600.00; 8 % = $128.00.
    expect(ownRun.json).toMatchObject({ grossCents: 160_000, employerTaxCents: 12_800, benefitsCents: 0, allocations: [] });

    // The practice sees its own run with its lines, never the MSO's.
    expect((await p.request({ method: 'GET', url: `/v1/hr/payroll-runs/${ownRun.json.id}`, key: a.key })).json.lines).toHaveLength(1);
    expect((await p.request({ method: 'GET', url: `/v1/hr/payroll-runs/${run.json.id}`, key: a.key })).status).toBe(404);

    // HR's own report of the same: cost per entity and period, the MSO's allocated to each practice.
    const report = await mso('GET', '/v1/hr/reports/payroll-cost?from=2026-06-01&to=2026-06-30');
    expect(report.status).toBe(200);
    const byEmployer = Object.fromEntries((report.json.entities as { employer: string }[]).map((e) => [e.employer, e]));
    expect(byEmployer.mso).toMatchObject({ totals: { costCents: 598_250 }, periods: [{ runId: run.json.id }] });
    expect(byEmployer[a.id]).toMatchObject({ totals: { costCents: 172_800 }, allocatedCents: 358_950 });
    expect(byEmployer[b.id]).toMatchObject({ periods: [], allocatedCents: 239_300 });

    // Finance books each run in its employer's books: the MSO's salaries, payroll taxes and benefits (once,
    // though the month was posted twice)…
    const msoBooks = await eventually(() => mso('GET', '/v1/finance/trial-balance?entity=mso&period=2026-06'), (r) => r.status === 200 && balanceOf(r, 'salaries') > 0, { what: "the MSO's payroll in its books" });
    expect([balanceOf(msoBooks, 'salaries'), balanceOf(msoBooks, 'payroll-taxes'), balanceOf(msoBooks, 'benefits')]).toEqual([500_000, 38_250, 60_000]);
    expect(msoBooks.json.totalDebitCents).toBe(msoBooks.json.totalCreditCents);
    // …and the practice's own payroll in the practice's.
    const practiceBooks = await eventually(() => p.request({ method: 'GET', url: '/v1/finance/trial-balance?period=2026-06', key: a.key }), (r) => r.status === 200 && balanceOf(r, 'salaries') > 0, { what: "the practice's payroll in its books" });
    expect([balanceOf(practiceBooks, 'salaries'), balanceOf(practiceBooks, 'payroll-taxes'), balanceOf(practiceBooks, 'benefits')]).toEqual([160_000, 12_800, 0]);
    expect(practiceBooks.json.totalDebitCents).toBe(practiceBooks.json.totalCreditCents);
    const otherBooks = await mso('GET', `/v1/finance/trial-balance?entity=${b.id}&period=2026-06`);
    expect(balanceOf(otherBooks, 'salaries')).toBe(0);
  }, 60_000);

  it("bases a captive practice's cost-plus fee on the MSO staff cost allocated to it", async () => {
    expect(msoRun).toBeDefined();
    // Cost plus 10 %: A $3,589.50 → $3,948.45; B $2,393.00 → $2,632.30.
    type Practice = { practiceId: string; feeCents: number; lines: { basis: string; baseCents: number; amountCents: number }[] };
    const costPlus = (r: TestResponse, id: string) => (r.json?.practices as Practice[] | undefined)?.find((x) => x.practiceId === id)?.lines.find((l) => l.basis === 'cost-plus-percent');
    await eventually(
      () => p.request({ method: 'GET', url: '/v1/finance/management-fees/preview?period=2026-06' }),
      (r) => r.status === 200 && costPlus(r, a.id)?.baseCents === 358_950,
      { what: 'the allocated cost to reach the fee base' },
    );
    const run = await p.request({ method: 'POST', url: '/v1/finance/management-fees/runs', body: { period: '2026-06' }, headers: { 'idempotency-key': crypto.randomUUID() } });
    expect(run.status).toBe(201);
    expect(costPlus(run, a.id)).toMatchObject({ baseCents: 358_950, amountCents: 394_845 });
    expect(costPlus(run, b.id)).toMatchObject({ baseCents: 239_300, amountCents: 263_230 });
    expect((run.json.practices as Practice[]).find((x) => x.practiceId === a.id)!.feeCents).toBe(394_845);
  }, 60_000);
});
