// Payment plans: a total in equal monthly installments (the first ones carry the odd cents), paid in
// due order; an installment still unpaid past its grace period defaults the plan.
import type { FieldProblem } from './problems.js';
import { addMonths, daysBetween } from './dates.js';

export interface PlanTerms {
  totalCents: number;
  installmentCount: number;
  minInstallmentCents: number;
  firstDueOn: string;
}

export interface Installment {
  number: number;
  dueOn: string;
  amountCents: number;
  paidCents: number;
}

/** Problems with the terms (field paths of the request), against the open balance as of `today`. */
export function checkPlan(terms: PlanTerms, openCents: number, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (terms.totalCents <= 0) problems.push({ path: '/totalCents', message: 'must be more than 0' });
  if (terms.totalCents > openCents) problems.push({ path: '/totalCents', message: `is more than the open balance (${openCents} cents)` });
  if (terms.firstDueOn < today) problems.push({ path: '/firstDueOn', message: 'is in the past' });
  if (Math.floor(terms.totalCents / terms.installmentCount) < terms.minInstallmentCents)
    problems.push({ path: '/installmentCount', message: `makes installments below the minimum of ${terms.minInstallmentCents} cents` });
  return problems;
}

export function schedule(terms: PlanTerms): Installment[] {
  const base = Math.floor(terms.totalCents / terms.installmentCount);
  const odd = terms.totalCents - base * terms.installmentCount;
  return Array.from({ length: terms.installmentCount }, (_, i) => ({
    number: i + 1,
    dueOn: addMonths(terms.firstDueOn, i),
    amountCents: base + (i < odd ? 1 : 0),
    paidCents: 0,
  }));
}

/** Pays installments in due order; returns the new installments and what they took. */
export function payInstallments(installments: readonly Installment[], amountCents: number): { installments: Installment[]; appliedCents: number } {
  let left = amountCents;
  const next = installments.map((i) => {
    const take = Math.min(left, i.amountCents - i.paidCents);
    left -= Math.max(0, take);
    return take > 0 ? { ...i, paidCents: i.paidCents + take } : i;
  });
  return { installments: next, appliedCents: amountCents - left };
}

export const isComplete = (installments: readonly Installment[]) => installments.every((i) => i.paidCents >= i.amountCents);

/** The first installment unpaid more than `graceDays` after its due date as of `today`, if any. */
export function missedInstallment(installments: readonly Installment[], today: string, graceDays: number): Installment | undefined {
  return installments.find((i) => i.paidCents < i.amountCents && daysBetween(i.dueOn, today) > graceDays);
}
