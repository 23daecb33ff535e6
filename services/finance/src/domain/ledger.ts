// The ledger's rules as plain functions: periods, posting dates, line normalisation, balances.
import type { FieldProblem } from './problems.js';

export type Side = 'debit' | 'credit';
export const accountTypes = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof accountTypes)[number];

/** The side an account type's balance normally sits on. */
export const normalSideOf: Record<AccountType, Side> = { asset: 'debit', expense: 'debit', liability: 'credit', equity: 'credit', revenue: 'credit' };

/** Cash flows that make up net collections (the management fee base). */
export const collectionFlows = ['claim-payment', 'patient-payment', 'refund', 'recoupment'] as const;
export type CollectionFlow = (typeof collectionFlows)[number];

// ---- Periods (months, `YYYY-MM`) ----------------------------------------------------------------

export const periodPattern = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
export const datePattern = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

export function isDate(value: string): boolean {
  if (!datePattern.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export const periodOf = (date: string): string => date.slice(0, 7);

export function nextPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function previousPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export const firstDayOf = (period: string): string => `${period}-01`;

export function lastDayOf(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The months of the fiscal year that ends in calendar year `year` (start month 1: Jan–Dec of `year`). */
export function fiscalYearPeriods(year: number, startMonth: number): string[] {
  let p = startMonth === 1 ? `${year}-01` : `${year - 1}-${String(startMonth).padStart(2, '0')}`;
  const out: string[] = [];
  for (let i = 0; i < 12; i++, p = nextPeriod(p)) out.push(p);
  return out;
}

export interface PostingDate {
  date: string;
  period: string;
  /** The closed period the requested date fell in. */
  shiftedFrom?: string;
}

/** A date in a closed period posts on the first day of the next open period (and says which it left). */
export function postingDate(date: string, closed: ReadonlySet<string>): PostingDate {
  const period = periodOf(date);
  if (!closed.has(period)) return { date, period };
  let next = nextPeriod(period);
  while (closed.has(next)) next = nextPeriod(next);
  return { date: firstDayOf(next), period: next, shiftedFrom: period };
}

// ---- Lines --------------------------------------------------------------------------------------

export interface LineInput {
  account: string;
  debitCents?: number;
  creditCents?: number;
  memo?: string;
  ref?: string;
  flow?: CollectionFlow;
}

export interface Line {
  account: string;
  debitCents: number;
  creditCents: number;
  memo?: string;
  ref?: string;
  flow?: CollectionFlow;
}

const MAX_CENTS = Number.MAX_SAFE_INTEGER;

/**
 * Lines as the ledger stores them: one side each, positive. A negative amount is the other side
 * (a reversal's negated amounts); a line that nets to zero is dropped. Problems name the field.
 */
export function normalizeLines(lines: readonly LineInput[], path = '/lines'): { lines: Line[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const out: Line[] = [];
  lines.forEach((l, i) => {
    const d = l.debitCents ?? 0;
    const c = l.creditCents ?? 0;
    for (const [field, v] of [['debitCents', d], ['creditCents', c]] as const) {
      if (!Number.isSafeInteger(v) || Math.abs(v) > MAX_CENTS) problems.push({ path: `${path}/${i}/${field}`, message: 'must be a whole number of cents' });
    }
    if (typeof l.account !== 'string' || l.account === '') problems.push({ path: `${path}/${i}/account`, message: 'is required' });
    const net = d - c;
    if (net === 0) return;
    out.push({
      account: l.account,
      debitCents: net > 0 ? net : 0,
      creditCents: net < 0 ? -net : 0,
      ...(l.memo !== undefined ? { memo: l.memo } : {}),
      ...(l.ref !== undefined ? { ref: l.ref } : {}),
      ...(l.flow !== undefined ? { flow: l.flow } : {}),
    });
  });
  if (problems.length) return { lines: out, problems };
  if (out.length === 0) return { lines: out, problems: [{ path, message: 'an entry needs at least one line with an amount' }] };
  const debits = out.reduce((s, l) => s + l.debitCents, 0);
  const credits = out.reduce((s, l) => s + l.creditCents, 0);
  if (debits !== credits) problems.push({ path, message: `debits (${debits}) and credits (${credits}) differ` });
  return { lines: out, problems };
}

/** The lines that undo an entry: every line on the other side. */
export function reversingLines<L extends Line>(lines: readonly L[]): L[] {
  return lines.map((l) => ({ ...l, debitCents: l.creditCents, creditCents: l.debitCents }));
}

/** An account's balance on its normal side (positive when it sits where it should). */
export function balanceOnNormalSide(normalSide: Side, debitCents: number, creditCents: number): number {
  return normalSide === 'debit' ? debitCents - creditCents : creditCents - debitCents;
}

// ---- AR aging -----------------------------------------------------------------------------------

export const agingBuckets = ['0-30', '31-60', '61-90', '91-120', '120+'] as const;
export type AgingBucket = (typeof agingBuckets)[number];

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function agingBucket(days: number): AgingBucket {
  if (days <= 30) return '0-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  if (days <= 120) return '91-120';
  return '120+';
}
