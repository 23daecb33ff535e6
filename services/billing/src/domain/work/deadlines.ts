import type { BillingTerms, ClaimStatus } from '@mso/contracts/billing';

// Follow-up deadlines: when a claim must be filed by, and when a payer's silence becomes a missing ERA.

/** A payer that sets no limit, in an agreement that sets none: twelve months, as Medicare. */
export const DEFAULT_TIMELY_FILING_DAYS = 365;
export const DEFAULT_MISSING_ERA_DAYS = 45;

export interface PayerTerms {
  id: string;
  ediPayerId: string;
  timelyFilingDays: number | null;
}

export type LimitSource = 'payer' | 'agreement-payer' | 'agreement' | 'default';

/** A per-payer term, by the payer's EDI id or by its record id. */
const perPayer = (table: Record<string, number> | undefined, payer: PayerTerms) => table?.[payer.ediPayerId] ?? table?.[payer.id];

/** The payer's own limit, else the agreement's for that payer, else the agreement's, else 365 days. */
export function timelyFilingLimit(payer: PayerTerms, terms: BillingTerms | undefined): { days: number; source: LimitSource } {
  if (payer.timelyFilingDays) return { days: payer.timelyFilingDays, source: 'payer' };
  const byPayer = perPayer(terms?.timelyFilingDaysByPayer, payer);
  if (byPayer) return { days: byPayer, source: 'agreement-payer' };
  if (terms?.timelyFilingDays) return { days: terms.timelyFilingDays, source: 'agreement' };
  return { days: DEFAULT_TIMELY_FILING_DAYS, source: 'default' };
}

export function missingEraThreshold(payer: PayerTerms, terms: BillingTerms | undefined): number {
  return perPayer(terms?.missingEraDaysByPayer, payer) ?? terms?.missingEraDays ?? DEFAULT_MISSING_ERA_DAYS;
}

/** Claims the payer has not adjudicated yet: filing them in time still matters. */
export const unadjudicatedStatuses: readonly ClaimStatus[] = ['draft', 'ready', 'submitted', 'accepted', 'rejected'];

const DAY = 86_400_000;
const utc = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

/** Calendar days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((utc(to) - utc(from)) / DAY);
}

/** Counted from the (first) date of service, the date most payers' limits run from. */
export function timelyFilingDeadline(serviceDateFrom: string, limitDays: number): string {
  return new Date(utc(serviceDateFrom) + limitDays * DAY).toISOString().slice(0, 10);
}

/** Whether a claim sent on `submittedOn` and still unanswered on `today` is missing its remittance. */
export function isMissingEra(submittedOn: string, today: string, thresholdDays: number): boolean {
  return daysBetween(submittedOn, today) > thresholdDays;
}
