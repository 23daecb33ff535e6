import { describe, expect, it } from 'vitest';
import { claimStatuses } from '@mso/contracts/billing';
import { agingBucket, contractualCents, daysInAr, netCollectionRate, percent, totalOf, type Report } from './reports.js';

const report = (over: { practiceId: string; clean: number; answered: number; adjudicated: number; denied: number; paid: number; charges: number; contractual: number }): Report => ({
  practiceId: over.practiceId,
  from: '2026-03-04',
  to: '2026-06-01',
  asOf: '2026-06-01T15:00:00.000Z',
  claimsByStatus: claimStatuses.map((status) => ({ status, claims: status === 'paid' ? over.adjudicated : 0, chargeCents: 0, balanceCents: 0 })),
  daysInAr: { arBalanceCents: 1000, chargesCents: 9000, periodDays: 90, days: daysInAr(1000, 9000, 90), aging: [] },
  cleanClaimRate: { acceptedOnFirstSubmission: over.clean, answered: over.answered, awaitingAnswer: 0, percent: percent(over.clean, over.answered) },
  denialRate: {
    adjudicatedClaims: over.adjudicated,
    deniedClaims: over.denied,
    percent: percent(over.denied, over.adjudicated),
    adjudicatedChargeCents: 0,
    deniedCents: 0,
    amountPercent: null,
    byReason: [{ group: 'CO', reason: '50', description: 'x', known: true, claims: over.denied, amountCents: 100, percent: null }],
  },
  netCollectionRate: netCollectionRate(over.charges, over.contractual, over.paid),
});

describe('revenue-cycle measures', () => {
  it('rounds rates to one decimal and has none without a denominator', () => {
    expect(percent(2, 3)).toBe(66.7);
    expect(percent(0, 0)).toBeNull();
    expect(daysInAr(10000, 80000, 61)).toBe(7.6);
    expect(daysInAr(10000, 0, 61)).toBeNull();
  });

  it('buckets AR by age', () => {
    expect([0, 30, 31, 60, 61, 90, 91, 120, 121].map(agingBucket)).toEqual(['0-30', '0-30', '31-60', '31-60', '61-90', '61-90', '91-120', '91-120', '120+']);
  });

  it('takes only contractual CO adjustments off the charges for net collections; reversals net out', () => {
    expect(
      contractualCents([
        { group: 'CO', reason: '45', amountCents: 3000 },
        { group: 'CO', reason: '50', amountCents: 9000 },
        { group: 'PR', reason: '2', amountCents: 1000 },
        { group: 'CO', reason: '45', amountCents: -1000 },
      ]),
    ).toBe(2000);
    expect(netCollectionRate(10000, 2000, 6000).percent).toBe(75);
  });

  it('totals practices from their summed parts, not by averaging their rates', () => {
    const a = report({ practiceId: 'a', clean: 9, answered: 10, adjudicated: 10, denied: 1, paid: 900, charges: 1000, contractual: 100 });
    const b = report({ practiceId: 'b', clean: 45, answered: 90, adjudicated: 90, denied: 45, paid: 100, charges: 1000, contractual: 800 });
    const total = totalOf([a, b], { from: '2026-03-04', to: '2026-06-01', asOf: '2026-06-01T15:00:00.000Z' });
    expect(total.practiceId).toBeNull();
    expect(total.cleanClaimRate).toMatchObject({ acceptedOnFirstSubmission: 54, answered: 100, percent: 54 });
    expect(total.denialRate).toMatchObject({ adjudicatedClaims: 100, deniedClaims: 46, percent: 46, byReason: [{ reason: '50', claims: 46, amountCents: 200, percent: 46 }] });
    expect(total.netCollectionRate).toEqual({ chargesCents: 2000, contractualAdjustmentCents: 900, paidCents: 1000, percent: 90.9 });
    expect(total.claimsByStatus.find((s) => s.status === 'paid')!.claims).toBe(100);
    expect(total.daysInAr).toMatchObject({ arBalanceCents: 2000, chargesCents: 18000, days: 10 });
  });
});
