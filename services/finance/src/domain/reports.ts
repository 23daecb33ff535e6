// Reports as plain functions of the figures read from the books.
import type { AccountTotal } from '../ledger/balances.js';
import { agingBucket, agingBuckets, balanceOnNormalSide, daysBetween, type AgingBucket } from './ledger.js';

export function trialBalance(totals: readonly AccountTotal[]) {
  const accounts = totals.map((a) => {
    const net = a.debitCents - a.creditCents;
    return {
      key: a.key,
      code: a.code,
      name: a.name,
      type: a.type,
      debitCents: net > 0 ? net : 0,
      creditCents: net < 0 ? -net : 0,
      balanceCents: balanceOnNormalSide(a.normalSide, a.debitCents, a.creditCents),
    };
  });
  return {
    accounts,
    totalDebitCents: accounts.reduce((s, a) => s + a.debitCents, 0),
    totalCreditCents: accounts.reduce((s, a) => s + a.creditCents, 0),
  };
}

const line = (a: AccountTotal, amountCents: number) => ({ key: a.key, code: a.code, name: a.name, amountCents });

/** Revenue (credit − debit: contra accounts count negative) and expenses (debit − credit); year-end closing lines left out. */
export function profitAndLoss(totals: readonly AccountTotal[], closing: ReadonlyMap<string, { debitCents: number; creditCents: number }>) {
  const net = (a: AccountTotal) => {
    const c = closing.get(a.id);
    return { debit: a.debitCents - (c?.debitCents ?? 0), credit: a.creditCents - (c?.creditCents ?? 0) };
  };
  const revenue = totals.filter((a) => a.type === 'revenue').map((a) => line(a, net(a).credit - net(a).debit)).filter((l) => l.amountCents !== 0);
  const expenses = totals.filter((a) => a.type === 'expense').map((a) => line(a, net(a).debit - net(a).credit)).filter((l) => l.amountCents !== 0);
  const totalRevenueCents = revenue.reduce((s, l) => s + l.amountCents, 0);
  const totalExpenseCents = expenses.reduce((s, l) => s + l.amountCents, 0);
  return { revenue, totalRevenueCents, expenses, totalExpenseCents, netIncomeCents: totalRevenueCents - totalExpenseCents };
}

/** Assets = liabilities + equity, where equity includes the earnings not yet closed into retained earnings. */
export function balanceSheet(totals: readonly AccountTotal[]) {
  const of = (type: AccountTotal['type'], sign: 1 | -1) =>
    totals.filter((a) => a.type === type).map((a) => line(a, sign * (a.debitCents - a.creditCents))).filter((l) => l.amountCents !== 0);
  const assets = of('asset', 1);
  const liabilities = of('liability', -1);
  const equity = of('equity', -1);
  const earnings = totals.filter((a) => a.type === 'revenue' || a.type === 'expense').reduce((s, a) => s + a.creditCents - a.debitCents, 0);
  if (earnings !== 0) equity.push({ key: null, code: 'current-earnings', name: 'Earnings not yet closed', amountCents: earnings });
  const sum = (ls: { amountCents: number }[]) => ls.reduce((s, l) => s + l.amountCents, 0);
  return {
    assets,
    totalAssetsCents: sum(assets),
    liabilities,
    totalLiabilitiesCents: sum(liabilities),
    equity,
    totalEquityCents: sum(equity),
    totalLiabilitiesAndEquityCents: sum(liabilities) + sum(equity),
  };
}

export interface GlLine {
  date: string;
  entryId: string;
  memo: string;
  source: string;
  ref: string | null;
  debitCents: number;
  creditCents: number;
}

/** Lines with the running balance on the account's normal side, from the opening balance. */
export function runningBalance<L extends GlLine>(normalSide: 'debit' | 'credit', opening: number, lines: readonly L[]) {
  let balance = opening;
  const out = lines.map((l) => {
    balance += balanceOnNormalSide(normalSide, l.debitCents, l.creditCents);
    return { ...l, balanceCents: balance };
  });
  return { lines: out, closingBalanceCents: balance };
}

export interface ArItem {
  /** The claim (or other ref) the balance is about. */
  ref: string;
  /** When the balance first came onto the account (its first debit). */
  since: string;
  openCents: number;
}

/** Open balances in aging buckets by days from `since` to `asOf`. */
export function aging(items: readonly ArItem[], asOf: string) {
  const buckets = Object.fromEntries(agingBuckets.map((b) => [b, 0])) as Record<AgingBucket, number>;
  for (const i of items) buckets[agingBucket(daysBetween(i.since, asOf))] += i.openCents;
  return { buckets, totalCents: items.reduce((s, i) => s + i.openCents, 0) };
}

// ---- CSV ----------------------------------------------------------------------------------------

/** Cents as a decimal amount (1234 → `12.34`, -5 → `-0.05`), exact. */
export function decimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const field = (v: string | number | null) => {
  let s = v === null ? '' : String(v);
  // A user's text that a spreadsheet would run as a formula is kept as text.
  if (typeof v === 'string' && /^[=+@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 CSV, CRLF line ends. */
export function csv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
