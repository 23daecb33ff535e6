import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated, claimDenied, claimSubmitted, claimWrittenOff, remittancePosted } from '@mso/contracts/billing';
import {
  closeFiscalYear,
  closePeriod,
  createAccount,
  createJournalEntry,
  exportGeneralLedger,
  exportTrialBalance,
  getArAging,
  getBalanceCheck,
  getBalanceSheet,
  getGeneralLedger,
  getJournalEntry,
  getProfitAndLoss,
  getTrialBalance,
  listAccounts,
  listJournalEntries,
  listPeriods,
  reverseJournalEntry,
} from '@mso/contracts/finance';
import { testService, type TestService } from '@mso/testing';
import { netCollections } from './ledger/queries.js';
import { finance } from './service.js';

// The books of a practice kept from billing's events, read back through the reports.

let t: TestService;
beforeAll(async () => {
  t = await testService(finance, { clock: '2026-03-10T15:00:00Z' });
});
afterAll(() => t?.close());

const mso = { role: 'mso-admin' as const };
const tb = async (practiceId: string, period?: string) => {
  const r = await t.call(getTrialBalance, { entity: practiceId, ...(period ? { period } : {}) }, mso);
  return { ...r, by: Object.fromEntries(r.accounts.map((a) => [a.key ?? a.code, a.balanceCents])) };
};

const ids = () => ({ claimId: crypto.randomUUID(), patientId: crypto.randomUUID(), payerId: crypto.randomUUID() });
const submitted = (c: ReturnType<typeof ids>, chargeCents: number, submittedOn = '2026-02-03', frequencyCode = '1') => ({
  ...c,
  renderingProviderNpi: null,
  serviceDate: '2026-02-01',
  submittedOn,
  chargeCents,
  frequencyCode,
});
const adjudicated = (c: ReturnType<typeof ids>, remittanceId: string | null, a: { paid: number; co: number; pr: number; oa?: number; reversal?: boolean; date?: string }) => ({
  ...c,
  remittanceId,
  adjudicationId: crypto.randomUUID(),
  paymentDate: a.date ?? '2026-02-20',
  paidCents: a.paid,
  adjustments: [{ group: 'CO' as const, reason: '45', amountCents: a.co }, { group: 'PR' as const, reason: '2', amountCents: a.pr }, ...(a.oa ? [{ group: 'OA' as const, reason: '23', amountCents: a.oa }] : [])],
  patientResponsibility: a.pr ? [{ reason: 'coinsurance' as const, amountCents: a.pr }] : [],
  lines: [],
  reversal: a.reversal ?? false,
});

describe('books from billing events', () => {
  it('opens a practice with the medical-practice chart when tenancy announces it', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const { accounts } = await t.call(listAccounts, { entity: practiceId }, mso);
    const keys = accounts.map((a) => a.key).filter(Boolean);
    for (const key of ['cash', 'insurance-ar', 'patient-ar', 'gross-charges', 'contractual-allowance', 'other-adjustments', 'denials', 'bad-debt', 'interest-income', 'recoupments', 'refunds-payable', 'salaries', 'payroll-taxes', 'benefits', 'management-fee-expense', 'management-fee-income', 'due-to-mso', 'due-from-practice', 'distributions-payable', 'retained-earnings']) {
      expect(keys).toContain(key);
    }
    expect(accounts.find((a) => a.key === 'contractual-allowance')).toMatchObject({ type: 'revenue', normalSide: 'debit', system: true });
  });

  it('books charges, an 835 with patient responsibility and PLB interest, then a reversal in a later 835', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const a = ids();
    const b = ids();
    await t.deliver(claimSubmitted, submitted(a, 20_000), { practiceId });
    await t.deliver(claimSubmitted, submitted(b, 15_000), { practiceId });

    // ERA 1: claim A paid 12,000, CO 5,000, PR 3,000; claim B not in it. PLB L6 interest 250 (negative: added to the payment).
    const era1 = crypto.randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(a, era1, { paid: 12_000, co: 5_000, pr: 3_000 }), { practiceId });
    await t.deliver(remittancePosted, { remittanceId: era1, traceNumber: 'T1', payerId: a.payerId, paymentDate: '2026-02-20', paymentAmountCents: 12_250, claimPaymentCents: 12_000, providerAdjustments: [{ reason: 'L6', reference: null, amountCents: -250 }] }, { practiceId });

    let r = await tb(practiceId);
    expect(r.totalDebitCents).toBe(r.totalCreditCents);
    expect(r.by['cash']).toBe(12_250); // BPR02
    expect(r.by['patient-ar']).toBe(3_000);
    expect(r.by['insurance-ar']).toBe(15_000); // claim B still open
    expect(r.by['interest-income']).toBe(250);
    expect(r.by['contractual-allowance']).toBe(5_000);
    expect(r.by['gross-charges']).toBe(35_000);
    expect(r.by['era-clearing']).toBe(0);
    expect(await netCollections(t.database!.db, practiceId, '2026-02')).toBe(12_000);

    // ERA 2 in March: claim A's payment reversed (negated amounts), and a recoupment (WO) of 1,000.
    const era2 = crypto.randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(a, era2, { paid: -12_000, co: -5_000, pr: -3_000, reversal: true, date: '2026-03-05' }), { practiceId });
    await t.deliver(remittancePosted, { remittanceId: era2, traceNumber: 'T2', payerId: a.payerId, paymentDate: '2026-03-05', paymentAmountCents: 0, claimPaymentCents: -12_000, providerAdjustments: [{ reason: 'WO', reference: 'OLD', amountCents: -12_000 }] }, { practiceId });
    r = await tb(practiceId);
    expect(r.totalDebitCents).toBe(r.totalCreditCents);
    expect(r.by['insurance-ar']).toBe(35_000);
    expect(r.by['patient-ar']).toBe(0);
    expect(r.by['contractual-allowance']).toBe(0);
    expect(r.by['cash']).toBe(12_250);
    expect(await netCollections(t.database!.db, practiceId, '2026-03')).toBe(-12_000 + 12_000);

    // The February trial balance still shows February as it was.
    expect((await tb(practiceId, '2026-02')).by['cash']).toBe(12_250);
  });

  it('posts an event once however often it arrives', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const c = ids();
    const id = crypto.randomUUID();
    await t.deliver(claimSubmitted, submitted(c, 9_900), { practiceId, id });
    await t.deliver(claimSubmitted, submitted(c, 9_900), { practiceId, id });
    // A second submission of the same original claim (another event) books no second charge.
    await t.deliver(claimSubmitted, submitted(c, 9_900), { practiceId });
    expect((await tb(practiceId)).by['gross-charges']).toBe(9_900);
    // A replacement claim books the difference to its new charge; a void takes it all back.
    await t.deliver(claimSubmitted, submitted(c, 11_000, '2026-02-10', '7'), { practiceId });
    expect((await tb(practiceId)).by['insurance-ar']).toBe(11_000);
    await t.deliver(claimSubmitted, submitted(c, 11_000, '2026-02-11', '8'), { practiceId });
    expect((await tb(practiceId)).by['insurance-ar']).toBe(0);
    const page = await t.call(listJournalEntries, { entity: practiceId }, mso);
    expect(page.items).toHaveLength(3);
  });

  it('moves denials to their account and books write-offs to bad debt or administrative write-offs', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const c = ids();
    await t.deliver(claimSubmitted, submitted(c, 10_000), { practiceId });
    await t.deliver(claimAdjudicated, { ...adjudicated(c, null, { paid: 0, co: 4_000, pr: 0 }), adjustments: [{ group: 'CO', reason: '50', amountCents: 4_000 }] }, { practiceId });
    await t.deliver(claimDenied, { claimId: c.claimId, amountCents: 4_000, reason: 'CO-50', deniedOn: '2026-02-20' }, { practiceId });
    await t.deliver(claimWrittenOff, { claimId: c.claimId, amountCents: 2_000, reason: 'bad-debt', writtenOffOn: '2026-02-25' }, { practiceId });
    await t.deliver(claimWrittenOff, { claimId: c.claimId, amountCents: 1_000, reason: 'small-balance', writtenOffOn: '2026-02-25' }, { practiceId });
    const r = await tb(practiceId);
    expect(r.by).toMatchObject({ denials: 4_000, 'contractual-allowance': 0, 'bad-debt': 2_000, 'administrative-write-offs': 1_000, 'insurance-ar': 3_000 });
  });

  it("books a denial on its own date, and a reversal's lifted denial back to the adjustment", async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const c = ids();
    await t.deliver(claimSubmitted, submitted(c, 10_000), { practiceId });
    const denial = { ...adjudicated(c, null, { paid: 0, co: 0, pr: 0 }), adjustments: [{ group: 'CO' as const, reason: '50', amountCents: 10_000 }] };
    await t.deliver(claimAdjudicated, denial, { practiceId });
    await t.deliver(claimDenied, { claimId: c.claimId, amountCents: 10_000, reason: 'CO-50', deniedOn: '2026-02-20' }, { practiceId });
    const feb = await t.call(listJournalEntries, { entity: practiceId, period: '2026-02' }, mso);
    expect(feb.items.find((e) => e.memo.includes('denied'))).toMatchObject({ date: '2026-02-20', sourceDate: '2026-02-20' });
    await t.deliver(claimAdjudicated, { ...denial, adjudicationId: crypto.randomUUID(), paymentDate: '2026-03-02', adjustments: [{ group: 'CO', reason: '50', amountCents: -10_000 }], reversal: true }, { practiceId });
    await t.deliver(claimDenied, { claimId: c.claimId, amountCents: -10_000, reason: 'CO-50', deniedOn: '2026-03-02' }, { practiceId });
    expect((await tb(practiceId)).by).toMatchObject({ denials: 0, 'contractual-allowance': 0, 'insurance-ar': 10_000 });
  });

  it('ages receivables per claim, insurance and patient', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const old = ids();
    const recent = ids();
    await t.deliver(claimSubmitted, submitted(old, 5_000, '2025-11-20'), { practiceId });
    await t.deliver(claimSubmitted, submitted(recent, 7_000, '2026-03-01'), { practiceId });
    await t.deliver(claimAdjudicated, adjudicated(recent, null, { paid: 4_000, co: 1_000, pr: 2_000, date: '2026-03-02' }), { practiceId });
    const aging = await t.call(getArAging, { entity: practiceId, asOf: '2026-03-10' }, mso);
    expect(aging.insurance.buckets).toEqual({ '0-30': 0, '31-60': 0, '61-90': 0, '91-120': 5_000, '120+': 0 });
    expect(aging.patient.buckets['0-30']).toBe(2_000);
    expect(aging.totalCents).toBe(7_000);
  });
});

describe('accountants on the books', () => {
  it('posts a balanced manual entry with its reason, refuses an unbalanced one, and reverses', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const rent = await t.call(createAccount, { entity: practiceId, code: '6310', name: 'Parking', type: 'expense' }, mso);
    expect(rent).toMatchObject({ key: null, normalSide: 'debit', system: false });
    await expect(t.call(createAccount, { entity: practiceId, code: '6310', name: 'Again', type: 'expense' }, mso)).rejects.toMatchObject({ status: 409 });

    await expect(
      t.call(createJournalEntry, { entity: practiceId, date: '2026-03-02', memo: 'Parking', reason: 'March invoice', lines: [{ account: rent.id, debitCents: 500 }, { account: 'cash', creditCents: 400 }] }, { ...mso, idempotencyKey: 'k1' }),
    ).rejects.toMatchObject({ status: 422, errors: [{ path: '/lines' }] });
    await expect(
      t.call(createJournalEntry, { entity: practiceId, date: '2026-03-02', memo: 'Parking', reason: 'x', lines: [{ account: 'no-such', debitCents: 500 }, { account: 'cash', creditCents: 500 }] }, { ...mso, idempotencyKey: 'k2' }),
    ).rejects.toMatchObject({ status: 422, errors: [{ path: '/lines/0/account' }] });

    const entry = await t.call(createJournalEntry, { entity: practiceId, date: '2026-03-02', memo: 'Parking', reason: 'March invoice', lines: [{ account: rent.id, debitCents: 500 }, { account: 'cash', creditCents: 500 }] }, { ...mso, idempotencyKey: 'k3' });
    expect(entry).toMatchObject({ period: '2026-03', totalCents: 500, source: { kind: 'user', by: 'test-mso-admin', reason: 'March invoice' } });
    const reversal = await t.call(reverseJournalEntry, { id: entry.id, entity: practiceId, reason: 'posted to the wrong practice' }, { ...mso, idempotencyKey: 'k4' });
    expect(reversal.lines.map((l) => [l.accountId, l.debitCents, l.creditCents])).toEqual([
      [rent.id, 0, 500],
      [entry.lines[1]!.accountId, 500, 0],
    ]);
    expect(await t.call(getJournalEntry, { id: entry.id, entity: practiceId }, mso)).toMatchObject({ reversedBy: reversal.id });
    await expect(t.call(reverseJournalEntry, { id: entry.id, entity: practiceId, reason: 'again' }, { ...mso, idempotencyKey: 'k5' })).rejects.toMatchObject({ status: 409 });
    const gl = await t.call(getGeneralLedger, { entity: practiceId, account: rent.id }, mso);
    expect(gl.lines.map((l) => l.balanceCents)).toEqual([500, 0]);
  });

  it('keeps a practice key to its own books', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const other = await t.practice({ services: ['billing', 'finance'] });
    const own = await t.call(getTrialBalance, {}, { practiceId, role: 'practice-admin' });
    expect(own.entity).toBe(practiceId);
    await expect(t.call(getTrialBalance, { entity: other }, { practiceId, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getTrialBalance, { entity: 'mso' }, { practiceId, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getTrialBalance, {}, mso)).rejects.toMatchObject({ status: 400, errors: [{ path: '/entity' }] });
  });

  it('closes a month: not before it is over, not with a remittance half-booked; later events move to the next open month', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const c = ids();
    await t.deliver(claimSubmitted, submitted(c, 10_000, '2026-02-03'), { practiceId });
    await expect(t.call(closePeriod, { entity: practiceId, period: '2026-03' }, mso)).rejects.toMatchObject({ status: 409 });
    const era = crypto.randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(c, era, { paid: 6_000, co: 4_000, pr: 0 }), { practiceId });
    await expect(t.call(closePeriod, { entity: practiceId, period: '2026-02' }, mso)).rejects.toMatchObject({ status: 409, message: expect.stringContaining('pending') });
    await t.deliver(remittancePosted, { remittanceId: era, traceNumber: 'T9', payerId: null, paymentDate: '2026-02-20', paymentAmountCents: 6_000, claimPaymentCents: 6_000, providerAdjustments: [] }, { practiceId });
    const closed = await t.call(closePeriod, { entity: practiceId, period: '2026-02' }, mso);
    expect(closed).toMatchObject({ period: '2026-02', status: 'closed', entries: 3 });
    const before = await tb(practiceId, '2026-02');

    // A late event dated in February posts on March 1st and says so.
    const late = ids();
    await t.deliver(claimSubmitted, submitted(late, 3_000, '2026-02-27'), { practiceId });
    const march = await t.call(listJournalEntries, { entity: practiceId, period: '2026-03' }, mso);
    expect(march.items).toEqual([expect.objectContaining({ date: '2026-03-01', sourceDate: '2026-02-27', shiftedFrom: '2026-02' })]);
    expect(await tb(practiceId, '2026-02')).toEqual(before);
    // An accountant's entry into the closed month is refused, naming it.
    await expect(
      t.call(createJournalEntry, { entity: practiceId, date: '2026-02-10', memo: 'late', reason: 'x', lines: [{ account: 'cash', debitCents: 1 }, { account: 'interest-income', creditCents: 1 }] }, { ...mso, idempotencyKey: 'late-1' }),
    ).rejects.toMatchObject({ status: 409, message: 'period 2026-02 is closed' });
    const periods = await t.call(listPeriods, { entity: practiceId }, mso);
    expect(periods.periods.map((p) => [p.period, p.status])).toEqual([
      ['2026-02', 'closed'],
      ['2026-03', 'open'],
    ]);
  });

  it('closes a fiscal year into retained earnings', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    const c = ids();
    await t.deliver(claimSubmitted, submitted(c, 10_000, '2025-06-03'), { practiceId });
    await t.deliver(claimAdjudicated, adjudicated(c, null, { paid: 7_000, co: 3_000, pr: 0, date: '2025-07-01' }), { practiceId });
    const closed = await t.call(closeFiscalYear, { entity: practiceId, year: 2025 }, mso);
    expect(closed).toMatchObject({ from: '2025-01', to: '2025-12', netIncomeCents: 7_000 });
    expect(closed.periodsClosed).toHaveLength(12);
    const r = await tb(practiceId);
    expect(r.by).toMatchObject({ 'retained-earnings': 7_000, 'gross-charges': 0, 'contractual-allowance': 0, cash: 7_000 });
    const pl = await t.call(getProfitAndLoss, { entity: practiceId, from: '2025-01', to: '2025-12' }, mso);
    expect(pl).toMatchObject({ totalRevenueCents: 7_000, netIncomeCents: 7_000 });
    const bs = await t.call(getBalanceSheet, { entity: practiceId }, mso);
    expect(bs.totalAssetsCents).toBe(bs.totalLiabilitiesAndEquityCents);
    expect(bs.equity).toEqual([expect.objectContaining({ key: 'retained-earnings', amountCents: 7_000 })]);
    await expect(t.call(closeFiscalYear, { entity: practiceId, year: 2025 }, mso)).rejects.toMatchObject({ status: 409 });
  });

  it('exports the trial balance as CSV and proves balances by the check job', async () => {
    const practiceId = await t.practice({ services: ['billing', 'finance'] });
    await t.deliver(claimSubmitted, submitted(ids(), 12_345), { practiceId });
    const file = await t.call(exportTrialBalance, { entity: practiceId }, mso);
    expect(file.mediaType).toMatch(/^text\/csv/);
    const text = new TextDecoder().decode(file.bytes);
    expect(text.split('\r\n')[0]).toBe('entity,period,code,key,name,type,debit,credit,balance');
    expect(text).toContain(`${practiceId},,1100,insurance-ar,Accounts receivable - insurance,asset,123.45,0.00,123.45`);
    const gl = new TextDecoder().decode((await t.call(exportGeneralLedger, { entity: practiceId, account: 'gross-charges', period: '2026-02' }, mso)).bytes).split('\r\n');
    expect(gl[0]).toBe('entity,account_code,account_key,account_name,date,entry_id,memo,source,ref,debit,credit,balance');
    expect(gl[1]).toBe(`${practiceId},4000,gross-charges,Gross patient charges,2026-02-01,,Opening balance,,,,,0.00`);
    expect(gl[2]).toMatch(/,2026-02-03,[0-9a-f-]{36},Claim [0-9a-f-]{36} submitted \(frequency 1\),event,[0-9a-f-]{36},0.00,123.45,123.45$/);
    const pl = await t.call(getProfitAndLoss, { entity: practiceId, period: '2026-02' }, mso);
    expect(pl).toMatchObject({ from: '2026-02', to: '2026-02', totalRevenueCents: 12_345, totalExpenseCents: 0, netIncomeCents: 12_345 });
    await expect(t.call(getArAging, { entity: 'mso' }, mso)).rejects.toMatchObject({ status: 404 });
    await t.runJob('balance-check');
    expect(await t.call(getBalanceCheck, {}, mso)).toMatchObject({ mismatches: 0, checkedAt: '2026-03-10T15:00:00.000Z' });
  });
});
