// Pure rules for people and employments.
import { createHmac } from 'node:crypto';
import { invalid } from './problems.js';

/** The nine digits of an SSN as entered (dashes optional). */
export const ssnDigits = (ssn: string) => ssn.replace(/-/g, '');

/**
 * The SSN's keyed hash: HMAC-SHA256 under the deployment's key, so the stored value cannot be
 * reversed by trying all 10^9 SSNs without that key. It is all that is kept besides the last four.
 */
export const ssnHash = (ssn: string, key: string) => createHmac('sha256', key).update(`ssn:${ssnDigits(ssn)}`).digest('base64url');

export const ssnLast4 = (ssn: string) => ssnDigits(ssn).slice(-4);

/** 0.5 → 50: FTE is kept in hundredths so no float is stored or summed. */
export const fteToHundredths = (fte: number) => Math.round(fte * 100);
export const fteOf = (hundredths: number) => hundredths / 100;

export interface AllocationInput {
  practiceId: string;
  percent: number;
}

/**
 * Allocations belong to MSO staff only and, when given, sum to 100 with each practice once.
 * `path` points at the allocations in the request for the error.
 */
export function checkAllocations(employer: string, allocations: readonly AllocationInput[] | undefined, path = '/allocations'): AllocationInput[] {
  const list = [...(allocations ?? [])];
  if (list.length === 0) return [];
  if (employer !== 'mso') throw invalid(path, "is for the MSO's staff only: a practice's employee is that practice's cost");
  const seen = new Set<string>();
  for (const a of list) {
    const id = a.practiceId.toLowerCase();
    if (seen.has(id)) throw invalid(path, `names practice ${id} twice`);
    seen.add(id);
  }
  const total = list.reduce((s, a) => s + a.percent, 0);
  if (total !== 100) throw invalid(path, `must sum to 100 (they sum to ${total})`);
  return list.map((a) => ({ practiceId: a.practiceId.toLowerCase(), percent: a.percent }));
}

export function checkDates(startDate: string, endDate: string | null | undefined, path = '/endDate') {
  if (endDate && endDate < startDate) throw invalid(path, 'is before the start date');
}
