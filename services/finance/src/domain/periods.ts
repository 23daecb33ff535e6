// When a month may close, and what a year-end close posts: plain decisions over figures read before.
import type { AccountTotal } from '../ledger/balances.js';
import { lastDayOf } from './ledger.js';

export interface CloseFacts {
  period: string;
  today: string;
  closed: boolean;
  debitCents: number;
  creditCents: number;
  /** Kept balances of the period that differ from its lines. */
  balanceMismatches: number;
  /** What ERA clearing holds at the end of the period: claim payments booked without their remittance's cash, or the other way. */
  eraClearingCents: number;
}

/** Why a period may not close (null: it may). Pending: a remittance booked only in part (ERA clearing not zero). */
export function closeRefusal(f: CloseFacts): string | null {
  if (f.closed) return `period ${f.period} is already closed`;
  if (lastDayOf(f.period) >= f.today) return `period ${f.period} is not over yet`;
  if (f.debitCents !== f.creditCents) return `period ${f.period} does not balance: debits ${f.debitCents}, credits ${f.creditCents}`;
  if (f.balanceMismatches > 0) return `period ${f.period}: ${f.balanceMismatches} kept balance(s) differ from the lines`;
  if (f.eraClearingCents !== 0) return `period ${f.period} has remittance events pending: ERA clearing holds ${f.eraClearingCents} cents`;
  return null;
}

/**
 * The closing entry of a fiscal year: every revenue and expense account's balance over the year taken
 * off (to zero), the net to retained earnings. Lines on the key or id of each account.
 */
export function closingLines(totals: readonly AccountTotal[]): { lines: { account: string; debitCents: number; creditCents: number }[]; netIncomeCents: number } {
  const lines: { account: string; debitCents: number; creditCents: number }[] = [];
  let net = 0;
  for (const a of totals) {
    if (a.type !== 'revenue' && a.type !== 'expense') continue;
    const debitBalance = a.debitCents - a.creditCents;
    if (debitBalance === 0) continue;
    lines.push(debitBalance > 0 ? { account: a.id, debitCents: 0, creditCents: debitBalance } : { account: a.id, debitCents: -debitBalance, creditCents: 0 });
    net -= debitBalance;
  }
  if (net !== 0) lines.push(net > 0 ? { account: 'retained-earnings', debitCents: 0, creditCents: net } : { account: 'retained-earnings', debitCents: -net, creditCents: 0 });
  return { lines, netIncomeCents: net };
}
