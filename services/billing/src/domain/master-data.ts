import { isValidNpi } from '@mso/x12';
import type { CoverageOrder, Subscriber, SubscriberRelationship } from '@mso/contracts/billing';

/** A field's problem, as a ProblemError lists it: a JSON pointer into the request and a message. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Why an NPI is refused, or null when it is valid (10 digits, Luhn check digit over 80840 + NPI). */
export function npiProblem(npi: string): string | null {
  if (!/^[0-9]{10}$/.test(npi)) return 'an NPI is exactly 10 digits';
  return isValidNpi(npi) ? null : 'the NPI check digit is wrong';
}

/** A run of days, both ends included; `to` null: open-ended. Dates are YYYY-MM-DD (they sort as text). */
export interface Period {
  from: string;
  to: string | null;
}

export function periodProblem(period: Period, toPath: string): FieldProblem | null {
  return period.to !== null && period.to < period.from ? { path: toPath, message: 'ends before it starts' } : null;
}

export function inEffect(period: Period, day: string): boolean {
  return period.from <= day && (period.to === null || day <= period.to);
}

export function overlaps(a: Period, b: Period): boolean {
  return (a.to === null || b.from <= a.to) && (b.to === null || a.from <= b.to);
}

// ---- Coverage ------------------------------------------------------------------------------------

export interface CoverageShape {
  relationship: SubscriberRelationship;
  subscriber: Subscriber | null;
  order: CoverageOrder;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** The rules of one coverage on its own: subscriber demographics exactly when the patient is not the subscriber; a period that does not end before it starts. */
export function coverageProblems(c: CoverageShape): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (c.relationship === 'self' && c.subscriber) problems.push({ path: '/subscriber', message: 'the patient is the subscriber (relationship self): no separate subscriber' });
  if (c.relationship !== 'self' && !c.subscriber) problems.push({ path: '/subscriber', message: `the subscriber's demographics are required when the relationship is ${c.relationship}` });
  const period = periodProblem({ from: c.effectiveFrom, to: c.effectiveTo }, '/effectiveTo');
  if (period) problems.push(period);
  return problems;
}

/**
 * The patient's other coverage that holds the same order (primary, secondary, tertiary) for some of the
 * same days, if any: a patient has one primary (one secondary, one tertiary) on any date of service.
 */
export function orderClash<T extends CoverageShape & { id: string }>(candidate: CoverageShape & { id?: string }, others: readonly T[]): T | undefined {
  return others.find(
    (o) => o.id !== candidate.id && o.order === candidate.order && overlaps({ from: o.effectiveFrom, to: o.effectiveTo }, { from: candidate.effectiveFrom, to: candidate.effectiveTo }),
  );
}

/** The coverages in effect on a date, primary first. */
export function coveragesOn<T extends CoverageShape>(coverages: readonly T[], day: string): T[] {
  const rank: Record<CoverageOrder, number> = { primary: 0, secondary: 1, tertiary: 2 };
  return coverages.filter((c) => inEffect({ from: c.effectiveFrom, to: c.effectiveTo }, day)).sort((a, b) => rank[a.order] - rank[b.order]);
}

// ---- Fees ----------------------------------------------------------------------------------------

/** What a fee matches on besides the code: the modifiers as a set (order does not matter). */
export function modifiersKey(modifiers: readonly string[]): string {
  return [...modifiers].sort().join(',');
}

export interface FeeEntryShape {
  code: string;
  modifiersKey: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** The problems of a batch of new fees: bad periods, and two fees (new or existing) for the same code and modifiers on the same day. */
export interface NewFeeShape {
  code: string;
  modifiers?: readonly string[] | undefined;
  effectiveFrom: string;
  effectiveTo?: string | null | undefined;
}

export function feeEntryProblems(entries: readonly NewFeeShape[], existing: readonly FeeEntryShape[], basePath = '/entries'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen: FeeEntryShape[] = [...existing];
  entries.forEach((e, i) => {
    const shaped: FeeEntryShape = { code: e.code, modifiersKey: modifiersKey(e.modifiers ?? []), effectiveFrom: e.effectiveFrom, effectiveTo: e.effectiveTo ?? null };
    const period = periodProblem({ from: shaped.effectiveFrom, to: shaped.effectiveTo }, `${basePath}/${i}/effectiveTo`);
    if (period) problems.push(period);
    else if (seen.some((s) => s.code === shaped.code && s.modifiersKey === shaped.modifiersKey && overlaps({ from: s.effectiveFrom, to: s.effectiveTo }, { from: shaped.effectiveFrom, to: shaped.effectiveTo })))
      problems.push({ path: `${basePath}/${i}`, message: `a fee for ${shaped.code}${shaped.modifiersKey ? ` with ${shaped.modifiersKey}` : ''} is already in effect on some of these days` });
    seen.push(shaped);
  });
  return problems;
}

/** The fee in effect on the date of service for the code and modifiers among a schedule's entries. */
export function feeOn<T extends FeeEntryShape>(entries: readonly T[], code: string, modifiers: readonly string[], dateOfService: string): T | undefined {
  const key = modifiersKey(modifiers);
  return entries.find((e) => e.code === code && e.modifiersKey === key && inEffect({ from: e.effectiveFrom, to: e.effectiveTo }, dateOfService));
}

/** The payer's fee, else the default schedule's; undefined when neither has one. */
export function lookupFee<T extends FeeEntryShape>(
  payerEntries: readonly T[],
  defaultEntries: readonly T[],
  code: string,
  modifiers: readonly string[],
  dateOfService: string,
): { entry: T; fromDefault: boolean } | undefined {
  const own = feeOn(payerEntries, code, modifiers, dateOfService);
  if (own) return { entry: own, fromDefault: false };
  const fallback = feeOn(defaultEntries, code, modifiers, dateOfService);
  return fallback ? { entry: fallback, fromDefault: true } : undefined;
}
