import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { generate837P, generateRemittance835, type GeneratedRemittance } from '@mso/x12/testing';
import { finance } from './service.js';

// The revenue cycle into the books, through the gateway on the running NATS and PostgreSQL: billing
// imports and submits an 837P and posts the payer's 835s; finance books billing's events, and the
// practice's trial balance must say what billing's claims say.

let p: TestPlatform;
let practice: { id: string; key: string };

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', 'billing', finance], transport: 'real' });
  p.clock.set('2026-05-22T15:00:00Z');
  practice = await p.createPractice({ services: ['billing', 'finance'], terms: { billing: { timelyFilingDays: 365 } } });
}, 120_000);
afterAll(() => p?.close());

const call = (method: string, url: string, body?: unknown): Promise<TestResponse> =>
  p.request({ method, url, key: practice.key, ...(body !== undefined ? { body } : {}), ...(method === 'POST' ? { headers: { 'idempotency-key': crypto.randomUUID() } } : {}) });

async function x12(url: string, text: string): Promise<TestResponse> {
  const res = await p.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${practice.key}`, 'content-type': 'application/edi-x12', 'idempotency-key': crypto.randomUUID() }, payload: text });
  return { status: res.statusCode, json: JSON.parse(res.body), headers: res.headers };
}

type Account = { key: string | null; debitCents: number; creditCents: number; balanceCents: number };
type TrialBalance = { accounts: Account[]; totalDebitCents: number; totalCreditCents: number };
type Line = { accountKey: string | null; debitCents: number; creditCents: number; ref: string | null };
type Entry = { id: string; date: string; memo: string; lines: Line[] };

/** Balances by system account key (absent: 0). */
const balances = (tb: TrialBalance): Record<string, number> => Object.fromEntries(tb.accounts.filter((a) => a.key).map((a) => [a.key!, a.balanceCents]));

async function trialBalance(period?: string): Promise<TrialBalance> {
  const res = await call('GET', `/v1/finance/trial-balance${period ? `?period=${period}` : ''}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

/** Finance books asynchronously: polls the trial balance until `done` holds, for at most 60 s. */
async function booked(done: (b: Record<string, number>) => boolean, period?: string): Promise<TrialBalance> {
  const end = Date.now() + 60_000;
  for (;;) {
    const tb = await trialBalance(period);
    if (done(balances(tb)) || Date.now() > end) return tb;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function journal(): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | undefined;
  do {
    const res = await call('GET', `/v1/finance/journal-entries?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    out.push(...res.json.items);
    cursor = res.json.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** What billing says of its claims: open with the payer, owed by patients. */
async function billingTotals(ids: readonly string[]): Promise<{ openCents: number; patientCents: number }> {
  let openCents = 0;
  let patientCents = 0;
  for (const id of ids) {
    const res = await call('GET', `/v1/billing/claims/${id}`);
    expect(res.status).toBe(200);
    openCents += res.json.balanceCents;
    patientCents += res.json.patientResponsibilityCents;
  }
  return { openCents, patientCents };
}

/** The 835 with PLB items added: SE01 counts the segment, BPR02 = Σ CLP04 − Σ PLB. */
function withProviderAdjustments(era: GeneratedRemittance, items: { reason: string; reference: string; amountCents: number }[]): { text: string; paymentCents: number } {
  const money = (c: number) => (c / 100).toFixed(2);
  const paymentCents = era.totals.claimPaymentCents - items.reduce((s, i) => s + i.amountCents, 0);
  const segments = era.text.split('~').filter(Boolean);
  const se = segments.findIndex((s) => s.startsWith('SE*'));
  segments.splice(se, 0, `PLB*1234567893*20261231*${items.map((i) => `${i.reason}:${i.reference}*${money(i.amountCents)}`).join('*')}`);
  segments[se + 1] = segments[se + 1]!.replace(/^SE\*(\d+)/, (_m, n: string) => `SE*${Number(n) + 1}`);
  const bpr = segments.findIndex((s) => s.startsWith('BPR*'));
  segments[bpr] = segments[bpr]!.split('*').map((e, i) => (i === 2 ? money(paymentCents) : e)).join('*');
  return { text: segments.map((s) => `${s}~`).join(''), paymentCents };
}

const sum = (xs: Iterable<number>) => [...xs].reduce((s, x) => s + x, 0);

describe("billing's revenue cycle in the practice's books", () => {
  const ehr = generate837P({ claims: 8, seed: 21, patients: 4, pcnPrefix: 'FIN', serviceDateFrom: '2026-04-20', serviceDays: 14 });
  const ids = new Map<string, string>();
  let era1: GeneratedRemittance;

  it('books the submitted claims: insurance AR and gross charges at the total charge', { timeout: 90_000 }, async () => {
    const imported = await x12('/v1/billing/claim-imports', ehr.text);
    expect(imported.status, JSON.stringify(imported.json)).toBe(201);
    for (const c of imported.json.claims) ids.set(c.patientControlNumber, c.id);
    for (const id of ids.values()) expect((await call('POST', `/v1/billing/claims/${id}/submit`, {})).json).toMatchObject({ status: 'submitted' });

    const tb = await booked((b) => b['gross-charges'] === ehr.totalChargeCents);
    expect(balances(tb)).toMatchObject({ 'insurance-ar': ehr.totalChargeCents, 'gross-charges': ehr.totalChargeCents });
    expect(tb.totalDebitCents).toBe(tb.totalCreditCents);
  });

  it('books an 835 that pays, denies and moves patient responsibility, with PLB interest: cash is BPR02', { timeout: 90_000 }, async () => {
    // Posted in June for payments dated in May: the books take the payment date, denials included.
    p.clock.set('2026-06-01T15:00:00Z');
    const claims = ehr.claims.slice(0, 6);
    const multi = claims.filter((c) => c.lines.length > 1).map((c) => c.patientControlNumber);
    const outcome = new Map([
      [multi[0]!, 'partially-denied' as const],
      [multi[1]!, 'denied' as const],
    ]);
    era1 = generateRemittance835({ claims, seed: 41, traceNumber: 'FIN-ERA-1', paymentDate: '2026-05-29', controlNumber: 1, outcomeOf: (c) => outcome.get(c.patientControlNumber) ?? 'paid' });
    const denied = sum([...era1.expected.values()].map((e) => e.deniedCents));
    expect(denied).toBeGreaterThan(0);
    expect(era1.providerAdjustments.map((a) => a.reason)).toEqual(['L6', 'WO', 'FB']);
    const posted = await x12('/v1/billing/remittances', era1.text);
    expect(posted.status, JSON.stringify(posted.json)).toBe(201);
    expect(posted.json).toMatchObject({ paymentAmountCents: era1.totals.paymentCents, matchedClaimCount: 6 });

    const billed = await billingTotals([...ids.values()]);
    expect(billed.patientCents).toBe(era1.totals.patientResponsibilityCents);
    const interest = -era1.providerAdjustments.find((a) => a.reason === 'L6')!.amountCents;
    const recouped = sum(era1.providerAdjustments.filter((a) => a.reason !== 'L6').map((a) => a.amountCents));
    const expected = {
      cash: era1.totals.paymentCents,
      'patient-ar': billed.patientCents,
      'insurance-ar': billed.openCents,
      'era-clearing': 0,
      'interest-income': interest,
      recoupments: recouped,
      denials: denied,
    };
    const done = (b: Record<string, number>) => Object.entries(expected).every(([k, v]) => (b[k] ?? 0) === v);
    const tb = await booked(done);
    expect(tb.totalDebitCents).toBe(tb.totalCreditCents);
    const b = balances(tb);
    expect(b).toMatchObject(expected);
    // Insurance AR still open is the charge of the two claims no payer answered yet.
    expect(b['insurance-ar']).toBe(sum(ehr.claims.slice(6).map((c) => c.chargeCents)));
    const adjusted = sum([...era1.expected.values()].map((e) => e.adjustmentCents));
    expect(b['contractual-allowance']! + b['other-adjustments']! + b.denials!).toBe(adjusted);
    // Every posting of the 835 (denials too) is dated its payment date, in May.
    const may = await trialBalance('2026-05');
    expect(balances(may)).toMatchObject(expected);
    expect(may.totalDebitCents).toBe(may.totalCreditCents);
  });

  it('a later 835 reverses those postings and the PLB items: the books move back exactly, the May books stay as they were', { timeout: 90_000 }, async () => {
    const mayBefore = await trialBalance('2026-05');
    const before = await journal();
    p.clock.set('2026-06-10T15:00:00Z');
    const era2 = generateRemittance835({ claims: ehr.claims.slice(6), reverse: era1.claims, seed: 42, traceNumber: 'FIN-ERA-2', paymentDate: '2026-06-08', controlNumber: 2, providerAdjustments: false, outcomeOf: () => 'paid' });
    // The payer takes back the interest it added and returns the recoupment and forwarding balance.
    const { text, paymentCents } = withProviderAdjustments(
      era2,
      era1.providerAdjustments.map((a) => ({ reason: a.reason, reference: a.reference!, amountCents: -a.amountCents })),
    );
    const posted = await x12('/v1/billing/remittances', text);
    expect(posted.status, JSON.stringify(posted.json)).toBe(201);
    expect(posted.json.paymentAmountCents).toBe(paymentCents);

    const billed = await billingTotals([...ids.values()]);
    expect(billed.openCents).toBe(0);
    expect(billed.patientCents).toBe(sum([...era2.expected.values()].map((e) => e.patientResponsibilityCents)));
    const expected = {
      cash: era1.totals.paymentCents + paymentCents,
      'patient-ar': billed.patientCents,
      'insurance-ar': 0,
      'era-clearing': 0,
      'interest-income': 0,
      recoupments: 0,
      // The postings anew deny nothing: every denial is lifted with the posting it belonged to.
      denials: 0,
    };
    const done = (b: Record<string, number>) => Object.entries(expected).every(([k, v]) => (b[k] ?? 0) === v);
    const tb = await booked(done);
    expect(tb.totalDebitCents).toBe(tb.totalCreditCents);
    const b = balances(tb);
    expect(b).toMatchObject(expected);
    expect(b['contractual-allowance']! + b['other-adjustments']!).toBe(sum([...era2.expected.values()].map((e) => e.adjustmentCents)));
    expect(b['gross-charges']).toBe(ehr.totalChargeCents);

    // Per reversed claim, what the reversal booked is the exact mirror of what the first posting booked.
    const after = (await journal()).filter((e) => !before.some((x) => x.id === e.id));
    const net = (entries: readonly Entry[], claimId: string) => {
      const by = new Map<string, number>();
      for (const e of entries) for (const l of e.lines) if (l.ref === claimId) by.set(l.accountKey!, (by.get(l.accountKey!) ?? 0) + l.debitCents - l.creditCents);
      return Object.fromEntries([...by].filter(([, v]) => v !== 0).sort());
    };
    const negated = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, -v]));
    for (const c of era1.claims) {
      const claimId = ids.get(c.patientControlNumber)!;
      const first = before.filter((e) => e.memo.includes(claimId) && !/submitted/.test(e.memo));
      // The reversal and the denials it lifts; not the posting anew.
      const reversal = after.filter((e) => e.memo.includes(claimId) && !/ adjudication /.test(e.memo));
      expect(Object.keys(net(first, claimId)).length).toBeGreaterThan(0);
      expect({ pcn: c.patientControlNumber, booked: net(reversal, claimId) }).toEqual({ pcn: c.patientControlNumber, booked: negated(net(first, claimId)) });
    }
    // The PLB items come off their accounts by the amounts they went on.
    const plb = (entries: readonly Entry[]) => entries.flatMap((e) => e.lines.filter((l) => l.accountKey === 'interest-income' || l.accountKey === 'recoupments').map((l) => [l.accountKey, l.ref, l.debitCents - l.creditCents]));
    expect(plb(after)).toEqual(plb(before).map(([k, ref, v]) => [k, ref, -(v as number)]));

    // June's postings leave May alone.
    expect(await trialBalance('2026-05')).toEqual(mayBefore);
  });
});
