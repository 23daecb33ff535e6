import { describe, expect, it } from 'vitest';
import { consolidate, intercompanyRows, type EntityBalance, type MsoSideByPractice } from './consolidation.js';

const acc = (practiceId: string | null, key: string | null, code: string, type: string, normalSide: 'debit' | 'credit', debitCents: number, creditCents: number): EntityBalance => ({
  practiceId,
  key,
  code,
  name: key ?? `Account ${code}`,
  type,
  normalSide,
  debitCents,
  creditCents,
});

// The MSO invoiced practice P $500.00 (both books) and P paid its $300.00 rent; the MSO has $1,000.00 cash.
const balances: EntityBalance[] = [
  acc('P', 'management-fee-expense', '6500', 'expense', 'debit', 500_00, 0),
  acc('P', 'due-to-mso', '2200', 'liability', 'credit', 0, 500_00),
  acc('P', null, '6300', 'expense', 'debit', 300_00, 0),
  acc('P', 'cash', '1000', 'asset', 'debit', 0, 300_00),
  acc(null, 'due-from-practice', '1300', 'asset', 'debit', 500_00, 0),
  acc(null, 'management-fee-income', '4500', 'revenue', 'credit', 0, 500_00),
  acc(null, 'cash', '1000', 'asset', 'debit', 1_000_00, 0),
  acc(null, 'retained-earnings', '3900', 'equity', 'credit', 0, 1_000_00),
];
const mso: MsoSideByPractice = new Map([['P', { dueFromPracticeCents: 500_00, feeIncomeCents: 500_00 }]]);

describe('intercompany and consolidation', () => {
  it('sets each practice’s due-to-mso beside the MSO’s due-from-practice for it', () => {
    expect(intercompanyRows(['P', 'Q'], balances, mso)).toEqual([
      { practiceId: 'P', dueToMsoCents: 500_00, dueFromPracticeCents: 500_00, differenceCents: 0 },
      { practiceId: 'Q', dueToMsoCents: 0, dueFromPracticeCents: 0, differenceCents: 0 },
    ]);
    const mismatch: MsoSideByPractice = new Map([['P', { dueFromPracticeCents: 450_00, feeIncomeCents: 450_00 }]]);
    expect(intercompanyRows(['P'], balances, mismatch)[0]!.differenceCents).toBe(-50_00);
  });

  it('adds the entities up by account and eliminates what they owe and charge each other', () => {
    const c = consolidate(balances, mso);
    const by = (code: string) => c.accounts.find((a) => a.code === code)!;
    expect(by('1000')).toMatchObject({ key: 'cash', debitCents: 1_000_00, creditCents: 300_00, eliminatedCents: 0, balanceCents: 700_00 });
    expect(by('1300')).toMatchObject({ eliminatedCents: 500_00, balanceCents: 0 });
    expect(by('2200')).toMatchObject({ eliminatedCents: -500_00, balanceCents: 0 });
    expect(by('4500')).toMatchObject({ eliminatedCents: -500_00, balanceCents: 0 });
    expect(by('6500')).toMatchObject({ eliminatedCents: 500_00, balanceCents: 0 });
    expect(by('6300')).toMatchObject({ balanceCents: 300_00 });
    expect(c.accounts.map((a) => a.code)).toEqual(['1000', '1300', '2200', '3900', '4500', '6300', '6500']);
    expect(c.totalDebitCents).toBe(1_300_00);
    expect(c.totalCreditCents).toBe(1_300_00);
    expect(c.eliminations).toEqual([
      { pair: 'due-from-practice / due-to-mso', practiceId: 'P', amountCents: 500_00 },
      { pair: 'management-fee-income / management-fee-expense', practiceId: 'P', amountCents: 500_00 },
    ]);
  });

  it('eliminates only what both books agree on, so a one-sided amount stays visible', () => {
    const oneSided: MsoSideByPractice = new Map([['P', { dueFromPracticeCents: 450_00, feeIncomeCents: 450_00 }]]);
    const c = consolidate(balances, oneSided);
    expect(c.accounts.find((a) => a.key === 'due-to-mso')).toMatchObject({ eliminatedCents: -450_00, balanceCents: 50_00 });
    expect(c.eliminations.map((e) => e.amountCents)).toEqual([450_00, 450_00]);
    const msoMissing = consolidate(balances.filter((b) => b.practiceId !== null), new Map());
    expect(msoMissing.eliminations).toEqual([]);
    expect(msoMissing.accounts.find((a) => a.key === 'due-to-mso')).toMatchObject({ balanceCents: 500_00 });
  });
});
