import { claimStatuses, type ClaimStatus, type RevenueCycleReport } from '@mso/contracts/billing';
import { carcKind, describeCarc } from '../codes/index.js';
import { daysBetween } from './deadlines.js';
import { denialsOf, type Posting } from './denials.js';

// The revenue-cycle measures from plain rows, so a practice's report and the MSO's total add up the
// same way (a total is computed from the summed parts, never by averaging percentages).

export type Report = RevenueCycleReport;
type DenialRate = Report['denialRate'];

/** Percent with one decimal; null without a denominator. */
export const percent = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part * 1000) / whole) / 10 : null);

export const DEFAULT_PERIOD_DAYS = 90;

export const agingBuckets = ['0-30', '31-60', '61-90', '91-120', '120+'] as const;
export function agingBucket(days: number): (typeof agingBuckets)[number] {
  if (days <= 30) return '0-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  if (days <= 120) return '91-120';
  return '120+';
}

/** Claims sent to a payer and not closed: their balance is insurance AR. */
export const receivableStatuses: readonly ClaimStatus[] = ['submitted', 'accepted', 'rejected', 'paid', 'partially-paid', 'denied'];

export function daysInAr(arBalanceCents: number, chargesCents: number, periodDays: number): number | null {
  if (chargesCents <= 0 || periodDays <= 0) return null;
  return Math.round((arBalanceCents * periodDays * 10) / chargesCents) / 10;
}

export function agingOf(claims: readonly { submittedOn: string; balanceCents: number }[], today: string): Report['daysInAr']['aging'] {
  return agingBuckets.map((bucket) => {
    const inBucket = claims.filter((c) => agingBucket(daysBetween(c.submittedOn, today)) === bucket);
    return { bucket, claims: inBucket.length, balanceCents: inBucket.reduce((n, c) => n + c.balanceCents, 0) };
  });
}

/**
 * Denial rate of the postings in a period: claims with at least one denial among the claims
 * adjudicated, denied amount against the adjudicated claims' charges, and per CARC (group + reason) the
 * claims it denied and the amount.
 */
export function denialRateOf(postings: readonly Posting[], chargeByClaim: ReadonlyMap<string, number>): DenialRate {
  const adjudicated = new Set<string>();
  const denied = new Set<string>();
  const byReason = new Map<string, { group: string; reason: string; claims: Set<string>; amountCents: number }>();
  let deniedCents = 0;
  for (const posting of postings) {
    if (posting.reversal || posting.reversed) continue;
    adjudicated.add(posting.claimId);
    for (const d of denialsOf(posting)) {
      denied.add(d.claimId);
      deniedCents += d.deniedCents;
      for (const a of d.adjustments) {
        const key = `${a.group}-${a.reason}`;
        const entry = byReason.get(key) ?? { group: a.group, reason: a.reason, claims: new Set<string>(), amountCents: 0 };
        entry.claims.add(d.claimId);
        entry.amountCents += a.amountCents;
        byReason.set(key, entry);
      }
    }
  }
  const adjudicatedChargeCents = [...adjudicated].reduce((n, id) => n + (chargeByClaim.get(id) ?? 0), 0);
  return {
    adjudicatedClaims: adjudicated.size,
    deniedClaims: denied.size,
    percent: percent(denied.size, adjudicated.size),
    adjudicatedChargeCents,
    deniedCents,
    amountPercent: percent(deniedCents, adjudicatedChargeCents),
    byReason: [...byReason.values()]
      .sort((a, b) => b.claims.size - a.claims.size || b.amountCents - a.amountCents || a.reason.localeCompare(b.reason))
      .map((r) => {
        const carc = describeCarc(r.reason);
        return { group: r.group, reason: r.reason, description: carc.description, known: carc.known, claims: r.claims.size, amountCents: r.amountCents, percent: percent(r.claims.size, adjudicated.size) };
      }),
  };
}

/** CO adjustments the contract expects (CO-45, CO-253, ...): what net collections take off the charges. Reversal rows carry negative amounts, so the sum nets out. */
export function contractualCents(adjustments: readonly { group: string; reason: string; amountCents: number }[]): number {
  return adjustments.filter((a) => a.group === 'CO' && carcKind(a.reason) === 'contractual').reduce((n, a) => n + a.amountCents, 0);
}

export function netCollectionRate(chargesCents: number, contractualAdjustmentCents: number, paidCents: number): Report['netCollectionRate'] {
  return { chargesCents, contractualAdjustmentCents, paidCents, percent: percent(paidCents, chargesCents - contractualAdjustmentCents) };
}

/** The total of several practices' reports: counts and amounts summed, rates recomputed from the sums. */
export function totalOf(reports: readonly Report[], fallback: { from: string; to: string; asOf: string }): Report {
  const sum = (pick: (r: Report) => number) => reports.reduce((n, r) => n + pick(r), 0);
  const periodDays = reports[0]?.daysInAr.periodDays ?? DEFAULT_PERIOD_DAYS;
  const arBalanceCents = sum((r) => r.daysInAr.arBalanceCents);
  const chargesCents = sum((r) => r.daysInAr.chargesCents);
  const clean = sum((r) => r.cleanClaimRate.acceptedOnFirstSubmission);
  const answered = sum((r) => r.cleanClaimRate.answered);
  const adjudicatedClaims = sum((r) => r.denialRate.adjudicatedClaims);
  const deniedClaims = sum((r) => r.denialRate.deniedClaims);
  const adjudicatedChargeCents = sum((r) => r.denialRate.adjudicatedChargeCents);
  const deniedCents = sum((r) => r.denialRate.deniedCents);
  const reasons = new Map<string, DenialRate['byReason'][number]>();
  for (const r of reports.flatMap((x) => x.denialRate.byReason)) {
    const key = `${r.group}-${r.reason}`;
    const seen = reasons.get(key);
    reasons.set(key, seen ? { ...seen, claims: seen.claims + r.claims, amountCents: seen.amountCents + r.amountCents } : { ...r });
  }
  const ncr = netCollectionRate(sum((r) => r.netCollectionRate.chargesCents), sum((r) => r.netCollectionRate.contractualAdjustmentCents), sum((r) => r.netCollectionRate.paidCents));
  const dates = reports.map((r) => [r.from, r.to] as const);
  return {
    practiceId: null,
    from: dates.length ? dates.map((d) => d[0]).sort()[0]! : fallback.from,
    to: dates.length ? dates.map((d) => d[1]).sort().reverse()[0]! : fallback.to,
    asOf: fallback.asOf,
    claimsByStatus: claimStatuses.map((status) => {
      const rows = reports.flatMap((r) => r.claimsByStatus.filter((s) => s.status === status));
      return { status, claims: rows.reduce((n, s) => n + s.claims, 0), chargeCents: rows.reduce((n, s) => n + s.chargeCents, 0), balanceCents: rows.reduce((n, s) => n + s.balanceCents, 0) };
    }),
    daysInAr: {
      arBalanceCents,
      chargesCents,
      periodDays,
      days: daysInAr(arBalanceCents, chargesCents, periodDays),
      aging: agingBuckets.map((bucket) => {
        const rows = reports.flatMap((r) => r.daysInAr.aging.filter((a) => a.bucket === bucket));
        return { bucket, claims: rows.reduce((n, a) => n + a.claims, 0), balanceCents: rows.reduce((n, a) => n + a.balanceCents, 0) };
      }),
    },
    cleanClaimRate: { acceptedOnFirstSubmission: clean, answered, awaitingAnswer: sum((r) => r.cleanClaimRate.awaitingAnswer), percent: percent(clean, answered) },
    denialRate: {
      adjudicatedClaims,
      deniedClaims,
      percent: percent(deniedClaims, adjudicatedClaims),
      adjudicatedChargeCents,
      deniedCents,
      amountPercent: percent(deniedCents, adjudicatedChargeCents),
      byReason: [...reasons.values()]
        .sort((a, b) => b.claims - a.claims || b.amountCents - a.amountCents || a.reason.localeCompare(b.reason))
        .map((r) => ({ ...r, percent: percent(r.claims, adjudicatedClaims) })),
    },
    netCollectionRate: ncr,
  };
}
