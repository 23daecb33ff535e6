// The entries a fee run posts: what changed since the last run, as balanced lines per entity.
import type { VentureShare } from './fees.js';

export interface PlannedLine {
  account: 'management-fee-expense' | 'due-to-mso' | 'due-from-practice' | 'management-fee-income' | 'retained-earnings' | 'distributions-payable';
  debitCents?: number;
  creditCents?: number;
  memo?: string;
  /** The counterparty the line is about (the practice, in the MSO's books). */
  ref?: string;
}

/** Debit `account` by `cents` when positive, credit it by −`cents` when negative. */
const side = (account: PlannedLine['account'], cents: number, extra: Omit<PlannedLine, 'account' | 'debitCents' | 'creditCents'> = {}): PlannedLine =>
  cents >= 0 ? { account, debitCents: cents, ...extra } : { account, creditCents: -cents, ...extra };

/**
 * The mirrored entries for `differenceCents` more fee (negative: a credit back): in the practice's
 * books Dr management-fee-expense / Cr due-to-mso, in the MSO's books Dr due-from-practice (for the
 * practice) / Cr management-fee-income. Nothing when the difference is 0.
 */
export function feeEntries(practiceId: string, differenceCents: number): { practice: PlannedLine[]; mso: PlannedLine[] } | null {
  if (differenceCents === 0) return null;
  return {
    practice: [side('management-fee-expense', differenceCents), side('due-to-mso', -differenceCents)],
    mso: [side('due-from-practice', differenceCents, { ref: practiceId }), side('management-fee-income', -differenceCents, { ref: practiceId })],
  };
}

export interface ShareDifference {
  party: string;
  /** What this run adds to the party's distribution for the month (negative: takes back). */
  differenceCents: number;
}

/** Each owner's share now against what earlier runs distributed for the month. */
export function shareDifferences(shares: readonly VentureShare[], distributed: ReadonlyMap<string, number>): ShareDifference[] {
  const parties = new Set([...shares.map((s) => s.party), ...distributed.keys()]);
  return [...parties]
    .map((party) => ({ party, differenceCents: (shares.find((s) => s.party === party)?.amountCents ?? 0) - (distributed.get(party) ?? 0) }))
    .filter((d) => d.differenceCents !== 0);
}

/**
 * The MSO's distribution entry for a joint venture's profit: Dr retained-earnings, Cr
 * distributions-payable per owner (the other way round for what is taken back). Nothing when no share changed.
 */
export function distributionEntry(practiceId: string, differences: readonly ShareDifference[]): PlannedLine[] | null {
  if (differences.length === 0) return null;
  const total = differences.reduce((sum, d) => sum + d.differenceCents, 0);
  const lines = differences.map((d) => side('distributions-payable', -d.differenceCents, { memo: d.party, ref: practiceId }));
  return total === 0 ? lines : [side('retained-earnings', total, { ref: practiceId }), ...lines];
}
