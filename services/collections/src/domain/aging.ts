// Aging of patient balances: days from the first statement date (before any statement, from the
// adjudication date), in the buckets a billing office reads.
import { daysBetween } from './dates.js';

/** 0–30, 31–60, 61–90, 91–120 and over 120 days. */
export const agingBuckets = ['current', 'days31to60', 'days61to90', 'days91to120', 'over120'] as const;
export type AgingBucket = (typeof agingBuckets)[number];
export type Aging = Record<AgingBucket, number>;

export const emptyAging = (): Aging => ({ current: 0, days31to60: 0, days61to90: 0, days91to120: 0, over120: 0 });

export function bucketOf(days: number): AgingBucket {
  if (days <= 30) return 'current';
  if (days <= 60) return 'days31to60';
  if (days <= 90) return 'days61to90';
  if (days <= 120) return 'days91to120';
  return 'over120';
}

export interface AgedItem {
  openCents: number;
  /** First statement date, if any. */
  firstStatementOn: string | null;
  adjudicatedOn: string;
}

/** The date an item ages from, and whether that is a statement date (else the adjudication's). */
export const agedFrom = (item: Pick<AgedItem, 'firstStatementOn' | 'adjudicatedOn'>) => ({
  from: item.firstStatementOn ?? item.adjudicatedOn,
  basis: item.firstStatementOn ? ('first-statement' as const) : ('adjudication' as const),
});

/** Sums open cents into the buckets as of `today`. */
export function age(items: readonly AgedItem[], today: string): Aging {
  const aging = emptyAging();
  for (const item of items) {
    if (item.openCents <= 0) continue;
    aging[bucketOf(Math.max(0, daysBetween(agedFrom(item).from, today)))] += item.openCents;
  }
  return aging;
}

export function addAging(into: Aging, more: Aging): Aging {
  for (const b of agingBuckets) into[b] += more[b];
  return into;
}
