// Intercompany: the practice's `due-to-mso` beside the MSO's `due-from-practice` for it; and the
// consolidated trial balance of every entity with those balances, and the fees between them, eliminated.

export interface EntityBalance {
  /** The entity: a practice, or null for the MSO. */
  practiceId: string | null;
  key: string | null;
  code: string;
  name: string;
  type: string;
  normalSide: 'debit' | 'credit';
  debitCents: number;
  creditCents: number;
}

/** The MSO's intercompany balances per practice (from its lines that name the practice). */
export type MsoSideByPractice = Map<string, { dueFromPracticeCents: number; feeIncomeCents: number }>;

export interface IntercompanyRow {
  practiceId: string;
  dueToMsoCents: number;
  dueFromPracticeCents: number;
  differenceCents: number;
}

/** A practice's balance on one of its system accounts, on the account's normal side. */
function practiceBalance(balances: readonly EntityBalance[], practiceId: string, key: string): number {
  return balances
    .filter((b) => b.practiceId === practiceId && b.key === key)
    .reduce((sum, b) => sum + (b.normalSide === 'debit' ? b.debitCents - b.creditCents : b.creditCents - b.debitCents), 0);
}

export function intercompanyRows(practiceIds: readonly string[], balances: readonly EntityBalance[], mso: MsoSideByPractice): IntercompanyRow[] {
  const ids = [...new Set([...practiceIds, ...mso.keys()])].sort();
  return ids.map((practiceId) => {
    const dueToMsoCents = practiceBalance(balances, practiceId, 'due-to-mso');
    const dueFromPracticeCents = mso.get(practiceId)?.dueFromPracticeCents ?? 0;
    return { practiceId, dueToMsoCents, dueFromPracticeCents, differenceCents: dueFromPracticeCents - dueToMsoCents };
  });
}

export interface ConsolidatedAccount {
  key: string | null;
  code: string;
  name: string;
  type: string;
  debitCents: number;
  creditCents: number;
  /** Positive: a debit balance taken out; negative: a credit balance taken out. */
  eliminatedCents: number;
  balanceCents: number;
}

export interface Elimination {
  pair: string;
  practiceId: string;
  amountCents: number;
}

export interface ConsolidatedBooks {
  accounts: ConsolidatedAccount[];
  eliminations: Elimination[];
  totalDebitCents: number;
  totalCreditCents: number;
}

/** What two books agree on: the smaller amount when both have the same sign, else nothing. */
const matched = (a: number, b: number) => (Math.sign(a) === Math.sign(b) ? Math.sign(a) * Math.min(Math.abs(a), Math.abs(b)) : 0);

const DUE = 'due-from-practice / due-to-mso';
const FEES = 'management-fee-income / management-fee-expense';

/**
 * Sums every entity's accounts by code (the chart template gives every entity the same codes) and
 * takes out, per practice, both sides of the intercompany balance and of the management fee: the amount
 * both books agree on, so a one-sided amount (which the intercompany report shows as a difference)
 * stays visible on its account.
 */
export function consolidate(balances: readonly EntityBalance[], mso: MsoSideByPractice): ConsolidatedBooks {
  const byCode = new Map<string, ConsolidatedAccount & { normalSide: 'debit' | 'credit' }>();
  for (const b of balances) {
    const acc = byCode.get(b.code) ?? { key: b.key, code: b.code, name: b.name, type: b.type, normalSide: b.normalSide, debitCents: 0, creditCents: 0, eliminatedCents: 0, balanceCents: 0 };
    acc.debitCents += b.debitCents;
    acc.creditCents += b.creditCents;
    if (acc.key === null && b.key !== null) Object.assign(acc, { key: b.key, name: b.name });
    byCode.set(b.code, acc);
  }
  const byKey = (key: string) => [...byCode.values()].find((a) => a.key === key);
  const eliminations: Elimination[] = [];
  const takeOut = (key: string, debitPositiveCents: number) => {
    const acc = byKey(key);
    if (acc && debitPositiveCents !== 0) acc.eliminatedCents += debitPositiveCents;
  };
  const practices = [...new Set([...balances.filter((b) => b.practiceId !== null).map((b) => b.practiceId!), ...mso.keys()])].sort();
  for (const practiceId of practices) {
    const m = mso.get(practiceId) ?? { dueFromPracticeCents: 0, feeIncomeCents: 0 };
    const dueToMso = practiceBalance(balances, practiceId, 'due-to-mso');
    const feeExpense = practiceBalance(balances, practiceId, 'management-fee-expense');
    const due = matched(m.dueFromPracticeCents, dueToMso);
    const fees = matched(m.feeIncomeCents, feeExpense);
    takeOut('due-from-practice', due);
    takeOut('due-to-mso', -due);
    takeOut('management-fee-income', -fees);
    takeOut('management-fee-expense', fees);
    if (due !== 0) eliminations.push({ pair: DUE, practiceId, amountCents: due });
    if (fees !== 0) eliminations.push({ pair: FEES, practiceId, amountCents: fees });
  }
  let totalDebitCents = 0;
  let totalCreditCents = 0;
  const accounts = [...byCode.values()]
    .sort((a, b) => (a.code < b.code ? -1 : 1))
    .map(({ normalSide, ...acc }) => {
      const net = acc.debitCents - acc.creditCents - acc.eliminatedCents;
      totalDebitCents += acc.debitCents - Math.max(0, acc.eliminatedCents);
      totalCreditCents += acc.creditCents - Math.max(0, -acc.eliminatedCents);
      return { ...acc, balanceCents: (normalSide === 'debit' ? net : -net) + 0 };
    });
  return { accounts, eliminations, totalDebitCents, totalCreditCents };
}
