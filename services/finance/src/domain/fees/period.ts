// Calendar months (`YYYY-MM`) as the fee run sees them.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface MonthBounds {
  /** First day, `YYYY-MM-01`. */
  first: string;
  /** Last day of the month. */
  last: string;
  /** First day of the next month (exclusive end). */
  next: string;
}

export function monthBounds(period: string): MonthBounds {
  const m = MONTH.exec(period);
  if (!m) throw new RangeError(`not a YYYY-MM period: ${period}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  return { first: `${period}-01`, last: `${period}-${String(lastDay).padStart(2, '0')}`, next };
}

/** Whether an agreement effective from `from` to `to` (inclusive; null: open-ended) covers any day of the month. */
export function inForceDuring(period: string, from: string, to: string | null): boolean {
  const { first, last } = monthBounds(period);
  return from <= last && (to === null || to >= first);
}

/** The month of a calendar date or timestamp (`YYYY-MM`). */
export const monthOf = (date: string): string => date.slice(0, 7);

export interface AgreementVersion {
  version: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/**
 * The agreement a month is billed under: of the versions known, the latest that had taken effect by the
 * month's last day (a version changed mid-month bills the whole month), if it was in force in the month.
 * Versions not heard of (finance started later, or an older one arrived after a newer) fall back to the current one.
 */
export function agreementForMonth<A extends AgreementVersion>(period: string, versions: readonly A[], current: A | null): A | null {
  const { last } = monthBounds(period);
  const known = current && !versions.some((v) => v.version === current.version) ? [...versions, current] : [...versions];
  const chosen = known.filter((v) => v.effectiveFrom <= last).sort((a, b) => b.version - a.version)[0] ?? null;
  return chosen && inForceDuring(period, chosen.effectiveFrom, chosen.effectiveTo) ? chosen : null;
}
