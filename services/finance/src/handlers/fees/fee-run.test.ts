import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated } from '@mso/contracts/billing';
import {
  getConsolidated,
  getIntercompany,
  getInvoice,
  getInvoicePdf,
  getManagementFeeRun,
  invoiceIssued,
  listInvoices,
  listManagementFeeRuns,
  previewManagementFees,
  recordExpense,
  runManagementFees,
  type ManagementFeeRun,
} from '@mso/contracts/finance';
import { assetRegistered, assetRetired } from '@mso/contracts/helpdesk';
import type { RawBody } from '@mso/contracts';
import { testService, type TestService } from '@mso/testing';
import { finance } from '../../service.js';

// A month of management fees for three practices, one per MSO model, with every amount worked out
// by hand below from what was posted to their books.
let t: TestService;
let thirdParty: string; // FL: a percentage fee there is a fee-splitting risk
let venture: string;
let captive: string;
let ended: string; // agreement ended before March: no fee

const mso = { role: 'mso-admin' as const };
const run = (period: string) => t.callForReply(runManagementFees, { period }, { ...mso, idempotencyKey: randomUUID() });

/** A paper EOB the biller posted: the claim payment moves from insurance AR to cash (net collections). */
const payment = (practiceId: string, paidCents: number, paymentDate: string, reversal = false) =>
  t.deliver(
    claimAdjudicated,
    { claimId: randomUUID(), remittanceId: null, adjudicationId: randomUUID(), patientId: randomUUID(), payerId: randomUUID(), paymentDate, paidCents, adjustments: [], patientResponsibility: [], lines: [], reversal },
    { practiceId },
  );

const asset = (practiceId: string, kind: 'laptop' | 'printer' | 'software-licence', at: string, assetId = randomUUID(), change = assetRegistered) =>
  t.deliver(change, { assetId, practiceId, kind, at }, { practiceId }).then(() => assetId);

const practiceOf = (r: ManagementFeeRun, id: string) => r.practices.find((p) => p.practiceId === id)!;

beforeAll(async () => {
  t = await testService(finance, { clock: '2026-02-01T12:00:00Z' });
  thirdParty = await t.practice({
    model: 'third-party',
    state: 'FL',
    services: ['billing', 'helpdesk', 'hr', 'finance'],
    fees: [
      { service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 650 },
      { service: 'helpdesk', basis: 'per-seat-per-month', amountCents: 35_00 },
      { service: 'hr', basis: 'per-employee-per-month', amountCents: 20_00 },
      { service: 'finance', basis: 'flat-per-month', amountCents: 250_00 },
    ],
  });
  venture = await t.practice({
    model: 'joint-venture',
    state: 'OH',
    services: ['billing', 'finance'],
    fees: [{ service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 800 }],
    agreement: { ownership: [{ party: 'MSO Holdings LLC', percent: 60 }, { party: 'Physician partners', percent: 40 }] },
  });
  captive = await t.practice({
    model: 'captive-pc',
    state: 'TX',
    services: ['billing', 'collections', 'hr', 'helpdesk', 'finance'],
    fees: [
      { basis: 'cost-plus-percent', rateBasisPoints: 1000 },
      { basis: 'management-fee-percent', rateBasisPoints: 200 },
    ],
  });
  ended = await t.practice({ fees: [{ basis: 'flat-per-month', amountCents: 999_00 }], agreement: { effectiveTo: '2026-02-15' } });

  // Third party: $12,345.67 collected; $1,000.00 paid and reversed nets out; February's payment is another month's.
  await payment(thirdParty, 12_345_67, '2026-03-10');
  await payment(thirdParty, 1_000_00, '2026-03-12');
  await payment(thirdParty, -1_000_00, '2026-03-20', true);
  await payment(thirdParty, 4_000_00, '2026-02-25');
  // Its devices in March: a laptop since February and a printer from the 31st; a licence is no seat,
  // and a desktop retired in February is gone (its retirement arrives before its registration).
  await asset(thirdParty, 'laptop', '2026-02-03T15:00:00Z');
  await asset(thirdParty, 'printer', '2026-03-31T20:00:00Z');
  await asset(thirdParty, 'software-licence', '2026-03-02T15:00:00Z');
  const old = randomUUID();
  await asset(thirdParty, 'laptop', '2026-02-20T15:00:00Z', old, assetRetired);
  await asset(thirdParty, 'laptop', '2026-02-02T15:00:00Z', old);

  // Joint venture: $50,000.00 collected; the MSO spent $1,500.01 on it in March ($700 in April is April's).
  await payment(venture, 50_000_00, '2026-03-05');
  // Captive PC: $20,000.00 collected; MSO costs $8,000.05.
  await payment(captive, 20_000_00, '2026-03-18');
  await payment(ended, 9_000_00, '2026-03-18');

  t.clock.set('2026-04-06T14:00:00Z');
  await t.call(recordExpense, { practiceId: venture, date: '2026-03-15', amountCents: 1_500_01, description: 'Billing staff on site' }, { ...mso, idempotencyKey: randomUUID() });
  await t.call(recordExpense, { practiceId: venture, date: '2026-04-01', amountCents: 700_00, description: 'April software' }, { ...mso, idempotencyKey: randomUUID() });
  await t.call(recordExpense, { practiceId: captive, date: '2026-03-31', amountCents: 8_000_05, description: 'Front office staffing' }, { ...mso, idempotencyKey: randomUUID() });
});
afterAll(async () => {
  await t?.close();
});

describe('a March fee run over three practices', () => {
  let first: ManagementFeeRun;

  it('previews the month without posting anything', async () => {
    const preview = await t.call(previewManagementFees, { period: '2026-03' }, mso);
    expect(preview.practices.map((p) => [p.practiceId, p.feeCents, p.differenceCents, p.invoiceId])).toEqual(
      [
        [thirdParty, 1_122_47, 1_122_47, null],
        [venture, 4_000_00, 4_000_00, null],
        [captive, 9_200_06, 9_200_06, null],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    expect((await t.call(listManagementFeeRuns, {}, mso)).items).toEqual([]);
    expect((await t.call(getIntercompany, {}, mso)).every((r) => r.dueToMsoCents === 0)).toBe(true);
  });

  it('computes each model’s fee as worked out by hand', async () => {
    const reply = await run('2026-03');
    expect(reply.status).toBe(201);
    first = reply.output;
    expect(first.practices.map((p) => p.practiceId).sort()).toEqual([thirdParty, venture, captive].sort());

    // Third party: 6.5 % × $12,345.67 = $802.46855 → $802.47; 2 devices × $35.00 = $70.00;
    // employees: no HR data yet → 0 × $20.00; flat $250.00. Total $1,122.47.
    expect(practiceOf(first, thirdParty)).toMatchObject({
      model: 'third-party',
      feeCents: 1_122_47,
      lines: [
        { service: 'billing', basis: 'percent-of-net-collections', baseCents: 12_345_67, quantity: 1, rateBasisPoints: 650, amountCents: 802_47 },
        { service: 'helpdesk', basis: 'per-seat-per-month', baseCents: 35_00, quantity: 2, rateBasisPoints: null, amountCents: 70_00 },
        { service: 'hr', basis: 'per-employee-per-month', baseCents: 20_00, quantity: 0, rateBasisPoints: null, amountCents: 0 },
        { service: 'finance', basis: 'flat-per-month', baseCents: 250_00, quantity: 1, rateBasisPoints: null, amountCents: 250_00 },
      ],
      previouslyInvoicedCents: 0,
      differenceCents: 1_122_47,
      venture: null,
    });
    expect(practiceOf(first, thirdParty).warnings.map((w) => w.code)).toEqual(['fee-splitting-risk', 'no-hr-data']);

    // Joint venture: 8 % × $50,000.00 = $4,000.00. Profit $4,000.00 − $1,500.01 = $2,499.99:
    // 60 % = $1,499.994, 40 % = $999.996 → $1,499.99 and $999.99, and the cent left goes to the larger remainder (40 %): $1,000.00.
    expect(practiceOf(first, venture)).toMatchObject({
      model: 'joint-venture',
      feeCents: 4_000_00,
      lines: [{ basis: 'percent-of-net-collections', baseCents: 50_000_00, rateBasisPoints: 800, amountCents: 4_000_00 }],
      venture: {
        feeIncomeCents: 4_000_00,
        allocatedCostsCents: 1_500_01,
        profitCents: 2_499_99,
        shares: [
          { party: 'MSO Holdings LLC', percent: 60, amountCents: 1_499_99 },
          { party: 'Physician partners', percent: 40, amountCents: 1_000_00 },
        ],
      },
    });

    // Captive PC: $8,000.05 × 1.10 = $8,800.055 → $8,800.06 (half up); 2 % × $20,000.00 = $400.00. Total $9,200.06.
    // TX restricts nothing: no fee-splitting warning for its percentage fee.
    expect(practiceOf(first, captive)).toMatchObject({
      model: 'captive-pc',
      feeCents: 9_200_06,
      lines: [
        { service: null, basis: 'cost-plus-percent', baseCents: 8_000_05, quantity: 1, rateBasisPoints: 1000, amountCents: 8_800_06 },
        { service: null, basis: 'management-fee-percent', baseCents: 20_000_00, quantity: 1, rateBasisPoints: 200, amountCents: 400_00 },
      ],
    });
    expect(practiceOf(first, captive).warnings.map((w) => w.code)).not.toContain('fee-splitting-risk');
    // 3 practices × 2 mirrored entries + the venture's distribution entry.
    expect(first.entriesPosted).toBe(7);
  });

  it('mirrors every fee in both books: every intercompany difference is 0', async () => {
    const rows = await t.call(getIntercompany, { period: '2026-03' }, mso);
    const byPractice = Object.fromEntries(rows.map((r) => [r.practiceId, r]));
    expect(byPractice[thirdParty]).toEqual({ practiceId: thirdParty, dueToMsoCents: 1_122_47, dueFromPracticeCents: 1_122_47, differenceCents: 0 });
    expect(byPractice[venture]).toMatchObject({ dueToMsoCents: 4_000_00, dueFromPracticeCents: 4_000_00, differenceCents: 0 });
    expect(byPractice[captive]).toMatchObject({ dueToMsoCents: 9_200_06, dueFromPracticeCents: 9_200_06, differenceCents: 0 });
    expect(rows.every((r) => r.differenceCents === 0)).toBe(true);
    // Before March nothing was due.
    expect((await t.call(getIntercompany, { period: '2026-02' }, mso)).every((r) => r.dueToMsoCents === 0 && r.dueFromPracticeCents === 0)).toBe(true);
  });

  it('issues an invoice per practice, with the fee-splitting warning on the FL one, as JSON and PDF', async () => {
    const invoiceId = practiceOf(first, thirdParty).invoiceId!;
    const invoice = await t.call(getInvoice, { id: invoiceId }, mso);
    expect(invoice).toMatchObject({ practiceId: thirdParty, period: '2026-03', kind: 'invoice', feeCents: 1_122_47, amountCents: 1_122_47, issuedOn: '2026-04-06', dueOn: '2026-05-06', runId: first.id });
    expect(invoice.number).toMatch(/^MSO-2026-03-\d{5}$/);
    expect(invoice.warnings.map((w) => w.code)).toContain('fee-splitting-risk');
    const pdf = (await t.call(getInvoicePdf, { id: invoiceId }, mso)) as unknown as RawBody;
    expect(pdf.mediaType).toBe('application/pdf');
    expect(Buffer.from(pdf.bytes).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The practice's admin sees its own invoices and no other practice's.
    const own = await t.call(listInvoices, {}, { practiceId: thirdParty, role: 'practice-admin' });
    expect(own.items.map((i) => i.id)).toEqual([invoiceId]);
    await expect(t.call(getInvoice, { id: practiceOf(first, venture).invoiceId! }, { practiceId: thirdParty, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
    await expect(t.call(listInvoices, { practiceId: venture }, { practiceId: thirdParty, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
    expect((await t.call(listInvoices, { period: '2026-03' }, mso)).items).toHaveLength(3);
    expect(await t.events(invoiceIssued)).toHaveLength(3);
  });

  it('posts nothing when the same month runs again, and answers the same run', async () => {
    const again = await run('2026-03');
    expect(again.status).toBe(200);
    expect(again.output).toEqual(first);
    expect((await t.call(listInvoices, { period: '2026-03' }, mso)).items).toHaveLength(3);
    expect(await t.events(invoiceIssued)).toHaveLength(3);
    expect(await t.call(getManagementFeeRun, { id: first.id }, mso)).toEqual(first);
    expect((await t.call(listManagementFeeRuns, { period: '2026-03' }, mso)).items.map((r) => r.id)).toEqual([first.id]);
  });

  it('posts only the difference after more collections in the month, and says so', async () => {
    await payment(thirdParty, 1_000_00, '2026-03-28');
    const rerun = (await run('2026-03')).output;
    // 6.5 % × $13,345.67 = $867.46855 → $867.47: the fee is $1,187.47, $65.00 more than invoiced.
    const p = practiceOf(rerun, thirdParty);
    expect(p).toMatchObject({ feeCents: 1_187_47, previouslyInvoicedCents: 1_122_47, differenceCents: 65_00 });
    expect(p.invoiceId).not.toBe(practiceOf(first, thirdParty).invoiceId);
    expect(p.warnings.find((w) => w.code === 'rerun-difference')?.message).toContain('$65.00');
    expect(practiceOf(rerun, venture)).toMatchObject({ differenceCents: 0, invoiceId: practiceOf(first, venture).invoiceId });
    expect(rerun.entriesPosted).toBe(2);
    expect(await t.call(getInvoice, { id: p.invoiceId! }, mso)).toMatchObject({ kind: 'invoice', amountCents: 65_00, previouslyInvoicedCents: 1_122_47 });

    const rows = await t.call(getIntercompany, {}, mso);
    expect(rows.find((r) => r.practiceId === thirdParty)).toMatchObject({ dueToMsoCents: 1_187_47, dueFromPracticeCents: 1_187_47, differenceCents: 0 });
    expect(rows.every((r) => r.differenceCents === 0)).toBe(true);
  });

  it('consolidates the books with the intercompany balances and fees eliminated', async () => {
    const c = await t.call(getConsolidated, { period: '2026-03' }, mso);
    const acc = (key: string) => c.accounts.find((a) => a.key === key);
    const fees = 1_187_47 + 4_000_00 + 9_200_06;
    expect(acc('due-from-practice')).toMatchObject({ debitCents: fees, eliminatedCents: fees, balanceCents: 0 });
    expect(acc('due-to-mso')).toMatchObject({ creditCents: fees, eliminatedCents: -fees, balanceCents: 0 });
    expect(acc('management-fee-income')).toMatchObject({ balanceCents: 0 });
    expect(acc('management-fee-expense')).toMatchObject({ balanceCents: 0 });
    // The venture's owners are owed their shares: that is no intercompany balance.
    expect(acc('distributions-payable')).toMatchObject({ balanceCents: 2_499_99, eliminatedCents: 0 });
    expect(c.totalDebitCents).toBe(c.totalCreditCents);
    expect(c.eliminations.filter((e) => e.practiceId === thirdParty)).toEqual([
      { pair: 'due-from-practice / due-to-mso', practiceId: thirdParty, amountCents: 1_187_47 },
      { pair: 'management-fee-income / management-fee-expense', practiceId: thirdParty, amountCents: 1_187_47 },
    ]);
  });

  it('credits back a fee that went down, and takes back distributions the venture no longer earns', async () => {
    // Captive: $5,000.00 of its payment reversed → 2 % × $15,000.00 = $300.00; fee $9,100.06, $100.00 less.
    await payment(captive, -5_000_00, '2026-03-30', true);
    // Venture: $100.00 more MSO cost → profit $2,399.99: 60 % = $1,439.994 → $1,439.99, 40 % = $959.996 → $959.99 + the cent = $960.00.
    await t.call(recordExpense, { practiceId: venture, date: '2026-03-31', amountCents: 100_00, description: 'Courier' }, { ...mso, idempotencyKey: randomUUID() });
    const rerun = (await run('2026-03')).output;

    const c = practiceOf(rerun, captive);
    expect(c).toMatchObject({ feeCents: 9_100_06, previouslyInvoicedCents: 9_200_06, differenceCents: -100_00 });
    expect(await t.call(getInvoice, { id: c.invoiceId! }, mso)).toMatchObject({ kind: 'credit-note', amountCents: -100_00 });

    const v = practiceOf(rerun, venture);
    expect(v).toMatchObject({ feeCents: 4_000_00, differenceCents: 0, venture: { profitCents: 2_399_99, shares: [{ amountCents: 1_439_99 }, { amountCents: 960_00 }] } });
    expect(v.warnings.map((w) => w.code)).toContain('rerun-difference');
    // The captive's credit note (2 entries) and the venture's distribution change (1).
    expect(rerun.entriesPosted).toBe(3);

    const books = await t.call(getConsolidated, {}, mso);
    expect(books.accounts.find((a) => a.key === 'distributions-payable')).toMatchObject({ balanceCents: 2_399_99 });
    expect(books.accounts.find((a) => a.key === 'due-from-practice')).toMatchObject({ balanceCents: 0, eliminatedCents: 1_187_47 + 4_000_00 + 9_100_06 });
    expect(books.totalDebitCents).toBe(books.totalCreditCents);
    expect((await t.call(getIntercompany, {}, mso)).find((r) => r.practiceId === captive)).toMatchObject({ dueToMsoCents: 9_100_06, differenceCents: 0 });
  });
});

describe('an agreement changed after the month', () => {
  it('bills the month under the version in force then, and the next month under the new one', async () => {
    // From April 6 the third party pays $400.00 flat instead of $250.00.
    await t.changeAgreement(thirdParty, {
      fees: [
        { service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 650 },
        { service: 'finance', basis: 'flat-per-month', amountCents: 400_00 },
      ],
      agreement: { effectiveFrom: '2026-04-06' },
    });
    const march = await run('2026-03');
    expect(march.status).toBe(200);
    expect(practiceOf(march.output, thirdParty)).toMatchObject({ feeCents: 1_187_47, differenceCents: 0 });

    const april = await t.call(previewManagementFees, { period: '2026-04' }, mso);
    // No April collections or devices yet, no percentage fee: the new flat fee only.
    expect(practiceOf(april as unknown as ManagementFeeRun, thirdParty)).toMatchObject({ feeCents: 400_00, lines: [{ amountCents: 0 }, { amountCents: 400_00 }] });
    expect(april.practices.map((p) => p.practiceId)).not.toContain(ended);
  });
});

describe('refusals', () => {
  it('refuses a month that has not started and a month closed in the books', async () => {
    await expect(run('2026-05')).rejects.toMatchObject({ status: 422, errors: [{ path: '/period' }] });
    await t.database!.db.execute(`insert into finance.periods (id, practice_id, period, closed_at, closed_by) values ('${randomUUID()}', null, '2026-02', now(), 'test')`);
    await expect(run('2026-02')).rejects.toMatchObject({ status: 409, errors: [{ path: '/period', message: 'period 2026-02 is closed' }] });
  });

  it('refuses a practice key and an expense for an unknown practice', async () => {
    await expect(t.callForReply(runManagementFees, { period: '2026-03' }, { practiceId: thirdParty, role: 'practice-admin', idempotencyKey: randomUUID() })).rejects.toMatchObject({ status: 403 });
    await expect(t.call(recordExpense, { practiceId: randomUUID(), date: '2026-03-01', amountCents: 100, description: 'x' }, { ...mso, idempotencyKey: randomUUID() })).rejects.toMatchObject({ status: 404, errors: [{ path: '/practiceId' }] });
  });
});
