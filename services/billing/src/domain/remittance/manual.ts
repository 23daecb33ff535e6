import type { NewClaimPayment } from '@mso/contracts/billing';
import type { FieldProblem } from '../master-data.js';
import type { PayerAdjudication, PostingClaim } from './posting.js';

// A paper EOB keyed in by a biller, as the same adjudication an 835 would carry.

/**
 * Checks the EOB balances as an 835 must: each itemized line's paid + adjustments is its charge, and
 * the claim's paid + every adjustment is the charge of what the EOB covers (the itemized lines, else
 * the whole claim). Names each field at fault.
 */
export function checkManualPayment(claim: PostingClaim, input: NewClaimPayment): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const lines = new Map(claim.lines.map((l) => [l.id, l]));
  const total = (xs: readonly { amountCents: number }[] | undefined) => (xs ?? []).reduce((n, a) => n + a.amountCents, 0);
  const seen = new Set<string>();
  let covered = 0;
  let lineAdjustments = 0;
  (input.lines ?? []).forEach((l, i) => {
    const line = lines.get(l.lineId);
    if (!line) return problems.push({ path: `/lines/${i}/lineId`, message: 'is not a line of this claim' });
    if (seen.has(l.lineId)) return problems.push({ path: `/lines/${i}/lineId`, message: 'names a line twice' });
    seen.add(l.lineId);
    covered += line.chargeCents;
    lineAdjustments += total(l.adjustments);
    if (l.paidCents + total(l.adjustments) !== line.chargeCents) {
      problems.push({ path: `/lines/${i}`, message: `paid ${l.paidCents} + adjustments ${total(l.adjustments)} must equal the line's charge ${line.chargeCents} (cents)` });
    }
  });
  if (!input.lines?.length) covered = claim.chargeCents;
  const posted = input.paidCents + total(input.adjustments) + lineAdjustments;
  if (!problems.length && posted !== covered) {
    problems.push({ path: '/paidCents', message: `paid ${input.paidCents} + adjustments ${posted - input.paidCents} must equal the charge covered ${covered} (cents)` });
  }
  return problems;
}

export function fromManualPayment(claim: PostingClaim, input: NewClaimPayment): PayerAdjudication {
  const lines = new Map(claim.lines.map((l) => [l.id, l]));
  const adjustments = input.adjustments ?? [];
  const itemized = input.lines ?? [];
  return {
    source: 'manual',
    statusCode: input.statusCode ?? '1',
    payerClaimControlNumber: input.payerClaimControlNumber ?? null,
    chargeCents: claim.chargeCents,
    paidCents: input.paidCents,
    patientResponsibilityCents: [...adjustments, ...itemized.flatMap((l) => l.adjustments ?? [])].reduce((n, a) => (a.group === 'PR' ? n + a.amountCents : n), 0),
    adjustments,
    remarks: input.remarks ?? [],
    services: itemized.map((l) => {
      const line = lines.get(l.lineId)!;
      return {
        lineId: l.lineId,
        procedure: { code: line.procedureCode, modifiers: line.modifiers },
        serviceDate: line.serviceDate,
        chargeCents: line.chargeCents,
        paidCents: l.paidCents,
        adjustments: l.adjustments ?? [],
        remarks: l.remarks ?? [],
      };
    }),
  };
}
