import Type from 'typebox';
import { Cents, event, IsoDate, StringEnum, Uuid } from '../core.js';
import { adjustmentGroups, PatientResponsibility } from './claims.js';

// Billing's events: ids and cents only, never PHI (no names, dates of birth, member ids, addresses).
// Finance books them; collections turns patient responsibility into guarantor balances.

const Adjustment = Type.Object({ group: StringEnum(adjustmentGroups), reason: Type.String(), amountCents: Cents });
const ProviderAdjustment = Type.Object({ reason: Type.String(), reference: Type.Union([Type.String(), Type.Null()]), amountCents: Cents });

export const claimSubmitted = event({
  type: 'billing.claim.submitted',
  data: Type.Object({
    claimId: Uuid,
    patientId: Uuid,
    payerId: Uuid,
    renderingProviderNpi: Type.Union([Type.String(), Type.Null()]),
    /** The claim's first date of service. */
    serviceDate: IsoDate,
    /** The business date of the submission (finance books the charge on it). */
    submittedOn: IsoDate,
    chargeCents: Cents,
    /** 1 original, 7 corrected, 8 void. */
    frequencyCode: Type.String(),
  }),
});

/** One CLP (or manual EOB) posted to a claim; a reversal carries the negated amounts of what it undid. */
export const claimAdjudicated = event({
  type: 'billing.claim.adjudicated',
  data: Type.Object({
    claimId: Uuid,
    /** Null for a manual (paper EOB) posting. */
    remittanceId: Type.Union([Uuid, Type.Null()]),
    adjudicationId: Uuid,
    patientId: Uuid,
    payerId: Uuid,
    paymentDate: IsoDate,
    paidCents: Cents,
    adjustments: Type.Array(Adjustment),
    patientResponsibility: Type.Array(PatientResponsibility),
    /** Patient responsibility per claim line, for collections' statements. */
    lines: Type.Array(Type.Object({ lineId: Uuid, serviceDate: IsoDate, chargeCents: Cents, paidCents: Cents, patientResponsibility: Type.Array(PatientResponsibility) })),
    reversal: Type.Boolean(),
  }),
});

export const remittancePosted = event({
  type: 'billing.remittance.posted',
  data: Type.Object({
    remittanceId: Uuid,
    traceNumber: Type.String(),
    payerId: Type.Union([Uuid, Type.Null()]),
    paymentDate: IsoDate,
    paymentAmountCents: Cents,
    /** Σ CLP04 of the claims posted. */
    claimPaymentCents: Cents,
    providerAdjustments: Type.Array(ProviderAdjustment),
  }),
});

const ClaimAmount = Type.Object({ claimId: Uuid, amountCents: Cents, reason: Type.String() });

/**
 * A payer denied a claim (or the denied part of it): `reason` is the CARC group and code, e.g. `CO-50`.
 * A reversal of the posting that denied it lifts the denial: the same reason, the amount negated.
 */
export const claimDenied = event({
  type: 'billing.claim.denied',
  data: Type.Object({
    ...ClaimAmount.properties,
    /** The business date of the denial: the remittance's payment date (a manual posting's date). */
    deniedOn: IsoDate,
  }),
});

/** A biller wrote a balance off (work queue): `reason` is the write-off reason. */
export const claimWrittenOff = event({ type: 'billing.claim.written-off', data: Type.Object({ ...ClaimAmount.properties, writtenOffOn: IsoDate }) });

export const billingEvents = [claimSubmitted, claimAdjudicated, remittancePosted, claimDenied, claimWrittenOff] as const;
