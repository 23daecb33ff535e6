// 835 remittance posting, the unmatched-remittance queue, manual (paper EOB) posting.
import Type, { type Static } from 'typebox';
import { actionOnId, getById, listPage } from '../builders.js';
import { Cents, IsoDate, mso, operation, StringEnum, Timestamp, Uuid, type Operation } from '../core.js';
import { adjustmentGroups, Claim } from './claims.js';
import { allRoles, Nullable } from './common.js';

/** Posting money to claims is the billing team's: the MSO's billers and the practice's admin. */
export const remittancePostingRoles = [...mso, 'practice-admin'] as const;

/** A file up to this size posts while the request waits; a larger one (10,000 claims ≈ 1.6 MB) runs as a job. */
export const REMITTANCE_SYNC_BYTES = 512 * 1024;
export const REMITTANCE_MAX_BYTES = 20 * 1024 * 1024;

const Adjustment = Type.Object({ group: StringEnum(adjustmentGroups), reason: Type.String({ minLength: 1, maxLength: 5 }), amountCents: Cents }, { additionalProperties: false });

/** Something the poster noticed and did anyway (a line matched without its modifier, an 835 that does not balance, ...). */
export const RemittanceWarning = Type.Object({
  code: Type.String(),
  message: Type.String(),
  /** The CLP it is about, when it is about one claim. */
  patientControlNumber: Nullable(Type.String()),
  /** Where in the file (0-based segment index, segment id), when the file says. */
  segmentIndex: Nullable(Type.Integer()),
  segmentId: Nullable(Type.String()),
});
export type RemittanceWarning = Static<typeof RemittanceWarning>;

/** What a claim's CLP became: `posted` to `claimId`, waiting in the unmatched queue, or matched there by hand later. */
export const remittanceClaimStates = ['posted', 'unmatched', 'matched'] as const;

export const RemittanceClaim = Type.Object({
  /** CLP01 as the payer sent it. */
  patientControlNumber: Type.String(),
  /** The claim it posted to; null while it waits in the unmatched queue. */
  claimId: Nullable(Uuid),
  state: StringEnum(remittanceClaimStates),
  /** The unmatched-queue entry (`/v1/billing/unmatched-remittances/{id}`) while it waits there, and after a manual match. */
  unmatchedId: Nullable(Uuid),
  /** CLP02: 1 processed as primary, 2 secondary, 4 denied, 19–21 forwarded, 22 reversal, ... */
  statusCode: Type.String(),
  chargeCents: Cents,
  paidCents: Cents,
  /** CLP05. */
  patientResponsibilityCents: Cents,
  /** Claim-level and line-level CAS, summed by group and reason. */
  adjustments: Type.Array(Adjustment),
});
export type RemittanceClaim = Static<typeof RemittanceClaim>;

export const RemittanceProviderAdjustment = Type.Object({
  /** PLB03-1, e.g. `L6` interest, `WO` overpayment recovery, `FB` forwarding balance, `72` authorized return. */
  reason: Type.String(),
  /** PLB03-2, e.g. the claim or check the adjustment is about. */
  reference: Nullable(Type.String()),
  /** Positive: taken from the payment; negative: added to it. */
  amountCents: Cents,
});

/** One 835 transaction set (one payment: a check or an EFT) and what posting it did. */
export const Remittance = Type.Object({
  id: Uuid,
  /** TRN02: the check or EFT trace number. With the payer, it names the remittance: the same one again posts nothing. */
  traceNumber: Type.String(),
  /** BPR02 (negative for a debit). */
  paymentAmountCents: Cents,
  /** BPR04: ACH, CHK, FWT, BOP, NON. */
  paymentMethod: Type.String(),
  /** DTM*405 (else BPR16). */
  paymentDate: IsoDate,
  /** `name` from N1*PR, `id` the payer identifier the 835 carries (N104, REF*2U or TRN03). */
  payer: Type.Object({ name: Type.String(), id: Type.String() }),
  /** The practice's payer record whose EDI payer id is the 835's payer id, if there is one. */
  payerId: Nullable(Uuid),
  claimCount: Type.Integer(),
  matchedClaimCount: Type.Integer(),
  unmatchedClaimCount: Type.Integer(),
  /** Σ CLP04 of the claims in it. */
  claimPaymentCents: Cents,
  claims: Type.Array(RemittanceClaim),
  providerAdjustments: Type.Array(RemittanceProviderAdjustment),
  warnings: Type.Array(RemittanceWarning),
  postedAt: Timestamp,
  postedBy: Type.String(),
});
export type Remittance = Static<typeof Remittance>;

export const RemittanceSummary = Type.Omit(Remittance, ['claims', 'warnings']);
export type RemittanceSummary = Static<typeof RemittanceSummary>;

/** A file with one transaction set answers the remittance itself; a file with several, `{ remittances }`. */
export const RemittancePosting = Type.Union([Remittance, Type.Object({ remittances: Type.Array(Remittance) })]);
export type RemittancePosting = Static<typeof RemittancePosting>;

export const postRemittance = operation({
  service: 'billing',
  name: 'remittance.post',
  summary: 'Post an 835 ERA: match its claims and lines, post payments, adjustments, patient responsibility, denials, reversals and PLB',
  http: {
    method: 'POST',
    path: '/v1/billing/remittances',
    status: 201,
    // 200: every remittance in the file (payer + trace number) was posted before; nothing is posted again.
    statuses: [200],
    body: { mediaTypes: ['application/edi-x12', 'text/plain'], maxBytes: REMITTANCE_MAX_BYTES },
  },
  roles: remittancePostingRoles,
  input: Type.Object({}, { additionalProperties: false }),
  output: RemittancePosting,
  errors: ['validation-failed', 'unprocessable', 'unsupported-media-type', 'payload-too-large'],
  async: { aboveBytes: REMITTANCE_SYNC_BYTES },
  // The file names patients (NM1*QC); the unmatched queue keeps their names for the biller.
  phi: 'write',
});

export const getRemittance = getById({
  service: 'billing',
  name: 'remittance.get',
  summary: 'Get a posted remittance with its claims',
  path: '/v1/billing/remittances/{id}',
  roles: allRoles,
  output: Remittance,
});

export const listRemittances = listPage({
  service: 'billing',
  name: 'remittance.list',
  summary: 'List posted remittances, newest first',
  path: '/v1/billing/remittances',
  roles: allRoles,
  filters: { traceNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })), payerId: Type.Optional(Uuid), paymentDateFrom: Type.Optional(IsoDate), paymentDateTo: Type.Optional(IsoDate) },
  item: RemittanceSummary,
  errors: ['validation-failed'],
});

// ---- Unmatched-remittance queue --------------------------------------------------------------------

export const unmatchedReasons = ['no-claim', 'claim-not-submitted', 'nothing-to-reverse'] as const;

/** A CLP the poster could not put on a claim: a biller matches it to one by hand. */
export const UnmatchedRemittance = Type.Object({
  id: Uuid,
  remittanceId: Uuid,
  traceNumber: Type.String(),
  paymentDate: IsoDate,
  payer: Type.Object({ name: Type.String(), id: Type.String() }),
  /** Why it waits: no claim has the PCN, the claim is not with the payer (draft, ready, rejected), or a reversal found nothing posted. */
  reason: StringEnum(unmatchedReasons),
  status: StringEnum(['open', 'matched'] as const),
  patientControlNumber: Type.String(),
  statusCode: Type.String(),
  payerClaimControlNumber: Nullable(Type.String()),
  chargeCents: Cents,
  paidCents: Cents,
  patientResponsibilityCents: Cents,
  adjustments: Type.Array(Adjustment),
  /** NM1*QC as the payer sent it, to find the claim by. */
  patient: Nullable(Type.Object({ lastName: Type.String(), firstName: Type.String(), memberId: Type.String() })),
  /** The service lines' dates and procedure codes as the payer sent them. */
  services: Type.Array(Type.Object({ procedureCode: Type.String(), modifiers: Type.Array(Type.String()), serviceDate: Nullable(IsoDate), chargeCents: Cents, paidCents: Cents })),
  /** Set once matched. */
  claimId: Nullable(Uuid),
  matchedAt: Nullable(Timestamp),
  matchedBy: Nullable(Type.String()),
  createdAt: Timestamp,
});
export type UnmatchedRemittance = Static<typeof UnmatchedRemittance>;

export const listUnmatchedRemittances = listPage({
  service: 'billing',
  name: 'unmatched-remittance.list',
  summary: 'The unmatched-remittance queue: CLPs no claim was found for, oldest first',
  path: '/v1/billing/unmatched-remittances',
  roles: allRoles,
  filters: {
    /** Default `open`. */
    status: Type.Optional(StringEnum(['open', 'matched'] as const)),
    remittanceId: Type.Optional(Uuid),
    patientControlNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 38 })),
  },
  item: UnmatchedRemittance,
  errors: ['validation-failed'],
  phi: 'read',
});

export const matchUnmatchedRemittance = actionOnId({
  service: 'billing',
  name: 'unmatched-remittance.match',
  summary: 'Match a CLP from the unmatched queue to a claim: the posting completes on that claim',
  path: '/v1/billing/unmatched-remittances/{id}/match',
  roles: remittancePostingRoles,
  body: { claimId: Uuid },
  output: UnmatchedRemittance,
  errors: ['validation-failed', 'not-found', 'conflict'],
  phi: 'read',
});

// ---- Manual posting (paper EOB) --------------------------------------------------------------------

export const NewClaimPayment = Type.Object(
  {
    /** The EOB's payment (check) date. Default: today. */
    paymentDate: Type.Optional(IsoDate),
    /** As CLP02 would say: 1 primary (default), 2 secondary, 3 tertiary, 4 denied. */
    statusCode: Type.Optional(StringEnum(['1', '2', '3', '4'] as const)),
    payerClaimControlNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    /** What the payer paid on the claim. */
    paidCents: Type.Integer({ minimum: 0 }),
    /** Claim-level adjustments; patient responsibility is group PR (CARC 1 deductible, 2 coinsurance, 3 copay). */
    adjustments: Type.Optional(Type.Array(Adjustment, { maxItems: 99 })),
    /** Per line, when the EOB itemizes: paid and adjustments of each line. */
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          { lineId: Uuid, paidCents: Type.Integer({ minimum: 0 }), adjustments: Type.Optional(Type.Array(Adjustment, { maxItems: 99 })), remarks: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 10 }), { maxItems: 20 })) },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
    /** Remark codes (RARC) printed on the EOB. */
    remarks: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 10 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type NewClaimPayment = Static<typeof NewClaimPayment>;

export const postClaimPayment = actionOnId({
  service: 'billing',
  name: 'claim.payment.post',
  summary: 'Post a paper EOB to a claim: payment, adjustments, patient responsibility, per line when itemized',
  path: '/v1/billing/claims/{id}/payments',
  status: 201,
  roles: remittancePostingRoles,
  body: NewClaimPayment.properties,
  output: Claim,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
  idempotency: 'required',
});

export const remittanceOperations: readonly Operation[] = [postRemittance, getRemittance, listRemittances, listUnmatchedRemittances, matchUnmatchedRemittance, postClaimPayment];
