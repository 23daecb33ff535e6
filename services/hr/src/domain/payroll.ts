// Pure rules for payroll totals: pay periods of a schedule, gross pay per employment, employer taxes
// and benefits at their rates, and the split of shared MSO staff cost across practices. All money is
// integer cents; every amount is rounded half up once, from exact integer arithmetic.
import type { PaySchedule } from '@mso/contracts/hr';
import { addDays } from './credentials.js';
import { invalid } from './problems.js';
import { lastDayOf, monthOf } from './pto.js';

export const PERIODS_PER_YEAR: Record<PaySchedule, number> = { weekly: 52, biweekly: 26, 'semi-monthly': 24, monthly: 12 };
const PERIOD_DAYS: Partial<Record<PaySchedule, number>> = { weekly: 7, biweekly: 14 };

const dayNumber = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 86_400_000;
};
/** Calendar days from `from` to `to`, both included (0 when `to` is before `from`). */
export const daysInclusive = (from: string, to: string) => Math.max(0, dayNumber(to) - dayNumber(from) + 1);

/** n / d rounded half up, for n ≥ 0 and d > 0 (exact: BigInt). */
export function roundHalfUp(n: bigint, d: bigint): number {
  return Number((2n * n + d) / (2n * d));
}

/** `bp` basis points of `cents`, rounded half up. */
export const basisPointsOf = (cents: number, bp: number) => roundHalfUp(BigInt(cents) * BigInt(bp), 10_000n);

/**
 * Checks that `start`..`end` is one pay period of the schedule: a calendar month; the 1st–15th or
 * the 16th–month end; 7 or 14 days starting on `firstPeriodStart` plus a whole number of periods.
 */
export function checkPeriod(schedule: PaySchedule, firstPeriodStart: string | null, start: string, end: string): void {
  if (end < start) throw invalid('/periodEnd', 'is before periodStart');
  const fixed = PERIOD_DAYS[schedule];
  if (fixed) {
    if (daysInclusive(start, end) !== fixed) throw invalid('/periodEnd', `a ${schedule} period is ${fixed} days: it ends on ${addDays(start, fixed - 1)}`);
    const anchor = firstPeriodStart ?? start;
    if ((((dayNumber(start) - dayNumber(anchor)) % fixed) + fixed) % fixed !== 0) {
      throw invalid('/periodStart', `is not the first day of a ${schedule} period (periods start every ${fixed} days from ${anchor})`);
    }
    return;
  }
  const day = start.slice(8);
  const monthEnd = lastDayOf(monthOf(start));
  if (schedule === 'monthly') {
    if (day !== '01') throw invalid('/periodStart', 'a monthly period starts on the 1st');
    if (end !== monthEnd) throw invalid('/periodEnd', `a monthly period ends on the month's last day (${monthEnd})`);
    return;
  }
  if (day === '01') {
    if (end !== `${start.slice(0, 8)}15`) throw invalid('/periodEnd', `a semi-monthly period from the 1st ends on the 15th (${start.slice(0, 8)}15)`);
  } else if (day === '16') {
    if (end !== monthEnd) throw invalid('/periodEnd', `a semi-monthly period from the 16th ends on the month's last day (${monthEnd})`);
  } else throw invalid('/periodStart', 'a semi-monthly period starts on the 1st or the 16th');
}

export interface PayEmployment {
  id: string;
  personId: string;
  basis: 'salary' | 'hourly';
  /** Per year (salary) or per hour (hourly), cents. */
  rateCents: number;
  startDate: string;
  endDate: string | null;
  allocations: { practiceId: string; percent: number }[];
}

/** The days of the period an employment is active (0: not in the run). */
export function activeDays(e: Pick<PayEmployment, 'startDate' | 'endDate'>, start: string, end: string): number {
  const from = e.startDate > start ? e.startDate : start;
  const to = e.endDate !== null && e.endDate < end ? e.endDate : end;
  return daysInclusive(from, to);
}

/**
 * Gross pay for the period. Salary: annual ÷ periods per year, times the share of the period's days
 * the employment was active, in one exact division rounded half up. Hourly: hours (in hundredths) ×
 * the rate, rounded half up.
 */
export function grossPay(e: Pick<PayEmployment, 'basis' | 'rateCents'>, schedule: PaySchedule, days: number, periodDays: number, hoursHundredths: number | null): number {
  if (e.basis === 'hourly') return roundHalfUp(BigInt(e.rateCents) * BigInt(hoursHundredths ?? 0), 100n);
  return roundHalfUp(BigInt(e.rateCents) * BigInt(days), BigInt(PERIODS_PER_YEAR[schedule]) * BigInt(periodDays));
}

/**
 * Splits `total` cents by integer weights so the parts sum exactly to it: each part is floored, and
 * the cents left over go one each to the largest remainders (ties: the first listed).
 */
export function splitLargestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => BigInt(total) * BigInt(w));
  const parts = exact.map((x) => Number(x / BigInt(sum)));
  const remainders = exact.map((x, i) => ({ i, r: Number(x % BigInt(sum)) }));
  let left = total - parts.reduce((a, b) => a + b, 0);
  for (const { i } of remainders.sort((a, b) => b.r - a.r || a.i - b.i)) {
    if (left <= 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

export interface RunRates {
  schedule: PaySchedule;
  employerTaxBasisPoints: number;
  benefitsBasisPoints: number;
}

export interface PayLine {
  employmentId: string;
  personId: string;
  basis: 'salary' | 'hourly';
  rateCents: number;
  hoursHundredths: number | null;
  daysActive: number;
  grossCents: number;
  employerTaxCents: number;
  benefitsCents: number;
  costCents: number;
  allocations: { practiceId: string; costCents: number }[];
}

export interface RunTotals {
  grossCents: number;
  employerTaxCents: number;
  benefitsCents: number;
  costCents: number;
  /** Per practice, in the order practices first appear. */
  allocations: { practiceId: string; costCents: number }[];
}

/**
 * The run: one line per employment active in the period (hourly ones need their hours, in
 * hundredths, in `hours`), taxes and benefits per line at the rates, totals as the sums of the lines.
 */
export function computeRun(rates: RunRates, start: string, end: string, list: readonly PayEmployment[], hours: ReadonlyMap<string, number>): { lines: PayLine[]; totals: RunTotals } {
  const periodDays = daysInclusive(start, end);
  const lines: PayLine[] = [];
  for (const e of list) {
    const days = activeDays(e, start, end);
    if (days === 0) continue;
    const hoursHundredths = e.basis === 'hourly' ? (hours.get(e.id) ?? 0) : null;
    const grossCents = grossPay(e, rates.schedule, days, periodDays, hoursHundredths);
    const employerTaxCents = basisPointsOf(grossCents, rates.employerTaxBasisPoints);
    const benefitsCents = basisPointsOf(grossCents, rates.benefitsBasisPoints);
    const costCents = grossCents + employerTaxCents + benefitsCents;
    const parts = splitLargestRemainder(costCents, e.allocations.map((a) => a.percent));
    const allocations = e.allocations.map((a, i) => ({ practiceId: a.practiceId, costCents: parts[i]! }));
    lines.push({ employmentId: e.id, personId: e.personId, basis: e.basis, rateCents: e.rateCents, hoursHundredths, daysActive: days, grossCents, employerTaxCents, benefitsCents, costCents, allocations });
  }
  const byPractice = new Map<string, number>();
  for (const l of lines) for (const a of l.allocations) byPractice.set(a.practiceId, (byPractice.get(a.practiceId) ?? 0) + a.costCents);
  const sum = (f: (l: PayLine) => number) => lines.reduce((a, l) => a + f(l), 0);
  return {
    lines,
    totals: {
      grossCents: sum((l) => l.grossCents),
      employerTaxCents: sum((l) => l.employerTaxCents),
      benefitsCents: sum((l) => l.benefitsCents),
      costCents: sum((l) => l.costCents),
      allocations: [...byPractice].map(([practiceId, costCents]) => ({ practiceId, costCents })),
    },
  };
}

/** Hours (a number to the hundredth) as integer hundredths. */
