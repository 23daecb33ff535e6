import { ProblemError } from '@mso/contracts';
import type { ClaimStatus } from '@mso/contracts/billing';

/**
 * The claim status machine: which status may follow which. Every change goes through
 * `assertTransition` and is written to the claim's history (handlers/claim-store.ts).
 *
 * - draft → ready once the scrubber finds no error; ready → draft when an edit brings one back.
 * - submitted → accepted | rejected from the 999/277CA; a payer's ERA may arrive before any 277CA, so
 *   submitted and accepted both go straight to paid | partially-paid | denied.
 * - A reversal (CLP02 22) takes an adjudicated claim back to accepted, to be posted anew.
 * - Corrections (frequency 7) and voids (8) reopen a rejected, accepted or adjudicated claim as draft/ready and
 *   send it again; a void that the payer accepted is closed.
 * - partially-paid and denied claims move to paid when a later posting (secondary payer, appeal) pays.
 */
export const claimTransitions: Readonly<Record<ClaimStatus, readonly ClaimStatus[]>> = {
  draft: ['ready', 'submitted', 'closed'],
  ready: ['draft', 'submitted', 'closed'],
  submitted: ['accepted', 'rejected', 'paid', 'partially-paid', 'denied'],
  accepted: ['paid', 'partially-paid', 'denied', 'draft', 'ready', 'closed'],
  rejected: ['draft', 'ready', 'closed'],
  paid: ['accepted', 'partially-paid', 'denied', 'draft', 'ready', 'closed'],
  'partially-paid': ['accepted', 'paid', 'denied', 'draft', 'ready', 'closed'],
  denied: ['accepted', 'paid', 'partially-paid', 'draft', 'ready', 'closed'],
  closed: ['accepted', 'paid', 'partially-paid', 'denied'],
};

export function canTransition(from: ClaimStatus, to: ClaimStatus): boolean {
  return claimTransitions[from].includes(to);
}

/** 409 naming both statuses when the machine does not allow the step. */
export function assertTransition(from: ClaimStatus, to: ClaimStatus, action: string): void {
  if (from === to) return;
  if (!canTransition(from, to)) throw new ProblemError('conflict', `cannot ${action} a claim that is ${from} (it would become ${to})`);
}

/** Statuses in which the claim may be edited (lines, codes, parties). */
export const editableStatuses: readonly ClaimStatus[] = ['draft', 'ready', 'rejected'];

/** A claim that has been sent and not yet answered by the payer's adjudication. */
export const awaitingPayer: readonly ClaimStatus[] = ['submitted', 'accepted'];

/**
 * The status an adjudication leaves: `denied` when the payer denied the claim (CLP02 4) or every line;
 * `partially-paid` when some lines were denied; else `paid` (processed: the payer paid its part, and
 * what is left is adjusted or the patient's).
 */
export function statusAfterAdjudication(a: { statusCode: string; lines: number; deniedLines: number }): ClaimStatus {
  if (a.statusCode === '4' || (a.lines > 0 && a.deniedLines === a.lines)) return 'denied';
  if (a.deniedLines > 0) return 'partially-paid';
  return 'paid';
}

/** charge − paid − adjustments − patient responsibility. */
export function balanceOf(a: { chargeCents: number; paidCents: number; adjustmentCents: number; patientResponsibilityCents: number }): number {
  return a.chargeCents - a.paidCents - a.adjustmentCents - a.patientResponsibilityCents;
}
