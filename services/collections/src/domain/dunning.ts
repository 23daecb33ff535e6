// The dunning sequence: statement → reminder 1 → reminder 2 → final notice → agency referral, each step
// a number of days after the one before; a payment resets the sequence or pauses it, as the policy says.
// Pure functions over calendar dates.
import { addDays } from '@mso/kit';
import { dunningSteps, type DunningPolicy, type DunningStep, type DunningTerms } from '@mso/contracts/collections';

export type PolicyFields = Omit<DunningPolicy, 'source'>;

export const DEFAULT_DUNNING_POLICY: PolicyFields = {
  reminder1AfterDays: 30,
  reminder2AfterDays: 30,
  finalNoticeAfterDays: 30,
  agencyReferralAfterDays: 30,
  onPayment: 'pause',
  pauseDays: 30,
  agencyId: null,
};

/** The policy in effect: one set in collections wins, else the agreement's terms over the defaults. */
export function policyOf(practicePolicy: PolicyFields | null, terms: DunningTerms | undefined): DunningPolicy {
  if (practicePolicy) return { ...practicePolicy, source: 'practice' };
  if (terms && Object.keys(terms).length > 0) return { ...DEFAULT_DUNNING_POLICY, ...terms, source: 'agreement' };
  return { ...DEFAULT_DUNNING_POLICY, source: 'default' };
}

export const nextStepOf = (step: DunningStep): DunningStep | null => dunningSteps[dunningSteps.indexOf(step) + 1] ?? null;

/** Days from `step` to the step after it (null at the last step). */
export function daysAfter(step: DunningStep, policy: PolicyFields): number | null {
  switch (step) {
    case 'statement':
      return policy.reminder1AfterDays;
    case 'reminder-1':
      return policy.reminder2AfterDays;
    case 'reminder-2':
      return policy.finalNoticeAfterDays;
    case 'final-notice':
      return policy.agencyReferralAfterDays;
    case 'agency-referral':
      return null;
  }
}

export interface DunningPosition {
  step: DunningStep;
  stepOn: string;
  nextStepOn: string | null;
  pausedUntil: string | null;
  /** The latest payment the sequence has already reacted to. */
  paymentSeenOn: string | null;
}

/** Where an account starts: at the statement, on its date. */
export function startAt(statementOn: string, policy: PolicyFields): DunningPosition {
  return { step: 'statement', stepOn: statementOn, nextStepOn: addDays(statementOn, policy.reminder1AfterDays), pausedUntil: null, paymentSeenOn: null };
}

export type DunningAction =
  | { kind: 'none' }
  | { kind: 'reset'; position: DunningPosition; paymentOn: string }
  | { kind: 'pause'; position: DunningPosition; paymentOn: string }
  | { kind: 'advance'; to: DunningStep; position: DunningPosition };

/**
 * What the daily dunning run does with an account on `today`, given its latest payment: a payment not
 * seen before resets the sequence to the statement (counting from the payment's date) or pauses it for
 * `pauseDays`; otherwise, when the next step is due and no pause holds it, the account moves one step.
 */
export function decideDunning(p: DunningPosition, policy: PolicyFields, today: string, lastPaymentOn: string | null): DunningAction {
  if (lastPaymentOn !== null && lastPaymentOn <= today && (p.paymentSeenOn === null || lastPaymentOn > p.paymentSeenOn) && lastPaymentOn >= p.stepOn) {
    if (policy.onPayment === 'reset') {
      return { kind: 'reset', paymentOn: lastPaymentOn, position: { ...startAt(lastPaymentOn, policy), paymentSeenOn: lastPaymentOn } };
    }
    const until = addDays(lastPaymentOn, policy.pauseDays);
    const next = p.nextStepOn === null ? null : p.nextStepOn > until ? p.nextStepOn : until;
    return { kind: 'pause', paymentOn: lastPaymentOn, position: { ...p, pausedUntil: until, nextStepOn: next, paymentSeenOn: lastPaymentOn } };
  }
  if (p.pausedUntil !== null && today < p.pausedUntil) return { kind: 'none' };
  if (p.nextStepOn === null || today < p.nextStepOn) return { kind: 'none' };
  const to = nextStepOf(p.step);
  if (to === null) return { kind: 'none' };
  const after = daysAfter(to, policy);
  return { kind: 'advance', to, position: { step: to, stepOn: today, nextStepOn: after === null ? null : addDays(today, after), pausedUntil: null, paymentSeenOn: p.paymentSeenOn } };
}
