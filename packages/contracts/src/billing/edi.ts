import Type, { type Static } from 'typebox';
import { getById, listPage } from '../builders.js';
import { Cents, mso, operation, RawResponse, StringEnum, Timestamp, Uuid } from '../core.js';
import { claimStatuses } from './claims.js';
import { allRoles, Nullable } from './common.js';

// 837P batches out, 999/277CA acknowledgments in, 837P imports from EHRs.

const billingTeam = [...mso, 'practice-admin' as const];
const x12Body = { mediaTypes: ['application/edi-x12', 'text/plain'], maxBytes: 20 * 1024 * 1024 };

/**
 * The `edi` slot of the billing terms: who the practice's 837P files come from and go to. Each field
 * left out has a default: the submitter is the batch's first billing provider (name, NPI as id), the
 * receiver is the payer (name, EDI payer id), the ISA ids are the submitter and receiver ids, usage `P`.
 */
export const EdiTerms = Type.Object(
  {
    submitterName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    /** Loop 1000A NM109: the id the clearinghouse gave the practice. */
    submitterId: Type.Optional(Type.String({ minLength: 2, maxLength: 80 })),
    contactName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    contactPhone: Type.Optional(Type.String({ pattern: '^[0-9]{10}$' })),
    contactEmail: Type.Optional(Type.String({ minLength: 3, maxLength: 80 })),
    /** Loop 1000B: the clearinghouse. */
    receiverName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    receiverId: Type.Optional(Type.String({ minLength: 2, maxLength: 80 })),
    /** ISA06 / ISA08 (at most 15 characters); default: the submitter and receiver ids. */
    interchangeSenderId: Type.Optional(Type.String({ minLength: 1, maxLength: 15 })),
    interchangeReceiverId: Type.Optional(Type.String({ minLength: 1, maxLength: 15 })),
    /** ISA15: `T` test files, `P` production (default). */
    usage: Type.Optional(StringEnum(['T', 'P'] as const)),
  },
  { additionalProperties: false },
);
export type EdiTerms = Static<typeof EdiTerms>;

/** Something an X12 reader noticed but could read past, and where. */
export const EdiWarning = Type.Object({
  code: Type.String(),
  message: Type.String(),
  /** 0-based position of the segment in the file (the first ISA is 0). */
  segmentIndex: Nullable(Type.Integer()),
  segmentId: Nullable(Type.String()),
  elementIndex: Nullable(Type.Integer()),
});
export type EdiWarning = Static<typeof EdiWarning>;

// ---- Batches (837P out) ---------------------------------------------------------------------------

export const BatchSummary = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  payerId: Uuid,
  /** ISA13 and GS06 of the file: what the payer's 999 names. */
  controlNumber: Type.Integer(),
  usage: StringEnum(['T', 'P'] as const),
  claimCount: Type.Integer(),
  totalChargeCents: Cents,
  /** Transaction sets (ST…SE) in the file. */
  transactionCount: Type.Integer(),
  sizeBytes: Type.Integer(),
  createdAt: Timestamp,
  createdBy: Type.String(),
});
export type BatchSummary = Static<typeof BatchSummary>;

export const Batch = Type.Object({
  ...BatchSummary.properties,
  claims: Type.Array(
    Type.Object({
      claimId: Uuid,
      patientControlNumber: Type.String(),
      chargeCents: Cents,
      /** ST02 of the transaction set that carries the claim. */
      transactionControlNumber: Type.String(),
    }),
  ),
});
export type Batch = Static<typeof Batch>;

export const createBatches = operation({
  service: 'billing',
  name: 'batch.create',
  summary: 'Gather the submitted claims not yet sent into one 837P (005010X222A1) per payer',
  http: { method: 'POST', path: '/v1/billing/batches', status: 201, statuses: [200] },
  roles: billingTeam,
  input: Type.Object({ payerId: Type.Optional(Uuid) }, { additionalProperties: false }),
  /** 200 with no batches when no claim waits. */
  output: Type.Object({ batches: Type.Array(BatchSummary) }),
  errors: ['validation-failed', 'unprocessable', 'conflict'],
});
export const listBatches = listPage({
  service: 'billing',
  name: 'batch.list',
  summary: "List the practice's 837P batches, newest first",
  path: '/v1/billing/batches',
  roles: allRoles,
  filters: { payerId: Type.Optional(Uuid) },
  item: BatchSummary,
  errors: ['validation-failed'],
});
export const getBatch = getById({
  service: 'billing',
  name: 'batch.get',
  summary: 'Get a batch with its claims',
  path: '/v1/billing/batches/{id}',
  roles: allRoles,
  output: Batch,
});
export const getBatchFile = getById({
  service: 'billing',
  name: 'batch.file',
  summary: 'The 837P file of a batch, as it was written',
  path: '/v1/billing/batches/{id}/837',
  response: { mediaTypes: ['application/edi-x12'] },
  roles: billingTeam,
  output: RawResponse,
  phi: 'read',
});

// ---- Acknowledgments (999 / 277CA in) ---------------------------------------------------------------

const ClaimStatusValue = StringEnum(claimStatuses);
export const Acknowledgment = Type.Object({
  id: Uuid,
  kind: StringEnum(['999', '277CA'] as const),
  /** Claims whose status the file changed. */
  moved: Type.Array(
    Type.Object({ claimId: Uuid, patientControlNumber: Type.String(), from: ClaimStatusValue, to: ClaimStatusValue, codes: Type.Array(Type.String()) }),
  ),
  /** Claims the file names that stay as they are (already answered, pended, accepted 999). */
  unchanged: Type.Array(Type.Object({ claimId: Uuid, patientControlNumber: Type.String(), status: ClaimStatusValue, reason: Type.String() })),
  /** What the file names that matches no batch or claim of the practice. */
  unmatched: Type.Array(Type.Object({ reference: Type.String(), message: Type.String() })),
  warnings: Type.Array(EdiWarning),
  createdAt: Timestamp,
});
export type Acknowledgment = Static<typeof Acknowledgment>;

export const importAcknowledgment = operation({
  service: 'billing',
  name: 'acknowledgment.import',
  summary: 'Read a 999 or 277CA: claims move to accepted or rejected (the same file again changes nothing and answers 200)',
  http: { method: 'POST', path: '/v1/billing/acknowledgments', status: 201, statuses: [200], body: x12Body },
  roles: billingTeam,
  input: Type.Object({}, { additionalProperties: false }),
  output: Acknowledgment,
  errors: ['validation-failed', 'unprocessable', 'conflict'],
});

// ---- 837P imports from EHRs -------------------------------------------------------------------------

export const ClaimImport = Type.Object({
  id: Uuid,
  claimCount: Type.Integer(),
  totalChargeCents: Cents,
  claims: Type.Array(
    Type.Object({ id: Uuid, patientControlNumber: Type.String(), chargeCents: Cents, serviceLineCount: Type.Integer(), status: ClaimStatusValue }),
  ),
  /** Segments the reader could not map, claims skipped (a patient control number the practice has already), ... */
  warnings: Type.Array(EdiWarning),
  createdAt: Timestamp,
});
export type ClaimImport = Static<typeof ClaimImport>;

export const importClaims = operation({
  service: 'billing',
  name: 'claim-import.create',
  summary: "Import an EHR's 837P: patients, coverage, payers and providers matched or created; claims ready, or draft with findings",
  http: { method: 'POST', path: '/v1/billing/claim-imports', status: 201, statuses: [200], body: x12Body },
  // Small files answer at once; a large one (thousands of claims) runs as a job with progress.
  async: { aboveBytes: 512 * 1024 },
  roles: billingTeam,
  input: Type.Object({}, { additionalProperties: false }),
  output: ClaimImport,
  errors: ['validation-failed', 'unprocessable'],
  phi: 'write',
});
export const getClaimImport = getById({
  service: 'billing',
  name: 'claim-import.get',
  summary: 'Get an 837P import and the claims it created',
  path: '/v1/billing/claim-imports/{id}',
  roles: allRoles,
  output: ClaimImport,
});

export const ediOperations = [createBatches, listBatches, getBatch, getBatchFile, importAcknowledgment, importClaims, getClaimImport] as const;
