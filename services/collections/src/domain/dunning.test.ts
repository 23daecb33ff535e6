import { describe, expect, it } from 'vitest';
import { addDays } from '@mso/kit';
import { decideDunning, DEFAULT_DUNNING_POLICY, policyOf, startAt, type DunningPosition, type PolicyFields } from './dunning.js';

const policy: PolicyFields = { ...DEFAULT_DUNNING_POLICY, reminder1AfterDays: 20, reminder2AfterDays: 15, finalNoticeAfterDays: 10, agencyReferralAfterDays: 30 };

/** Runs the daily decision from `from` for `days` days and lists the steps taken, with their dates. */
function walk(position: DunningPosition, from: string, days: number, p: PolicyFields, payments: string[] = []) {
  const steps: string[] = [];
  let pos = position;
  for (let d = 0; d <= days; d++) {
    const today = addDays(from, d);
    const last = payments.filter((x) => x <= today).sort().at(-1) ?? null;
    const action = decideDunning(pos, p, today, last);
    if (action.kind === 'none') continue;
    steps.push(`${today} ${action.kind === 'advance' ? action.to : action.kind}`);
    pos = action.position;
  }
  return steps;
}

describe('dunning', () => {
  it('walks statement → reminder 1 → reminder 2 → final notice → agency referral on the policy days', () => {
    expect(walk(startAt('2026-01-01', policy), '2026-01-01', 200, policy)).toEqual([
      '2026-01-21 reminder-1',
      '2026-02-05 reminder-2',
      '2026-02-15 final-notice',
      '2026-03-17 agency-referral',
    ]);
  });

  it('starts over at the statement on a payment when the policy resets', () => {
    const reset = { ...policy, onPayment: 'reset' as const };
    expect(walk(startAt('2026-01-01', reset), '2026-01-01', 60, reset, ['2026-01-25'])).toEqual([
      '2026-01-21 reminder-1',
      '2026-01-25 reset',
      '2026-02-14 reminder-1',
      '2026-03-01 reminder-2',
    ]);
  });

  it('holds the step for the pause days on a payment when the policy pauses', () => {
    const pause = { ...policy, onPayment: 'pause' as const, pauseDays: 30 };
    expect(walk(startAt('2026-01-01', pause), '2026-01-01', 80, pause, ['2026-01-25'])).toEqual([
      '2026-01-21 reminder-1',
      '2026-01-25 pause',
      '2026-02-24 reminder-2', // due 02-05, held until 30 days after the payment
      '2026-03-06 final-notice',
    ]);
  });

  it('reacts to each payment once', () => {
    const pos = startAt('2026-01-01', policy);
    const first = decideDunning(pos, policy, '2026-01-05', '2026-01-04');
    expect(first.kind).toBe('pause');
    expect(decideDunning(first.kind === 'pause' ? first.position : pos, policy, '2026-01-06', '2026-01-04')).toEqual({ kind: 'none' });
  });

  it('takes the practice policy over the agreement terms over the defaults', () => {
    expect(policyOf(null, undefined)).toMatchObject({ source: 'default', reminder1AfterDays: 30 });
    expect(policyOf(null, { reminder1AfterDays: 12 })).toMatchObject({ source: 'agreement', reminder1AfterDays: 12, reminder2AfterDays: 30 });
    expect(policyOf(policy, { reminder1AfterDays: 12 })).toMatchObject({ source: 'practice', reminder1AfterDays: 20 });
  });
});
