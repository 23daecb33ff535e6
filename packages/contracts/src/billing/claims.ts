import Type, { type Static } from 'typebox';
import { Cents, IsoDate, StringEnum, Timestamp, Uuid } from '../core.js';
import { Nullable } from './common.js';

// ---- Claims: the shapes every billing operation returns -------------------------------------------
//
// A claim is built from an encounter's charges (or imported from an 837P) and then moves through
// `claimStatuses`; remittances, acknowledgments and work-queue actions change it, each change a
// history entry. Codes are checked by the scrubber (findings), not by these schemas, so a claim with a
// malformed code can still be stored and shown with every finding at once.

export const claimStatuses = ['draft', 'ready', 'submitted', 'accepted', 'rejected', 'paid', 'partially-paid', 'denied', 'closed'] as const;
export type ClaimStatus = (typeof claimStatuses)[number];

/** CLM05-3: 1 original, 7 replacement (corrected), 8 void. */
export const frequencyCodes = ['1', '7', '8'] as const;
export type FrequencyCode = (typeof frequencyCodes)[number];

/** Procedure code as sent (the scrubber checks CPT/HCPCS format). */
export const ClaimProcedureCode = Type.String({ minLength: 1, maxLength: 48, description: 'CPT or HCPCS code (format checked by the scrubber)' });
export const ClaimModifier = Type.String({ minLength: 1, maxLength: 2 });
/** ICD-10-CM without or with the dot, e.g. E119 or E11.9 (format checked by the scrubber). */
export const DiagnosisCode = Type.String({ minLength: 1, maxLength: 30 });
/** ABK/ABF ICD-10-CM (principal/other), BK/BF ICD-9-CM. */
export const diagnosisQualifiers = ['ABK', 'ABF', 'BK', 'BF'] as const;
export const ClaimDiagnosis = Type.Object({ code: DiagnosisCode, qualifier: StringEnum(diagnosisQualifiers) }, { additionalProperties: false });
export type ClaimDiagnosis = Static<typeof ClaimDiagnosis>;
/** CMS place of service code, two digits (11 office, 22 outpatient hospital, 02/10 telehealth, ...). */
export const PlaceOfService = Type.String({ pattern: '^[0-9]{2}$' });
export const Npi = Type.String({ pattern: '^[0-9]{10}$' });

/** A provider named on a claim without a provider record (referring), as the 837P carries it. */
export const NamedProvider = Type.Object(
  { npi: Nullable(Type.String({ maxLength: 10 })), lastName: Type.String({ minLength: 1, maxLength: 60 }), firstName: Nullable(Type.String({ maxLength: 35 })) },
  { additionalProperties: false },
);
export type NamedProvider = Static<typeof NamedProvider>;

/** One scrubber finding: `field` is a JSON pointer into the claim, e.g. `/lines/0/diagnosisPointers/1`. */
export const ScrubFinding = Type.Object({
  field: Type.String(),
  code: Type.String(),
  severity: StringEnum(['error', 'warning'] as const),
  message: Type.String(),
});
export type ScrubFinding = Static<typeof ScrubFinding>;

export const adjustmentGroups = ['CO', 'PR', 'OA', 'PI', 'CR'] as const;
export const ClaimAdjustment = Type.Object({ group: StringEnum(adjustmentGroups), reason: Type.String({ minLength: 1, maxLength: 5 }), amountCents: Cents });
export type ClaimAdjustment = Static<typeof ClaimAdjustment>;
/** Patient responsibility by kind: CARC 1 deductible, 2 coinsurance, 3 copay; anything else `other`. */
export const patientResponsibilityReasons = ['deductible', 'coinsurance', 'copay', 'other'] as const;
export type PatientResponsibilityReason = (typeof patientResponsibilityReasons)[number];
export const PatientResponsibility = Type.Object({ reason: StringEnum(patientResponsibilityReasons), amountCents: Cents });
export type PatientResponsibility = Static<typeof PatientResponsibility>;

export const ClaimLine = Type.Object({
  id: Uuid,
  /** 1-based, in claim order (LX01). */
  lineNumber: Type.Integer({ minimum: 1 }),
  procedureCode: ClaimProcedureCode,
  modifiers: Type.Array(ClaimModifier, { maxItems: 4 }),
  units: Type.Number(),
  chargeCents: Cents,
  /** 1-based positions in the claim's `diagnoses`, up to four. */
  diagnosisPointers: Type.Array(Type.Integer(), { maxItems: 4 }),
  serviceDate: IsoDate,
  /** Only when it differs from the claim's place of service. */
  placeOfService: Nullable(PlaceOfService),
  renderingProviderId: Nullable(Uuid),
  /** REF*6R: what the payer's 835 echoes to match the line. */
  lineControlNumber: Type.String(),
  paidCents: Cents,
  adjustmentCents: Cents,
  patientResponsibilityCents: Cents,
  /** charge − paid − adjustments − patient responsibility. */
  balanceCents: Cents,
  /** The payer paid nothing on the line and adjusted it off with a denial reason. */
  denied: Type.Boolean(),
});
export type ClaimLine = Static<typeof ClaimLine>;

/** One posting against the claim: an ERA's CLP, a manual EOB posting, or a reversal of one. */
export const Adjudication = Type.Object({
  id: Uuid,
  source: StringEnum(['era', 'manual'] as const),
  /** The remittance it came from (ERA postings). */
  remittanceId: Nullable(Uuid),
  /** CLP02 (1 primary, 2 secondary, 4 denied, 22 reversal, ...). */
  statusCode: Type.String(),
  reversal: Type.Boolean(),
  /** The adjudication a reversal undid. */
  reversesId: Nullable(Uuid),
  payerClaimControlNumber: Nullable(Type.String()),
  paidCents: Cents,
  patientResponsibilityCents: Cents,
  adjustments: Type.Array(Type.Object({ lineId: Nullable(Uuid), group: StringEnum(adjustmentGroups), reason: Type.String(), amountCents: Cents })),
  /** Line-level amounts, by claim line. */
  lines: Type.Array(Type.Object({ lineId: Uuid, paidCents: Cents, remarks: Type.Array(Type.String()) })),
  remarks: Type.Array(Type.String()),
  postedAt: Timestamp,
  /** The principal that posted it (a user for manual postings). */
  postedBy: Type.String(),
  paymentDate: IsoDate,
});
export type Adjudication = Static<typeof Adjudication>;

export const ClaimHistoryEntry = Type.Object({
  at: Timestamp,
  /** What happened: `created`, `scrubbed`, `submitted`, `accepted`, `rejected`, `adjudicated`, `reversed`, `corrected`, `voided`, `appealed`, `written-off`, ... */
  action: Type.String(),
  from: Nullable(StringEnum(claimStatuses)),
  to: StringEnum(claimStatuses),
  by: Type.String(),
  note: Nullable(Type.String()),
});
export type ClaimHistoryEntry = Static<typeof ClaimHistoryEntry>;

/** A payer's or clearinghouse's rejection (999 or 277CA), as the claim keeps it. */
export const ClaimRejection = Type.Object({
  source: StringEnum(['999', '277CA'] as const),
  /** Status category and status codes (277CA STC01), or 999 error codes. */
  codes: Type.Array(Type.String()),
  /** The segment the rejection points at, e.g. `NM1` at position 12, element 9, when the file says. */
  segment: Nullable(Type.Object({ id: Type.String(), position: Nullable(Type.Integer()), element: Nullable(Type.Integer()) })),
  message: Type.String(),
  at: Timestamp,
});
export type ClaimRejection = Static<typeof ClaimRejection>;

export const Claim = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  /** CLM01: at most 20 characters, unique in the practice. */
  patientControlNumber: Type.String({ maxLength: 20 }),
  status: StringEnum(claimStatuses),
  frequencyCode: StringEnum(frequencyCodes),
  /** REF*F8: the payer's claim control number, carried by corrected and void resubmissions. */
  payerClaimControlNumber: Nullable(Type.String()),
  encounterId: Nullable(Uuid),
  /** The 837P import it came from. */
  importId: Nullable(Uuid),
  patientId: Uuid,
  coverageId: Nullable(Uuid),
  payerId: Uuid,
  billingProviderId: Uuid,
  renderingProviderId: Nullable(Uuid),
  referringProvider: Nullable(NamedProvider),
  placeOfService: PlaceOfService,
  diagnoses: Type.Array(ClaimDiagnosis, { maxItems: 12 }),
  serviceDateFrom: IsoDate,
  serviceDateTo: IsoDate,
  priorAuthorization: Nullable(Type.String()),
  chargeCents: Cents,
  paidCents: Cents,
  adjustmentCents: Cents,
  patientResponsibilityCents: Cents,
  /** charge − paid − adjustments − patient responsibility. */
  balanceCents: Cents,
  /** Times sent to the payer (a correction or void adds one). */
  submissionCount: Type.Integer({ minimum: 0 }),
  firstSubmittedAt: Nullable(Timestamp),
  lastSubmittedAt: Nullable(Timestamp),
  /** The batch (837P file) that last carried it. */
  batchId: Nullable(Uuid),
  /** CLP02 19–21: the payer forwarded the claim to another payer (crossover). */
  forwardedTo: Nullable(Type.String()),
  rejection: Nullable(ClaimRejection),
  /** The last scrub's findings. */
  findings: Type.Array(ScrubFinding),
  lines: Type.Array(ClaimLine),
  adjudications: Type.Array(Adjudication),
  history: Type.Array(ClaimHistoryEntry),
  /** Bumped by every change; an edit may name the version it was made on (PATCH `version`). */
  version: Type.Integer({ minimum: 1 }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Claim = Static<typeof Claim>;

/** A claim in a list: no lines, adjudications or history. */
export const ClaimSummary = Type.Omit(Claim, ['lines', 'adjudications', 'history', 'findings']);
export type ClaimSummary = Static<typeof ClaimSummary>;
