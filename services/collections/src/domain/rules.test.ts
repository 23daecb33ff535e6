import { describe, expect, it } from 'vitest';
import { age, agedFrom, bucketOf } from './aging.js';
import { applyAmount } from './apply.js';
import { addMonths } from './dates.js';
import { checkPlan, isComplete, missedInstallment, payInstallments, schedule } from './plans.js';
import { responsibilityOf } from './responsibility.js';

describe('applying money to balances', () => {
  const items = [
    { claimId: 'old', openCents: 5_000 },
    { claimId: 'mid', openCents: 3_000 },
    { claimId: 'new', openCents: 2_000 },
  ];

  it('pays the oldest balance first and keeps what is left as credit', () => {
    expect(applyAmount(6_000, items)).toEqual({ applications: [{ claimId: 'old', amountCents: 5_000 }, { claimId: 'mid', amountCents: 1_000 }], leftCents: 0 });
    expect(applyAmount(12_500, items)).toEqual({
      applications: [
        { claimId: 'old', amountCents: 5_000 },
        { claimId: 'mid', amountCents: 3_000 },
        { claimId: 'new', amountCents: 2_000 },
      ],
      leftCents: 2_500,
    });
  });

  it('pays the named claim first, then the oldest', () => {
    expect(applyAmount(2_500, items, 'new').applications).toEqual([{ claimId: 'new', amountCents: 2_000 }, { claimId: 'old', amountCents: 500 }]);
  });

  it('is all credit when nothing is owed', () => {
    expect(applyAmount(700, [])).toEqual({ applications: [], leftCents: 700 });
  });
});

describe('aging', () => {
  it('puts each open balance in its bucket by days since it was first stated', () => {
    expect([0, 30, 31, 60, 61, 90, 91, 120, 121, 400].map(bucketOf)).toEqual([
      'current',
      'current',
      'days31to60',
      'days31to60',
      'days61to90',
      'days61to90',
      'days91to120',
      'days91to120',
      'over120',
      'over120',
    ]);
    const aging = age(
      [
        { openCents: 1_000, firstStatementOn: '2026-05-01', adjudicatedOn: '2026-01-01' }, // 31 days since its statement
        { openCents: 2_000, firstStatementOn: null, adjudicatedOn: '2026-05-20' }, // no statement: from adjudication
        { openCents: 4_000, firstStatementOn: '2026-01-15', adjudicatedOn: '2026-01-10' }, // 137 days
        { openCents: 0, firstStatementOn: null, adjudicatedOn: '2025-01-01' }, // paid
      ],
      '2026-06-01',
    );
    expect(aging).toEqual({ current: 2_000, days31to60: 1_000, days61to90: 0, days91to120: 0, over120: 4_000 });
  });

  it('says what an item ages from', () => {
    expect(agedFrom({ firstStatementOn: null, adjudicatedOn: '2026-05-20' })).toEqual({ from: '2026-05-20', basis: 'adjudication' });
    expect(agedFrom({ firstStatementOn: '2026-06-01', adjudicatedOn: '2026-05-20' })).toEqual({ from: '2026-06-01', basis: 'first-statement' });
  });
});

describe('payment plans', () => {
  const terms = { totalCents: 10_000, installmentCount: 3, minInstallmentCents: 2_500, firstDueOn: '2026-01-31' };

  it('schedules monthly installments, the odd cents first, the day clamped to short months', () => {
    expect(schedule(terms)).toEqual([
      { number: 1, dueOn: '2026-01-31', amountCents: 3_334, paidCents: 0 },
      { number: 2, dueOn: '2026-02-28', amountCents: 3_333, paidCents: 0 },
      { number: 3, dueOn: '2026-03-31', amountCents: 3_333, paidCents: 0 },
    ]);
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('refuses terms above the balance, in the past or below the minimum installment', () => {
    expect(checkPlan(terms, 10_000, '2026-01-01')).toEqual([]);
    expect(checkPlan(terms, 9_999, '2026-01-01').map((p) => p.path)).toEqual(['/totalCents']);
    expect(checkPlan(terms, 10_000, '2026-02-01').map((p) => p.path)).toEqual(['/firstDueOn']);
    expect(checkPlan({ ...terms, installmentCount: 5 }, 10_000, '2026-01-01').map((p) => p.path)).toEqual(['/installmentCount']);
  });

  it('pays installments in due order and completes when all are paid', () => {
    const paid = payInstallments(schedule(terms), 4_000);
    expect(paid.installments.map((i) => i.paidCents)).toEqual([3_334, 666, 0]);
    expect(paid.appliedCents).toBe(4_000);
    const rest = payInstallments(paid.installments, 9_000);
    expect(rest.appliedCents).toBe(6_000);
    expect(isComplete(rest.installments)).toBe(true);
  });

  it('defaults only once an installment is unpaid past the grace period', () => {
    const installments = payInstallments(schedule(terms), 3_334).installments; // the first paid
    expect(missedInstallment(installments, '2026-03-15', 15)).toBeUndefined(); // 2nd due 02-28: 15 days late, inside grace
    expect(missedInstallment(installments, '2026-03-16', 15)).toMatchObject({ number: 2 });
    expect(missedInstallment(payInstallments(installments, 3_333).installments, '2026-03-16', 15)).toBeUndefined();
  });
});

describe('patient responsibility of an adjudication', () => {
  const base = {
    claimId: '00000000-0000-4000-8000-000000000001',
    remittanceId: null,
    adjudicationId: '00000000-0000-4000-8000-000000000002',
    patientId: '00000000-0000-4000-8000-000000000003',
    payerId: '00000000-0000-4000-8000-000000000004',
    paymentDate: '2026-05-21',
    paidCents: 8_000,
    adjustments: [
      { group: 'CO' as const, reason: '45', amountCents: 2_000 },
      { group: 'PR' as const, reason: '1', amountCents: 1_500 },
    ],
    patientResponsibility: [
      { reason: 'deductible' as const, amountCents: 1_500 },
      { reason: 'copay' as const, amountCents: 2_500 },
    ],
    lines: [
      { lineId: '00000000-0000-4000-8000-0000000000a1', serviceDate: '2026-05-02', chargeCents: 9_000, paidCents: 6_000, patientResponsibility: [{ reason: 'deductible' as const, amountCents: 1_500 }] },
      { lineId: '00000000-0000-4000-8000-0000000000a2', serviceDate: '2026-05-01', chargeCents: 4_000, paidCents: 2_000, patientResponsibility: [] },
    ],
    reversal: false,
  };

  it('takes each line and reason; what only the claim carries goes on the claim', () => {
    const change = responsibilityOf(base);
    expect(change.lines).toEqual([
      { lineId: base.lines[0]!.lineId, reason: 'deductible', serviceDate: '2026-05-02', amountCents: 1_500 },
      { lineId: base.claimId, reason: 'copay', serviceDate: '2026-05-01', amountCents: 2_500 },
    ]);
    expect(change).toMatchObject({ totalCents: 4_000, insurancePaidCents: 8_000, adjustmentCents: 2_000, chargeCents: 13_000, serviceDate: '2026-05-01' });
  });

  it('a reversal (negated amounts) removes it', () => {
    const negate = <T extends { amountCents: number }>(x: T) => ({ ...x, amountCents: -x.amountCents });
    const reversal = {
      ...base,
      reversal: true,
      paidCents: -8_000,
      adjustments: base.adjustments.map(negate),
      patientResponsibility: base.patientResponsibility.map(negate),
      lines: base.lines.map((l) => ({ ...l, chargeCents: -l.chargeCents, paidCents: -l.paidCents, patientResponsibility: l.patientResponsibility.map(negate) })),
    };
    const change = responsibilityOf(reversal);
    expect(change.totalCents).toBe(-4_000);
    expect(change.chargeCents).toBeNull();
    expect(change.lines.map((l) => l.amountCents)).toEqual([-1_500, -2_500]);
  });
});
