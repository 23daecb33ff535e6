import { describe, expect, it } from 'vitest';
import { addDays } from '@mso/kit';
import { agingOf, deliveryFor, isCycleDay, nextStatementOn, paymentReference, statementDecision, statementLines, type StatementCandidate } from './statements.js';

const due: StatementCandidate = { balanceCents: 5_000, hold: false, planCurrent: false, placed: false, lastStatementOn: null, hasContact: true };
const rules = { today: '2026-05-01', minBalanceCents: 500 };

describe('statement selection', () => {
  it('states a guarantor at most once in 35 days', () => {
    expect(nextStatementOn('2026-04-01')).toBe('2026-05-06');
    expect(statementDecision({ ...due, lastStatementOn: '2026-03-28' }, rules)).toEqual({ due: false, reason: 'stated-within-35-days' });
    expect(statementDecision({ ...due, lastStatementOn: '2026-03-27' }, rules)).toEqual({ due: true }); // 35 days before
    expect(statementDecision(due, rules)).toEqual({ due: true });
  });

  it('skips placed, held, planned and small balances, and says why', () => {
    expect(statementDecision({ ...due, placed: true, hold: true }, rules)).toEqual({ due: false, reason: 'placed-with-agency' });
    expect(statementDecision({ ...due, hold: true }, rules)).toEqual({ due: false, reason: 'on-hold' });
    expect(statementDecision({ ...due, planCurrent: true }, rules)).toEqual({ due: false, reason: 'plan-current' });
    expect(statementDecision({ ...due, balanceCents: 499 }, rules)).toEqual({ due: false, reason: 'below-minimum' });
    expect(statementDecision({ ...due, balanceCents: 500 }, rules)).toEqual({ due: true });
    expect(statementDecision({ ...due, hasContact: false }, rules)).toEqual({ due: false, reason: 'no-contact' });
  });

  it('knows the cycle day', () => {
    expect(isCycleDay('2026-05-15', 15)).toBe(true);
    expect(isCycleDay('2026-05-16', 15)).toBe(false);
  });
});

describe('statement content', () => {
  const item = { serviceDate: '2026-01-10', chargeCents: 20_000, insurancePaidCents: 12_000, adjustmentCents: 3_000, paidCents: 0, writtenOffCents: 0, adjudicatedOn: '2026-02-01' };
  it('lists open claims by date of service and ages them from their first statement', () => {
    const lines = statementLines(
      [
        { ...item, claimId: 'b', serviceDate: '2026-03-02', responsibilityCents: 4_000, paidCents: 1_000, firstStatementOn: null },
        { ...item, claimId: 'a', responsibilityCents: 5_000, firstStatementOn: '2026-02-05' },
        { ...item, claimId: 'c', responsibilityCents: 2_000, paidCents: 2_000, firstStatementOn: '2026-02-05' },
      ],
      '2026-04-01',
    );
    expect(lines.map((l) => [l.claimId, l.balanceCents, l.firstStatedOn])).toEqual([
      ['a', 5_000, '2026-02-05'],
      ['b', 3_000, '2026-04-01'],
    ]);
    expect(agingOf(lines, '2026-04-01')).toEqual({ current: 3_000, days31to60: 5_000, days61to90: 0, days91to120: 0, over120: 0 });
  });

  it('puts each bucket edge on the right side', () => {
    const aged = (days: number) => ({ balanceCents: days, firstStatedOn: addDays('2026-04-01', -days) });
    expect(agingOf([30, 31, 60, 61, 90, 91, 120, 121].map(aged), '2026-04-01')).toEqual({
      current: 30,
      days31to60: 31 + 60,
      days61to90: 61 + 90,
      days91to120: 91 + 120,
      over120: 121,
    });
  });

  it('sends e-mail and SMS only with consent, else mail', () => {
    const g = { preferredChannel: 'email' as const, consent: {}, email: 'x@example.org', phone: null };
    expect(deliveryFor(g)).toEqual({ channel: 'mail', consent: true });
    expect(deliveryFor({ ...g, consent: { email: true } })).toEqual({ channel: 'email', consent: true });
    expect(deliveryFor({ ...g, preferredChannel: 'sms', consent: { sms: true } })).toEqual({ channel: 'mail', consent: true });
  });

  it('makes a payment reference from the date and the statement', () => {
    expect(paymentReference('2026-04-01', '0b9e7f3a-5d7e-4a51-9a53-2f0c8a7f1e11')).toBe('20260401-0B9E7F3A');
  });
});
