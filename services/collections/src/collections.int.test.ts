import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { generate837P, generateRemittance835, type GeneratedRemittance } from '@mso/x12/testing';
import { collections } from './service.js';

// Collections through the gateway on the running NATS and PostgreSQL: billing's claims and 835s
// become guarantor balances (insurance pending apart), payments post once per idempotency key, and
// finance books each payment, refund and write-off once.

let p: TestPlatform;
let practice: { id: string; key: string };

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', 'billing', collections, 'finance'], transport: 'real' });
  p.clock.set('2026-05-22T15:00:00Z');
  practice = await p.createPractice({ services: ['billing', 'collections', 'finance'], terms: { billing: { timelyFilingDays: 365 } } });
}, 120_000);
afterAll(() => p?.close());

const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> =>
  p.request({ method, url, key: practice.key, ...(body !== undefined ? { body } : {}), headers: { ...(method === 'POST' && !headers['idempotency-key'] ? { 'idempotency-key': crypto.randomUUID() } : {}), ...headers } });

async function x12(url: string, text: string): Promise<TestResponse> {
  const res = await p.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${practice.key}`, 'content-type': 'application/edi-x12', 'idempotency-key': crypto.randomUUID() }, payload: text });
  return { status: res.statusCode, json: JSON.parse(res.body), headers: res.headers };
}

const rows = async <T>(query: ReturnType<typeof sql>) => (await p.runtime.database!.db.execute(query)) as unknown as T[];

// Three claims of one patient: two adjudicated by the payer, one still at the payer.
const ehr = generate837P({ claims: 3, seed: 61, patients: 1, pcnPrefix: 'COL', serviceDateFrom: '2026-04-20', serviceDays: 10 });
const pcns = ehr.claims.map((c) => c.patientControlNumber);
const claimIds = new Map<string, string>();
let patientId: string;
let era1: GeneratedRemittance;
let era2: GeneratedRemittance;

const account = () => call('GET', `/v1/collections/accounts/${patientId}`);
const pr = (era: GeneratedRemittance, pcn: string) => era.expected.get(pcn)!.patientResponsibilityCents;

describe('collections through the gateway', () => {
  it("shows a submitted claim as insurance pending, apart from the patient's balance", async () => {
    const imported = await x12('/v1/billing/claim-imports', ehr.text);
    expect(imported.status, JSON.stringify(imported.json)).toBe(201);
    for (const c of imported.json.claims) claimIds.set(c.patientControlNumber, c.id);
    for (const pcn of pcns) expect((await call('POST', `/v1/billing/claims/${claimIds.get(pcn)}/submit`, {})).status).toBe(200);
    patientId = (await call('GET', `/v1/billing/claims/${claimIds.get(pcns[0]!)}`)).json.patientId;

    const acct = await eventually(account, (r) => r.status === 200 && r.json.insurancePendingCents === ehr.totalChargeCents);
    expect(acct.json).toMatchObject({ guarantorId: patientId, balanceCents: 0, insurancePendingCents: ehr.totalChargeCents, items: [] });

    // The statement's addressee: the guarantor's contact details, kept in collections only.
    const details = { name: 'Pat Doe', mailingAddress: { line1: '9 Elm St', city: 'Dayton', state: 'OH', postalCode: '45402' }, email: 'pat@example.com', preferredChannel: 'email', consent: { email: true } };
    const put = await call('PUT', `/v1/collections/guarantors/${patientId}`, details);
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect((await call('GET', `/v1/collections/guarantors/${patientId}`)).json).toMatchObject({ ...details, patientId, hold: false });
    const bad = await call('PUT', `/v1/collections/guarantors/${patientId}`, { ...details, preferredChannel: 'fax' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('preferredChannel');
  });

  it('turns an 835 with patient responsibility into the balance; the claim still at the payer stays apart', async () => {
    era1 = generateRemittance835({ claims: ehr.claims.slice(0, 2), seed: 62, traceNumber: 'COL-ERA-1', outcomeOf: () => 'paid', providerAdjustments: false, paymentDate: '2026-05-20' });
    const owed = pr(era1, pcns[0]!) + pr(era1, pcns[1]!);
    expect(pr(era1, pcns[0]!)).toBeGreaterThan(0);
    expect((await x12('/v1/billing/remittances', era1.text)).status).toBe(201);

    const acct = await eventually(account, (r) => r.json.balanceCents === owed && r.json.insurancePendingCents === ehr.claims[2]!.chargeCents);
    expect(acct.json).toMatchObject({ balanceCents: owed, insurancePendingCents: ehr.claims[2]!.chargeCents, agedFromAdjudication: true, aging: { current: owed } });
    const first = acct.json.items.find((i: { claimId: string }) => i.claimId === claimIds.get(pcns[0]!));
    const e = era1.expected.get(pcns[0]!)!;
    expect(first).toMatchObject({ patientResponsibilityCents: e.patientResponsibilityCents, paidCents: 0, openCents: e.patientResponsibilityCents, adjudicatedOn: '2026-05-20' });
    const byReason = Object.fromEntries(first.responsibility.map((r: { reason: string; amountCents: number }) => [r.reason, r.amountCents]));
    expect({ deductible: byReason.deductible ?? 0, coinsurance: byReason.coinsurance ?? 0, copay: byReason.copay ?? 0 }).toEqual({ deductible: e.deductibleCents, coinsurance: e.coinsuranceCents, copay: e.copayCents });

    const aging = await call('GET', '/v1/collections/reports/aging');
    expect(aging.json).toMatchObject({ totalCents: owed, insurancePendingCents: ehr.claims[2]!.chargeCents });
  });

  it('a reversal removes the responsibility it undid (the payer posts the claim anew, the patient owing nothing on it)', async () => {
    era2 = generateRemittance835({ claims: [], reverse: [era1.claims[0]!], seed: 74, traceNumber: 'COL-ERA-2', providerAdjustments: false, paymentDate: '2026-05-21' });
    expect((await x12('/v1/billing/remittances', era2.text)).status).toBe(201);
    expect(pr(era2, pcns[0]!)).toBe(0);
    const owed = pr(era1, pcns[1]!);
    const acct = await eventually(account, (r) => r.json.balanceCents === owed);
    expect(acct.json.balanceCents).toBe(owed);
    expect(acct.json.items.find((i: { claimId: string }) => i.claimId === claimIds.get(pcns[0]!))).toMatchObject({ patientResponsibilityCents: 0, openCents: 0 });
    const history = await call('GET', `/v1/collections/accounts/${patientId}/history?limit=200`);
    const ofFirst = history.json.items.filter((h: { claimId: string }) => h.claimId === claimIds.get(pcns[0]!)).map((h: { kind: string; amountCents: number }) => [h.kind, h.amountCents]);
    expect(ofFirst).toEqual(
      expect.arrayContaining([
        ['responsibility', pr(era1, pcns[0]!)],
        ['reversal', -pr(era1, pcns[0]!)],
      ]),
    );
  });

  const hardship = 100;
  const paid = 200;
  let badDebt: number;

  it('posts a payment once per idempotency key; the same key with another amount is refused', async () => {
    // A hardship write-off first, approved by the practice's admin.
    const asked = await call('POST', '/v1/collections/write-offs', { guarantorId: patientId, amountCents: hardship, reason: 'hardship' });
    expect(asked.status, JSON.stringify(asked.json)).toBe(201);
    expect((await call('POST', `/v1/collections/write-offs/${asked.json.id}/approve`, {})).json).toMatchObject({ status: 'posted' });
    const before = (await account()).json.balanceCents;
    expect(before).toBe(pr(era1, pcns[1]!) - hardship);

    const key = crypto.randomUUID();
    const body = { guarantorId: patientId, amountCents: paid, method: 'card', reference: 'terminal 7' };
    const first = await call('POST', '/v1/collections/payments', body, { 'idempotency-key': key });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json).toMatchObject({ amountCents: paid, creditCents: 0, applications: [{ claimId: claimIds.get(pcns[1]!), amountCents: paid }] });
    const again = await call('POST', '/v1/collections/payments', body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    const other = await call('POST', '/v1/collections/payments', { ...body, amountCents: paid + 1 }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ code: 'idempotency-key-reused' });
    const noKey = await p.request({ method: 'POST', url: '/v1/collections/payments', key: practice.key, body });
    expect(noKey.status).toBe(400);

    const emitted = await rows<{ n: number }>(sql`select count(*)::int as n from collections.mso_outbox where envelope->>'type' = 'collections.payment.received'`);
    expect(emitted[0]!.n).toBe(1);
    badDebt = before - paid;
    expect((await account()).json.balanceCents).toBe(badDebt);
  });

  it('writes the rest off as bad debt when the account goes to an agency; an overpayment is a credit, refunded', async () => {
    const agency = await call('POST', '/v1/collections/agencies', { name: 'Acme Recovery' });
    expect(agency.status, JSON.stringify(agency.json)).toBe(201);
    const placed = await call('POST', '/v1/collections/placements', { guarantorId: patientId, agencyId: agency.json.id });
    expect(placed.status, JSON.stringify(placed.json)).toBe(201);
    expect(placed.json).toMatchObject({ placedCents: badDebt });
    expect((await account()).json).toMatchObject({ balanceCents: 0 });

    const over = await call('POST', '/v1/collections/payments', { guarantorId: patientId, amountCents: 1_000, method: 'cash' });
    expect(over.json).toMatchObject({ applications: [], creditCents: 1_000 });
    const refund = await call('POST', '/v1/collections/refunds', { guarantorId: patientId, amountCents: 1_000, paymentId: over.json.id });
    expect(refund.status, JSON.stringify(refund.json)).toBe(201);
    expect(refund.json).toMatchObject({ amountCents: 1_000, creditCents: 0 });
    const kinds = (await call('GET', `/v1/collections/accounts/${patientId}/history?limit=200`)).json.items.map((h: { kind: string }) => h.kind);
    expect(kinds).toEqual(expect.arrayContaining(['write-off-requested', 'write-off', 'payment', 'credit', 'refund']));
  });

  it("finance books the payments, the refund and the write-offs exactly once", { timeout: 60_000 }, async () => {
    const tb = () => call('GET', '/v1/finance/trial-balance');
    const by = (r: TestResponse): Record<string, number> => Object.fromEntries((r.json.accounts ?? []).map((a: { key: string; balanceCents: number }) => [a.key, a.balanceCents]));
    const cash = era1.totals.paymentCents + era2.totals.paymentCents + paid + 1_000 - 1_000;
    const books = await eventually(tb, (r) => r.status === 200 && by(r).cash === cash && (by(r)['patient-ar'] ?? 0) === 0 && by(r)['bad-debt'] === badDebt);
    expect(books.json.totalDebitCents).toBe(books.json.totalCreditCents);
    const b = by(books);
    // Cash: the payers' money and the patient's payments less the refund; patient AR settled by the
    // payment and the write-offs; the refunded credit leaves nothing payable.
    expect({ cash: b.cash, patientAr: b['patient-ar'] ?? 0, refundsPayable: b['refunds-payable'] ?? 0, badDebt: b['bad-debt'] }).toEqual({ cash, patientAr: 0, refundsPayable: 0, badDebt });
    // Each write-off once on patient AR.
    const ar = await call('GET', '/v1/finance/general-ledger?account=patient-ar');
    const credits = ar.json.lines.map((l: { creditCents: number }) => l.creditCents);
    expect(credits.filter((c: number) => c === hardship)).toHaveLength(1);
    expect(credits.filter((c: number) => c === badDebt)).toHaveLength(1);

    // Nothing collections published carries the guarantor's contact details.
    const published = JSON.stringify(await rows(sql`select envelope from collections.mso_outbox`));
    expect(published).toContain(patientId);
    for (const detail of ['Pat Doe', 'pat@example.com', '9 Elm St', 'Dayton']) expect(published).not.toContain(detail);
  });
});
