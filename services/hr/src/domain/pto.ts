// Pure rules for paid time off. Every amount is integer hundredths of an hour (8.25 h = 825): sums
// of entries are exact, and hours with two decimals convert both ways without rounding drift.
import { ProblemError } from '@mso/contracts';
import { addDays, addMonths } from './credentials.js';
import { invalid } from './problems.js';

/** Hours (at most two decimals, as the contract allows) to integer hundredths. */
export const toHundredths = (hours: number): number => Math.round(hours * 100);
/** Integer hundredths to hours for display. */
export const toHours = (hundredths: number): number => hundredths / 100;

export interface AccrualRules {
  accrualHundredths: number;
  waitingMonths: number;
  waitingDays: number;
  carryOverCapHundredths: number | null;
  maxBalanceHundredths: number | null;
}

/** The first day hours accrue: the employment's start plus the waiting months, then days. */
export const accrualStart = (startDate: string, rules: Pick<AccrualRules, 'waitingMonths' | 'waitingDays'>): string =>
  addDays(addMonths(startDate, rules.waitingMonths), rules.waitingDays);

/** `YYYY-MM` of a date. */
export const monthOf = (date: string): string => date.slice(0, 7);
export const firstDayOf = (month: string): string => `${month}-01`;
export const lastDayOf = (month: string): string => addDays(addMonths(firstDayOf(month), 1), -1);
/** The month before the one `date` falls in: the month the run on `date` accrues for. */
export const monthBefore = (date: string): string => monthOf(addMonths(firstDayOf(monthOf(date)), -1));

/**
 * Whether a month accrues for an employment: in full when the accrual start is on or before the
 * month's first day and the employment had not ended before its last day; never in part.
 */
export function monthAccrues(employment: { startDate: string; endDate: string | null }, rules: AccrualRules, month: string): boolean {
  if (accrualStart(employment.startDate, rules) > firstDayOf(month)) return false;
  return employment.endDate === null || employment.endDate >= lastDayOf(month);
}

/**
 * A month's accrual on a balance: the policy's hours, cut so the balance does not pass the maximum
 * (nothing at or above it). A balance below zero (leave taken in advance) accrues in full.
 */
export function accrualFor(balance: number, rules: AccrualRules): number {
  if (rules.maxBalanceHundredths === null) return rules.accrualHundredths;
  return Math.max(0, Math.min(rules.accrualHundredths, rules.maxBalanceHundredths - balance));
}

/** The hours forfeited at year end (a positive number, written as a negative entry): what is above the cap. */
export function carryOverForfeit(balance: number, rules: Pick<AccrualRules, 'carryOverCapHundredths'>): number {
  if (rules.carryOverCapHundredths === null) return 0;
  return Math.max(0, balance - rules.carryOverCapHundredths);
}

export interface PolicyChecks {
  carryOverCapHundredths: number | null;
  maxBalanceHundredths: number | null;
}

/** A carry-over cap above the maximum balance could never apply: refused, as one of them is a typo. */
export function checkPolicy(p: PolicyChecks): void {
  if (p.carryOverCapHundredths !== null && p.maxBalanceHundredths !== null && p.carryOverCapHundredths > p.maxBalanceHundredths) {
    throw invalid('/carryOverCapHours', 'cannot exceed maxBalanceHours');
  }
}

/** A request's dates and hours: the end not before the start, at most 24 hours a day. */
export function checkRequestShape(r: { startDate: string; endDate: string; hundredths: number }): void {
  if (r.endDate < r.startDate) throw invalid('/endDate', 'is before startDate');
  const days = Math.round((Date.parse(r.endDate) - Date.parse(r.startDate)) / 86_400_000) + 1;
  if (r.hundredths > days * 24 * 100) throw invalid('/hours', `exceeds 24 hours a day over ${days} day(s)`);
}

/** Refuses hours the balance does not cover (unless the policy allows a negative balance). */
export function checkCovered(hundredths: number, available: number, allowNegative: boolean): void {
  if (allowNegative || hundredths <= available) return;
  throw new ProblemError('unprocessable', `the request is above the available balance of ${toHours(available)} hours`, [
    { path: '/hours', message: `exceeds the available ${toHours(available)} hours` },
  ]);
}

/** The request's days must fall within the employment. */
export function checkWithinEmployment(employment: { startDate: string; endDate: string | null }, r: { startDate: string; endDate: string }): void {
  if (r.startDate < employment.startDate) throw new ProblemError('unprocessable', 'the leave starts before the employment', [{ path: '/startDate', message: 'is before the employment starts' }]);
  if (employment.endDate !== null && r.endDate > employment.endDate) throw new ProblemError('unprocessable', 'the leave ends after the employment', [{ path: '/endDate', message: 'is after the employment ends' }]);
}

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

/** The next status, or a 409 naming the current one. */
export function transition(from: RequestStatus, action: 'approve' | 'reject' | 'cancel'): RequestStatus {
  if (action === 'cancel' && (from === 'pending' || from === 'approved')) return 'cancelled';
  if (action !== 'cancel' && from === 'pending') return action === 'approve' ? 'approved' : 'rejected';
  throw new ProblemError('conflict', `the request is ${from}`, [{ path: '/id', message: `cannot ${action} a ${from} request` }]);
}
