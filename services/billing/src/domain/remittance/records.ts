import type { Claim835 } from '@mso/x12';
import type { DataOf } from '@mso/contracts';
import type { claimAdjudicated } from '@mso/contracts/billing';
import { isDeniedService, patientResponsibilityOf, sumAdjustments, type Adjustment, type PayerAdjudication, type PostingRecord } from './posting.js';

// Between the 835 parser's shapes, the stored posting records and what the API shows.

/** An 835 CLP loop as a payer adjudication to post. */
export function fromClaim835(clp: Claim835): PayerAdjudication {
  return {
    source: 'era',
    statusCode: clp.statusCode,
    payerClaimControlNumber: clp.payerClaimControlNumber ?? null,
    chargeCents: clp.chargeCents,
    paidCents: clp.paidCents,
    patientResponsibilityCents: clp.patientResponsibilityCents,
    adjustments: clp.adjustments,
    remarks: clp.remarks,
    services: clp.services.map((s) => ({
      procedure: s.procedure,
      originalProcedure: s.originalProcedure,
      serviceDate: s.serviceDate,
      lineControlNumber: s.lineControlNumber,
      chargeCents: s.chargeCents,
      paidCents: s.paidCents,
      adjustments: s.adjustments,
      remarks: s.remarks,
    })),
  };
}

/** Every CAS of the CLP, claim level and line level, summed by group and reason. */
export function adjustmentsOf(clp: Pick<Claim835, 'adjustments' | 'services'>): Adjustment[] {
  return sumAdjustments([...clp.adjustments, ...clp.services.flatMap((s) => s.adjustments)]);
}

/**
 * The lines a stored posting found denied, worked out again from what it recorded (the same rule as
 * when it posted), so that a reversal can lift the denial.
 */
export function deniedLinesOf(record: Omit<PostingRecord, 'deniedLineIds'>, lines: readonly { id: string; chargeCents: number }[]): string[] {
  const charge = new Map(lines.map((l) => [l.id, l.chargeCents]));
  return record.lines
    .filter((l) => charge.has(l.lineId) && isDeniedService({ chargeCents: charge.get(l.lineId)!, paidCents: l.paidCents, adjustments: record.adjustments.filter((a) => a.lineId === l.lineId) }, record.statusCode))
    .map((l) => l.lineId);
}

/**
 * `billing.claim.adjudicated` for a posting: ids and cents only. Adjustments other than PR, and
 * patient responsibility by kind, summed; a reversal carries the negated amounts of what it undid.
 */
export function adjudicatedEventData(
  record: PostingRecord,
  claim: { id: string; patientId: string; payerId: string },
  lines: readonly { id: string; serviceDate: string; chargeCents: number }[],
  remittanceId: string | null,
  paymentDate: string,
): DataOf<typeof claimAdjudicated> {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const claimLevelOther = record.patientResponsibilityCents - record.adjustments.reduce((n, a) => (a.group === 'PR' ? n + a.amountCents : n), 0);
  return {
    claimId: claim.id,
    remittanceId,
    adjudicationId: record.id,
    patientId: claim.patientId,
    payerId: claim.payerId,
    paymentDate,
    paidCents: record.paidCents,
    adjustments: sumAdjustments(record.adjustments.filter((a) => a.group !== 'PR')).map(({ group, reason, amountCents }) => ({ group, reason, amountCents })),
    patientResponsibility: patientResponsibilityOf(record.adjustments, claimLevelOther),
    lines: record.lines
      .filter((l) => byId.has(l.lineId))
      .map((l) => ({
        lineId: l.lineId,
        serviceDate: byId.get(l.lineId)!.serviceDate,
        chargeCents: byId.get(l.lineId)!.chargeCents,
        paidCents: l.paidCents,
        patientResponsibility: patientResponsibilityOf(record.adjustments.filter((a) => a.lineId === l.lineId)),
      })),
    reversal: record.reversal,
  };
}
