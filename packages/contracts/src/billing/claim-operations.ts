// Encounters, charges and claims: build, scrub, submit, correct, void.
import Type, { type Static } from 'typebox';
import { actionOnId, getById, listPage, updateById } from '../builders.js';
import { Cents, IsoDate, mso, operation, StringEnum, Timestamp, Uuid, type Operation } from '../core.js';
import {
  Claim,
  ClaimDiagnosis,
  ClaimModifier,
  ClaimProcedureCode,
  claimStatuses,
  ClaimSummary,
  diagnosisQualifiers,
  DiagnosisCode,
  NamedProvider,
  PlaceOfService,
  ScrubFinding,
} from './claims.js';
import { allRoles, Nullable, Stamps, Text } from './common.js';

/** Who builds and edits claims: the practice's staff and the MSO's billing team. */
const chargeRoles = allRoles;
/** Who sends claims to payers (submit, correct, void): the MSO's billing team and the practice's admin. */
export const submitRoles = [...mso, 'practice-admin' as const];

// ---- Encounters and charges -----------------------------------------------------------------------

export const encounterStatuses = ['open', 'billed'] as const;

const Units = Type.Number({ maximum: 9999, description: 'Service units (minutes-based codes: units as the code defines them); checked > 0 by the scrubber' });
const Pointers = Type.Array(Type.Integer(), { maxItems: 4, description: "1-based positions in the encounter's diagnoses" });

export const Charge = Type.Object({
  id: Uuid,
  procedureCode: ClaimProcedureCode,
  modifiers: Type.Array(ClaimModifier, { maxItems: 4 }),
  units: Type.Number(),
  /** Null: priced from the payer's fee schedule (unit fee × units) when the claim is built. */
  chargeCents: Nullable(Cents),
  diagnosisPointers: Type.Array(Type.Integer(), { maxItems: 4 }),
  serviceDate: IsoDate,
  /** Only when it differs from the encounter's. */
  placeOfService: Nullable(PlaceOfService),
  renderingProviderId: Nullable(Uuid),
  createdAt: Timestamp,
});
export type Charge = Static<typeof Charge>;

export const NewCharge = Type.Object(
  {
    procedureCode: ClaimProcedureCode,
    modifiers: Type.Optional(Type.Array(ClaimModifier, { maxItems: 4 })),
    /** Default 1. */
    units: Type.Optional(Units),
    /** Omitted: priced from the fee schedule when the claim is built. */
    chargeCents: Type.Optional(Nullable(Cents)),
    diagnosisPointers: Pointers,
    /** Default: the encounter's date of service. */
    serviceDate: Type.Optional(IsoDate),
    placeOfService: Type.Optional(Nullable(PlaceOfService)),
    renderingProviderId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);
export type NewCharge = Static<typeof NewCharge>;

/** A diagnosis as entered: the qualifier defaults to ICD-10-CM (ABK for the first, ABF after). */
export const EncounterDiagnosis = Type.Object({ code: DiagnosisCode, qualifier: Type.Optional(StringEnum(diagnosisQualifiers)) }, { additionalProperties: false });

export const Encounter = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  patientId: Uuid,
  /** Null: the patient's primary coverage on the date of service is billed. */
  coverageId: Nullable(Uuid),
  billingProviderId: Uuid,
  renderingProviderId: Nullable(Uuid),
  referringProvider: Nullable(NamedProvider),
  placeOfService: PlaceOfService,
  dateOfService: IsoDate,
  diagnoses: Type.Array(ClaimDiagnosis, { maxItems: 12 }),
  priorAuthorization: Nullable(Type.String()),
  /** `open` until a claim is built from it (`billed`). */
  status: StringEnum(encounterStatuses),
  claimId: Nullable(Uuid),
  charges: Type.Array(Charge),
  ...Stamps,
});
export type Encounter = Static<typeof Encounter>;

export const createEncounter = operation({
  service: 'billing',
  name: 'encounter.create',
  summary: 'Record a visit: patient, providers, diagnoses (up to 12) and its charges',
  http: { method: 'POST', path: '/v1/billing/encounters', status: 201 },
  roles: chargeRoles,
  input: Type.Object(
    {
      patientId: Uuid,
      coverageId: Type.Optional(Nullable(Uuid)),
      billingProviderId: Uuid,
      renderingProviderId: Type.Optional(Nullable(Uuid)),
      referringProvider: Type.Optional(Nullable(NamedProvider)),
      placeOfService: PlaceOfService,
      dateOfService: IsoDate,
      diagnoses: Type.Array(EncounterDiagnosis, { maxItems: 12 }),
      priorAuthorization: Type.Optional(Nullable(Text(50))),
      charges: Type.Optional(Type.Array(NewCharge, { maxItems: 50 })),
    },
    { additionalProperties: false },
  ),
  output: Encounter,
  errors: ['validation-failed', 'unprocessable'],
  phi: 'write',
});

export const getEncounter = getById({
  service: 'billing',
  name: 'encounter.get',
  summary: 'Get an encounter with its charges',
  path: '/v1/billing/encounters/{id}',
  roles: chargeRoles,
  output: Encounter,
  phi: 'read',
});

export const listEncounters = listPage({
  service: 'billing',
  name: 'encounter.list',
  summary: "List the practice's encounters, newest first; by patient, status and dates of service",
  path: '/v1/billing/encounters',
  roles: chargeRoles,
  filters: {
    patientId: Type.Optional(Uuid),
    status: Type.Optional(StringEnum(encounterStatuses)),
    /** Dates of service from (inclusive). */
    from: Type.Optional(IsoDate),
    /** Dates of service to (inclusive). */
    to: Type.Optional(IsoDate),
  },
  item: Encounter,
  errors: ['validation-failed'],
  phi: 'read',
});

export const addCharge = actionOnId({
  service: 'billing',
  name: 'encounter.charge.add',
  summary: 'Add a charge to an open encounter',
  path: '/v1/billing/encounters/{id}/charges',
  status: 201,
  roles: chargeRoles,
  body: NewCharge.properties,
  output: Encounter,
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
  phi: 'write',
});

export const createClaimFromEncounter = actionOnId({
  service: 'billing',
  name: 'encounter.claim.create',
  summary: "Build the encounter's claim, priced from the payer's fee schedule, and scrub it",
  path: '/v1/billing/encounters/{id}/claim',
  status: 201,
  roles: chargeRoles,
  body: {
    /** The coverage to bill; default: the encounter's, else the patient's primary on the date of service. */
    coverageId: Type.Optional(Uuid),
  },
  output: Claim,
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
  phi: 'write',
});

// ---- Claims ---------------------------------------------------------------------------------------

export const getClaim = getById({
  service: 'billing',
  name: 'claim.get',
  summary: 'Get a claim: amounts and balance, lines, adjudications, findings and history',
  path: '/v1/billing/claims/{id}',
  roles: allRoles,
  output: Claim,
  phi: 'read',
});

export const listClaims = listPage({
  service: 'billing',
  name: 'claim.list',
  summary: "List the practice's claims, newest first; by status, payer and patient",
  path: '/v1/billing/claims',
  roles: allRoles,
  filters: {
    status: Type.Optional(StringEnum(claimStatuses)),
    payerId: Type.Optional(Uuid),
    patientId: Type.Optional(Uuid),
    encounterId: Type.Optional(Uuid),
    patientControlNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  },
  item: ClaimSummary,
  errors: ['validation-failed'],
  phi: 'read',
});

/** A service line as a PATCH sends it: with the `id` of a line to keep (and change), without for a new one. */
export const ClaimLineInput = Type.Object(
  {
    id: Type.Optional(Uuid),
    procedureCode: ClaimProcedureCode,
    modifiers: Type.Optional(Type.Array(ClaimModifier, { maxItems: 4 })),
    units: Units,
    chargeCents: Cents,
    diagnosisPointers: Pointers,
    serviceDate: IsoDate,
    placeOfService: Type.Optional(Nullable(PlaceOfService)),
    renderingProviderId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);
export type ClaimLineInput = Static<typeof ClaimLineInput>;

export const updateClaim = updateById({
  service: 'billing',
  name: 'claim.update',
  summary: "Edit a draft, ready or rejected claim's codes, lines and parties; the claim is scrubbed again",
  path: '/v1/billing/claims/{id}',
  roles: chargeRoles,
  body: {
    /** The version the edit was made on; a claim changed since answers 409. */
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    coverageId: Type.Optional(Uuid),
    billingProviderId: Type.Optional(Uuid),
    renderingProviderId: Type.Optional(Nullable(Uuid)),
    referringProvider: Type.Optional(Nullable(NamedProvider)),
    placeOfService: Type.Optional(PlaceOfService),
    diagnoses: Type.Optional(Type.Array(ClaimDiagnosis, { maxItems: 12 })),
    priorAuthorization: Type.Optional(Nullable(Text(50))),
    /** The payer's claim control number of the original (REF*F8), for a corrected claim. */
    payerClaimControlNumber: Type.Optional(Nullable(Text(50))),
    /** Every line of the claim, in order: lines left out are removed (only if nothing was posted on them). */
    lines: Type.Optional(Type.Array(ClaimLineInput, { minItems: 1, maxItems: 50 })),
    /** Why, for the history. */
    note: Type.Optional(Text(500)),
  },
  output: Claim,
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
  phi: 'write',
});

export const ScrubResult = Type.Object({
  /** Every finding, errors first. */
  findings: Type.Array(ScrubFinding),
  /** The claim's status after the scrub (draft with errors, ready without). */
  status: StringEnum(claimStatuses),
});

export const scrubClaim = actionOnId({
  service: 'billing',
  name: 'claim.scrub',
  summary: 'Run the scrubber on a claim: every finding at once; a draft without errors becomes ready, a ready claim with errors draft',
  path: '/v1/billing/claims/{id}/scrub',
  roles: chargeRoles,
  output: ScrubResult,
  errors: ['not-found', 'conflict'],
  phi: 'read',
});

export const submitClaim = actionOnId({
  service: 'billing',
  name: 'claim.submit',
  summary: 'Scrub and submit a claim (it goes out in the next batch); 422 `claim-scrub-failed` with `findings` when the scrubber finds errors',
  path: '/v1/billing/claims/{id}/submit',
  roles: submitRoles,
  output: Claim,
  errors: ['not-found', 'conflict', 'claim-scrub-failed'],
  phi: 'write',
});

/** At most this many claims per bulk submission (a 10,000-claim import submits in one call). */
export const maxBulkSubmission = 10_000;

export const SubmitClaimsInput = Type.Object(
  {
    /** These claims (draft or ready); unknown ids are 422 naming `/claimIds/{i}`, nothing submitted. */
    claimIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: maxBulkSubmission })),
    /** `ready`: every ready claim of the practice, oldest first, at most 10,000 a call (call again while claims are submitted). */
    status: Type.Optional(Type.Literal('ready')),
    /** With `status`: only this payer's claims. */
    payerId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type SubmitClaimsInput = Static<typeof SubmitClaimsInput>;

const SubmittedClaimRef = Type.Object({ id: Uuid, patientControlNumber: Type.String() });
export const SubmitClaimsResult = Type.Object({
  /** Scrubbed clean and `submitted` (the next batch sends them), in the order asked (or oldest first). */
  submitted: Type.Array(SubmittedClaimRef),
  /**
   * Not submitted, with the scrubber's findings: a ready claim with errors is back to draft with them
   * stored; a claim that cannot be submitted in its status has one `claim-not-submittable` finding at `/status`.
   */
  refused: Type.Array(Type.Object({ ...SubmittedClaimRef.properties, findings: Type.Array(ScrubFinding) })),
});
export type SubmitClaimsResult = Static<typeof SubmitClaimsResult>;

export const submitClaims = operation({
  service: 'billing',
  name: 'claim.submit-many',
  summary: 'Scrub and submit many claims at once (by id, or every ready claim, optionally of one payer); the clean ones are submitted, the others refused with their findings',
  http: { method: 'POST', path: '/v1/billing/claims/submissions' },
  roles: submitRoles,
  input: SubmitClaimsInput,
  output: SubmitClaimsResult,
  errors: ['validation-failed', 'unprocessable', 'conflict'],
  phi: 'write',
});

export const correctClaim = actionOnId({
  service: 'billing',
  name: 'claim.correct',
  summary: "Reopen a rejected or adjudicated claim as a corrected claim (frequency 7, REF*F8 the payer's claim number): edit, then submit",
  path: '/v1/billing/claims/{id}/correct',
  roles: submitRoles,
  body: { note: Type.Optional(Text(500)) },
  output: Claim,
  errors: ['not-found', 'conflict'],
  phi: 'write',
});

export const voidClaim = actionOnId({
  service: 'billing',
  name: 'claim.void',
  summary: 'Void an adjudicated claim with the payer: sent again with frequency 8 and the payer\'s claim number (REF*F8)',
  path: '/v1/billing/claims/{id}/void',
  roles: submitRoles,
  body: { note: Type.Optional(Text(500)) },
  output: Claim,
  errors: ['not-found', 'conflict', 'claim-scrub-failed'],
  phi: 'write',
});

export const claimOperations: readonly Operation[] = [
  createEncounter,
  getEncounter,
  listEncounters,
  addCharge,
  createClaimFromEncounter,
  getClaim,
  listClaims,
  updateClaim,
  scrubClaim,
  submitClaim,
  submitClaims,
  correctClaim,
  voidClaim,
];
