// Which guarantors get a statement, and what it says: the 35-day rule, the skips (hold, a current plan,
// an agency placement, no contact details), the lines, the aging and the pay-by date. Pure functions.
import { addDays } from '@mso/kit';
import { bucketOf, emptyAging } from './aging.js';
import { daysBetween } from './dates.js';
import type { Aging, StatementChannel, StatementLine, StatementSkipReason } from '@mso/contracts/collections';

/** At most one statement per guarantor in this many days. */
export const STATEMENT_INTERVAL_DAYS = 35;
/** Days from the statement date to the pay-by date when the practice's profile names none. */
export const DEFAULT_PAY_WITHIN_DAYS = 21;
/** The statement cycle day when the agreement names none. */
export const DEFAULT_CYCLE_DAY = 1;

/** Balances below this many cents get no statement when the agreement names no minimum. */
export const DEFAULT_MIN_STATEMENT_BALANCE_CENTS = 500;

/** The earliest date a guarantor stated on `lastStatementOn` may get the next statement. */
export const nextStatementOn = (lastStatementOn: string): string => addDays(lastStatementOn, STATEMENT_INTERVAL_DAYS);

export interface StatementCandidate {
  balanceCents: number;
  hold: boolean;
  planCurrent: boolean;
  placed: boolean;
  /** The date of the guarantor's latest statement, if any. */
  lastStatementOn: string | null;
  /** Name and mailing address known (the statement is addressed to someone). */
  hasContact: boolean;
}

export type StatementDecision = { due: true } | { due: false; reason: StatementSkipReason };

/**
 * Whether a guarantor with a patient balance gets a statement on `today`. The checks run in the order
 * a billing office reads them: placed and held accounts first, then a current plan, the minimum, the
 * 35-day rule, and last the contact details.
 */
export function statementDecision(c: StatementCandidate, rules: { today: string; minBalanceCents: number }): StatementDecision {
  if (c.placed) return { due: false, reason: 'placed-with-agency' };
  if (c.hold) return { due: false, reason: 'on-hold' };
  if (c.planCurrent) return { due: false, reason: 'plan-current' };
  if (c.balanceCents <= 0 || c.balanceCents < rules.minBalanceCents) return { due: false, reason: 'below-minimum' };
  if (c.lastStatementOn !== null && rules.today < nextStatementOn(c.lastStatementOn)) return { due: false, reason: 'stated-within-35-days' };
  if (!c.hasContact) return { due: false, reason: 'no-contact' };
  return { due: true };
}

/** Whether `date` is the practice's statement day (the cycle day of its month). */
export const isCycleDay = (date: string, cycleDay: number): boolean => Number(date.slice(8, 10)) === cycleDay;

export interface BalanceItemView {
  claimId: string;
  serviceDate: string | null;
  chargeCents: number;
  insurancePaidCents: number;
  adjustmentCents: number;
  responsibilityCents: number;
  paidCents: number;
  writtenOffCents: number;
  adjudicatedOn: string;
  firstStatementOn: string | null;
}

/** The statement's lines: the open items, each first stated on its earlier statement or on this one. */
export function statementLines(items: readonly BalanceItemView[], statementDate: string): StatementLine[] {
  return items
    .map((i) => ({
      claimId: i.claimId,
      serviceDate: i.serviceDate ?? i.adjudicatedOn,
      chargesCents: i.chargeCents,
      insurancePaidCents: i.insurancePaidCents,
      adjustmentsCents: i.adjustmentCents,
      patientResponsibilityCents: i.responsibilityCents,
      paymentsCents: i.paidCents,
      writtenOffCents: i.writtenOffCents,
      balanceCents: Math.max(0, i.responsibilityCents - i.paidCents - i.writtenOffCents),
      firstStatedOn: i.firstStatementOn ?? statementDate,
    }))
    .filter((l) => l.balanceCents > 0)
    .sort((a, b) => (a.serviceDate === b.serviceDate ? a.claimId.localeCompare(b.claimId) : a.serviceDate < b.serviceDate ? -1 : 1));
}

/** The amount due by days since each line was first stated: 0-30, 31-60, 61-90, 91-120, over 120. */
export function agingOf(lines: readonly Pick<StatementLine, 'balanceCents' | 'firstStatedOn'>[], asOf: string): Aging {
  const aging: Aging = emptyAging();
  for (const l of lines) aging[bucketOf(Math.max(0, daysBetween(l.firstStatedOn, asOf)))] += l.balanceCents;
  return aging;
}

export const payByDate = (statementDate: string, payWithinDays: number | null | undefined): string => addDays(statementDate, payWithinDays ?? DEFAULT_PAY_WITHIN_DAYS);

/** A reference the guarantor quotes with the payment: the statement date and the start of its id. */
export const paymentReference = (statementDate: string, statementId: string): string =>
  `${statementDate.replaceAll('-', '')}-${statementId.replaceAll('-', '').slice(0, 8).toUpperCase()}`;

export interface ContactView {
  preferredChannel: StatementChannel;
  consent: Partial<Record<StatementChannel, boolean>>;
  email: string | null;
  phone: string | null;
}

/**
 * The channel a statement goes by: the guarantor's preferred one when it can be used (e-mail and SMS
 * need the guarantor's consent and an address or number), else mail. `consent` is recorded with it.
 */
export function deliveryFor(g: ContactView): { channel: StatementChannel; consent: boolean } {
  const c = g.preferredChannel;
  if (c === 'email' && g.consent.email === true && g.email) return { channel: 'email', consent: true };
  if (c === 'sms' && g.consent.sms === true && g.phone) return { channel: 'sms', consent: true };
  if (c === 'portal') return { channel: 'portal', consent: true };
  return { channel: 'mail', consent: true };
}
