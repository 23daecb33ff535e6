import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated, claimSubmitted, remittancePosted } from '@mso/contracts/billing';
import { eventually, startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { finance } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: billing's events (published on billing's
// stream as its relay would) become the practice's books; the reports answer over HTTP.

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', finance], transport: 'real' });
  p.clock.set('2026-03-10T15:00:00Z');
});
afterAll(() => p?.close());

const as = (key: string) => (method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse> =>
  p.request({ method, url, key, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

describe('finance through the gateway', () => {
  it("keeps a practice's books from billing's events; the trial balance balances and exports as CSV", async () => {
    const practice = await p.createPractice({ services: ['billing', 'finance'] });
    const call = as(practice.key);
    const claim = { claimId: crypto.randomUUID(), patientId: crypto.randomUUID(), payerId: crypto.randomUUID() };
    const era = crypto.randomUUID();
    await p.publishEvent(claimSubmitted, { ...claim, renderingProviderNpi: null, serviceDate: '2026-02-01', submittedOn: '2026-02-02', chargeCents: 25_000, frequencyCode: '1' }, practice.id);
    await p.publishEvent(
      claimAdjudicated,
      { ...claim, remittanceId: era, adjudicationId: crypto.randomUUID(), paymentDate: '2026-02-20', paidCents: 15_000, adjustments: [{ group: 'CO', reason: '45', amountCents: 6_000 }, { group: 'PR', reason: '2', amountCents: 4_000 }], patientResponsibility: [{ reason: 'coinsurance', amountCents: 4_000 }], lines: [], reversal: false },
      practice.id,
    );
    await p.publishEvent(remittancePosted, { remittanceId: era, traceNumber: 'EFT1', payerId: claim.payerId, paymentDate: '2026-02-20', paymentAmountCents: 15_125, claimPaymentCents: 15_000, providerAdjustments: [{ reason: 'L6', reference: null, amountCents: -125 }] }, practice.id);

    // Each event type has its own consumer: wait until the remittance and the adjudication are both booked.
    const balanceOf = (r: { json: { accounts: { key: string; balanceCents: number }[] } }, key: string) => r.json.accounts.find((a) => a.key === key)?.balanceCents;
    const tb = await eventually(
      () => call('GET', '/v1/finance/trial-balance?period=2026-02'),
      (r) => r.status === 200 && balanceOf(r, 'cash') === 15_125 && balanceOf(r, 'patient-ar') === 4_000 && balanceOf(r, 'insurance-ar') === 0,
    );
    expect(tb.status).toBe(200);
    const by = Object.fromEntries(tb.json.accounts.map((a: { key: string; balanceCents: number }) => [a.key, a.balanceCents]));
    expect(tb.json.totalDebitCents).toBe(tb.json.totalCreditCents);
    expect(by).toMatchObject({ cash: 15_125, 'patient-ar': 4_000, 'insurance-ar': 0, 'interest-income': 125, 'contractual-allowance': 6_000 });

    const csv = await call('GET', '/v1/finance/trial-balance/csv?period=2026-02');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(String(csv.json)).toContain('1000,cash,Cash - operating,asset,151.25,0.00,151.25');
  });

  it('answers 404 for another practice, problem+json naming the field, and 201 for a manual entry', async () => {
    const a = await p.createPractice({ services: ['finance'] });
    const b = await p.createPractice({ services: ['finance'] });
    expect((await as(a.key)('GET', `/v1/finance/trial-balance?entity=${b.id}`)).status).toBe(404);
    const bad = await as(a.key)('GET', '/v1/finance/trial-balance?period=2026-13');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);

    const noEntity = await p.request({ method: 'GET', url: '/v1/finance/trial-balance' });
    expect(noEntity.status).toBe(400);
    expect(noEntity.json.errors).toEqual([expect.objectContaining({ path: '/entity' })]);

    const entry = await p.request({
      method: 'POST',
      url: '/v1/finance/journal-entries',
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: { entity: 'mso', date: '2026-03-02', memo: 'Office rent', reason: 'March rent paid', lines: [{ account: '9999', debitCents: 1 }, { account: 'cash', creditCents: 1 }] },
    });
    expect(entry.status).toBe(422);
    expect(entry.json.errors).toEqual([expect.objectContaining({ path: '/lines/0/account' })]);
    const accounts = await p.request({ method: 'GET', url: '/v1/finance/accounts?entity=mso' });
    const rent = accounts.json.accounts.find((x: { code: string }) => x.code === '6300');
    expect(rent).toMatchObject({ key: null, type: 'expense' });
    const ok = await p.request({
      method: 'POST',
      url: '/v1/finance/journal-entries',
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: { entity: 'mso', date: '2026-03-02', memo: 'Office rent', reason: 'March rent paid', lines: [{ account: '6300', debitCents: 250_000 }, { account: 'cash', creditCents: 250_000 }] },
    });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ entity: 'mso', period: '2026-03', totalCents: 250_000, source: { kind: 'user', reason: 'March rent paid' } });
    expect(ok.json.lines[0]).toMatchObject({ accountId: rent.id, accountCode: '6300', debitCents: 250_000 });
  });
});
