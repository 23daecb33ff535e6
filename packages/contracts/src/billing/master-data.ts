import Type, { type Static } from 'typebox';
import { actionOnId, getById, listPage, updateById } from '../builders.js';
import { Cents, IsoDate, operation, StringEnum, Timestamp, UsState, Uuid } from '../core.js';
import { serviceInfo } from '../info.js';
import { serviceJobGet, serviceJobList } from '../jobs.js';
import { allRoles, Nullable, partial, registrationRoles, setupRoles, Stamps, Text } from './common.js';
import { EdiTerms } from './edi.js';

export const getInfo = serviceInfo('billing');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('billing');
export const listJobs = serviceJobList('billing');

/** The `billing` slot of an agreement's terms: what billing reads from the practice's MSA. */
export const BillingTerms = Type.Object(
  {
    /** The billing fee as a share of net collections, in basis points (600 = 6 %). */
    feeBasisPointsOfNetCollections: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    /** Days after the date of service within which a claim must reach a payer that sets no limit of its own. */
    timelyFilingDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })),
    /** Per payer (by payer id), days within which claims must be filed. */
    timelyFilingDaysByPayer: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 80 }), Type.Integer({ minimum: 1, maximum: 730 }))),
    /** Days after submission without a remittance before a claim enters the missing-ERA queue (default 45). */
    missingEraDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    /** Per payer (by payer id), the same. */
    missingEraDaysByPayer: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 80 }), Type.Integer({ minimum: 1, maximum: 365 }))),
    /** Submitter and receiver of the practice's 837P files (defaults in `EdiTerms`). */
    edi: Type.Optional(EdiTerms),
  },
  { additionalProperties: false },
);
export type BillingTerms = Static<typeof BillingTerms>;

// ---- Payers ---------------------------------------------------------------------------------------

/** X12 claim filing indicator codes (837P SBR09). */
export const claimFilingIndicatorCodes = ['11', '12', '13', '14', '15', '16', '17', 'AM', 'BL', 'CH', 'CI', 'DS', 'FI', 'HM', 'LM', 'MA', 'MB', 'MC', 'OF', 'TV', 'VA', 'WC', 'ZZ'] as const;
export type ClaimFilingIndicatorCode = (typeof claimFilingIndicatorCodes)[number];

const PayerFields = {
  name: Text(200),
  /** The payer's EDI id (the clearinghouse payer id, 837P NM109 of loop 2010BB). */
  ediPayerId: Type.String({ minLength: 2, maxLength: 80, pattern: '^[A-Za-z0-9-]+$' }),
  claimFilingIndicatorCode: StringEnum(claimFilingIndicatorCodes),
  /** The payer's own timely-filing limit; null: the agreement's `timelyFilingDays` applies. */
  timelyFilingDays: Nullable(Type.Integer({ minimum: 1, maximum: 730 })),
  /** The payer's 835s carry the claim's trace number (TRN02 matches CLM01), so ERAs match by it. */
  erasByTraceNumber: Type.Boolean(),
  active: Type.Boolean(),
};
export const Payer = Type.Object({ id: Uuid, practiceId: Uuid, ...PayerFields, ...Stamps });
export type Payer = Static<typeof Payer>;
export const NewPayer = Type.Object(
  {
    name: PayerFields.name,
    ediPayerId: PayerFields.ediPayerId,
    claimFilingIndicatorCode: PayerFields.claimFilingIndicatorCode,
    timelyFilingDays: Type.Optional(PayerFields.timelyFilingDays),
    erasByTraceNumber: Type.Optional(PayerFields.erasByTraceNumber),
    active: Type.Optional(PayerFields.active),
  },
  { additionalProperties: false },
);

export const createPayer = operation({
  service: 'billing',
  name: 'payer.create',
  summary: 'Add a payer the practice bills',
  http: { method: 'POST', path: '/v1/billing/payers', status: 201 },
  roles: setupRoles,
  input: NewPayer,
  output: Payer,
  errors: ['validation-failed', 'conflict'],
});
export const listPayers = listPage({
  service: 'billing',
  name: 'payer.list',
  summary: "List the practice's payers, oldest first",
  path: '/v1/billing/payers',
  roles: allRoles,
  filters: { name: Type.Optional(Text(200)), ediPayerId: Type.Optional(PayerFields.ediPayerId), active: Type.Optional(Type.Boolean()) },
  item: Payer,
  errors: ['validation-failed'],
});
export const getPayer = getById({
  service: 'billing',
  name: 'payer.get',
  summary: 'Get a payer',
  path: '/v1/billing/payers/{id}',
  roles: allRoles,
  output: Payer,
});
export const updatePayer = updateById({
  service: 'billing',
  name: 'payer.update',
  summary: 'Change a payer',
  path: '/v1/billing/payers/{id}',
  roles: setupRoles,
  body: { ...partial(NewPayer.properties) },
  output: Payer,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

// ---- Patients (PHI) -----------------------------------------------------------------------------

export const sexes = ['M', 'F', 'U'] as const;
export const Address = Type.Object(
  {
    line1: Text(55),
    line2: Type.Optional(Nullable(Type.String({ maxLength: 55 }))),
    city: Text(30),
    state: UsState,
    /** ZIP or ZIP+4, digits only. */
    postalCode: Type.String({ pattern: '^[0-9]{5}([0-9]{4})?$' }),
  },
  { additionalProperties: false },
);
export type Address = Static<typeof Address>;
const Phone = Type.String({ pattern: '^[0-9]{10}$', description: '10 digits, no punctuation' });

const PersonFields = {
  firstName: Text(35),
  lastName: Text(60),
  middleName: Nullable(Type.String({ maxLength: 25 })),
  dateOfBirth: IsoDate,
  sex: StringEnum(sexes),
  address: Address,
};
const PatientFields = { ...PersonFields, phone: Nullable(Phone) };

export const Patient = Type.Object({ id: Uuid, practiceId: Uuid, ...PatientFields, ...Stamps });
export type Patient = Static<typeof Patient>;
export const NewPatient = Type.Object(
  {
    firstName: PatientFields.firstName,
    lastName: PatientFields.lastName,
    middleName: Type.Optional(PatientFields.middleName),
    dateOfBirth: PatientFields.dateOfBirth,
    sex: PatientFields.sex,
    address: PatientFields.address,
    phone: Type.Optional(PatientFields.phone),
  },
  { additionalProperties: false },
);

export const createPatient = operation({
  service: 'billing',
  name: 'patient.create',
  summary: 'Register a patient',
  http: { method: 'POST', path: '/v1/billing/patients', status: 201 },
  roles: registrationRoles,
  input: NewPatient,
  output: Patient,
  errors: ['validation-failed', 'unprocessable'],
  phi: 'write',
});
export const listPatients = listPage({
  service: 'billing',
  name: 'patient.list',
  summary: "List the practice's patients, oldest first; filter by last-name prefix and date of birth",
  path: '/v1/billing/patients',
  roles: allRoles,
  filters: {
    /** Case-insensitive prefix of the last name. */
    lastName: Type.Optional(Text(60)),
    dateOfBirth: Type.Optional(IsoDate),
  },
  item: Patient,
  errors: ['validation-failed'],
  phi: 'read',
});
export const getPatient = getById({
  service: 'billing',
  name: 'patient.get',
  summary: 'Get a patient',
  path: '/v1/billing/patients/{id}',
  roles: allRoles,
  output: Patient,
  phi: 'read',
});
export const updatePatient = updateById({
  service: 'billing',
  name: 'patient.update',
  summary: "Change a patient's demographics",
  path: '/v1/billing/patients/{id}',
  roles: registrationRoles,
  body: { ...partial(NewPatient.properties) },
  output: Patient,
  errors: ['validation-failed', 'not-found', 'unprocessable'],
  phi: 'write',
});

// ---- Coverage (PHI) -----------------------------------------------------------------------------

export const coverageOrders = ['primary', 'secondary', 'tertiary'] as const;
export type CoverageOrder = (typeof coverageOrders)[number];
/** The patient's relationship to the subscriber (837P SBR02 / PAT01: 18 self, 01 spouse, 19 child, G8 other). */
export const subscriberRelationships = ['self', 'spouse', 'child', 'other'] as const;
export type SubscriberRelationship = (typeof subscriberRelationships)[number];

export const Subscriber = Type.Object(
  {
    firstName: PersonFields.firstName,
    lastName: PersonFields.lastName,
    middleName: Type.Optional(PersonFields.middleName),
    dateOfBirth: PersonFields.dateOfBirth,
    sex: PersonFields.sex,
    address: PersonFields.address,
  },
  { additionalProperties: false },
);
export type Subscriber = Static<typeof Subscriber>;

const CoverageFields = {
  patientId: Uuid,
  /** The payer record (`/v1/billing/payers/{id}`). */
  payerId: Uuid,
  memberId: Type.String({ minLength: 1, maxLength: 80, pattern: '^[A-Za-z0-9-]+$' }),
  groupNumber: Nullable(Type.String({ minLength: 1, maxLength: 50 })),
  relationship: StringEnum(subscriberRelationships),
  /** The subscriber when the patient is not (relationship other than `self`); null for `self`. */
  subscriber: Nullable(Subscriber),
  order: StringEnum(coverageOrders),
  effectiveFrom: IsoDate,
  /** Last day covered; null: open-ended. */
  effectiveTo: Nullable(IsoDate),
};
export const Coverage = Type.Object({ id: Uuid, practiceId: Uuid, ...CoverageFields, ...Stamps });
export type Coverage = Static<typeof Coverage>;
export const NewCoverage = Type.Object(
  {
    patientId: CoverageFields.patientId,
    payerId: CoverageFields.payerId,
    memberId: CoverageFields.memberId,
    groupNumber: Type.Optional(CoverageFields.groupNumber),
    relationship: CoverageFields.relationship,
    subscriber: Type.Optional(CoverageFields.subscriber),
    order: CoverageFields.order,
    effectiveFrom: CoverageFields.effectiveFrom,
    effectiveTo: Type.Optional(CoverageFields.effectiveTo),
  },
  { additionalProperties: false },
);

export const createCoverage = operation({
  service: 'billing',
  name: 'coverage.create',
  summary: "Add a patient's insurance coverage",
  http: { method: 'POST', path: '/v1/billing/coverages', status: 201 },
  roles: registrationRoles,
  input: NewCoverage,
  output: Coverage,
  errors: ['validation-failed', 'unprocessable', 'conflict'],
  phi: 'write',
});
export const listCoverages = listPage({
  service: 'billing',
  name: 'coverage.list',
  summary: 'List coverages, oldest first; by patient, payer, or those in effect on a date',
  path: '/v1/billing/coverages',
  roles: allRoles,
  filters: {
    patientId: Type.Optional(Uuid),
    payerId: Type.Optional(Uuid),
    /** In effect on this date. */
    activeOn: Type.Optional(IsoDate),
  },
  item: Coverage,
  errors: ['validation-failed'],
  phi: 'read',
});
export const getCoverage = getById({
  service: 'billing',
  name: 'coverage.get',
  summary: 'Get a coverage',
  path: '/v1/billing/coverages/{id}',
  roles: allRoles,
  output: Coverage,
  phi: 'read',
});
export const updateCoverage = updateById({
  service: 'billing',
  name: 'coverage.update',
  summary: 'Change a coverage (e.g. end it, or make it secondary)',
  path: '/v1/billing/coverages/{id}',
  roles: registrationRoles,
  body: {
    memberId: Type.Optional(CoverageFields.memberId),
    groupNumber: Type.Optional(CoverageFields.groupNumber),
    relationship: Type.Optional(CoverageFields.relationship),
    subscriber: Type.Optional(CoverageFields.subscriber),
    order: Type.Optional(CoverageFields.order),
    effectiveFrom: Type.Optional(CoverageFields.effectiveFrom),
    effectiveTo: Type.Optional(CoverageFields.effectiveTo),
  },
  output: Coverage,
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
  phi: 'write',
});

// ---- Providers ------------------------------------------------------------------------------------

/** `billing`: the 837P billing provider (loop 2010AA); `rendering`: who performed the service (2310B). */
export const providerKinds = ['billing', 'rendering'] as const;
export type ProviderKind = (typeof providerKinds)[number];
const ProviderFields = {
  kind: StringEnum(providerKinds),
  /** 10 digits with the Luhn check digit over 80840 + the first nine (checked: 422 when wrong). */
  npi: Type.String({ pattern: '^[0-9]{10}$' }),
  /** Health-care provider taxonomy code, e.g. 207Q00000X. */
  taxonomyCode: Type.String({ pattern: '^[0-9]{3}[0-9A-Z]{6}X$' }),
  /** Organisation name, or the person's last name. */
  name: Text(60),
  /** A person's first name; null for an organisation. */
  firstName: Nullable(Type.String({ minLength: 1, maxLength: 35 })),
  /** The 837P billing provider address (loop 2010AA N3/N4, a street address, not a PO box). */
  address: Nullable(Address),
  /** Employer identification number (REF*EI), 9 digits. */
  taxId: Nullable(Type.String({ pattern: '^[0-9]{9}$' })),
  active: Type.Boolean(),
};
export const Provider = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  ...ProviderFields,
  /** Null for a provider an 837P import created from a file that sent no taxonomy. */
  taxonomyCode: Nullable(ProviderFields.taxonomyCode),
  ...Stamps,
});
export type Provider = Static<typeof Provider>;
export const NewProvider = Type.Object(
  {
    kind: ProviderFields.kind,
    npi: ProviderFields.npi,
    taxonomyCode: ProviderFields.taxonomyCode,
    name: ProviderFields.name,
    firstName: Type.Optional(ProviderFields.firstName),
    address: Type.Optional(ProviderFields.address),
    taxId: Type.Optional(ProviderFields.taxId),
    active: Type.Optional(ProviderFields.active),
  },
  { additionalProperties: false },
);

export const createProvider = operation({
  service: 'billing',
  name: 'provider.create',
  summary: 'Add a billing or rendering provider',
  http: { method: 'POST', path: '/v1/billing/providers', status: 201 },
  roles: setupRoles,
  input: NewProvider,
  output: Provider,
  errors: ['validation-failed', 'unprocessable', 'conflict'],
});
export const listProviders = listPage({
  service: 'billing',
  name: 'provider.list',
  summary: "List the practice's providers, oldest first",
  path: '/v1/billing/providers',
  roles: allRoles,
  filters: { kind: Type.Optional(ProviderFields.kind), npi: Type.Optional(ProviderFields.npi), active: Type.Optional(Type.Boolean()) },
  item: Provider,
  errors: ['validation-failed'],
});
export const getProvider = getById({
  service: 'billing',
  name: 'provider.get',
  summary: 'Get a provider',
  path: '/v1/billing/providers/{id}',
  roles: allRoles,
  output: Provider,
});
export const updateProvider = updateById({
  service: 'billing',
  name: 'provider.update',
  summary: 'Change a provider',
  path: '/v1/billing/providers/{id}',
  roles: setupRoles,
  body: { ...partial(NewProvider.properties) },
  output: Provider,
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
});

// ---- Fee schedules --------------------------------------------------------------------------------

/** CPT (5 digits, or 4 digits + F/T/U for category II/III) or HCPCS level II (a letter A-V + 4 digits). */
export const ProcedureCode = Type.String({ pattern: '^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$', description: 'CPT or HCPCS code' });
export const Modifier = Type.String({ pattern: '^[A-Z0-9]{2}$' });

const FeeScheduleFields = {
  name: Text(200),
  /** The payer this schedule is for; null: the practice's default schedule, used where a payer has no entry. */
  payerId: Nullable(Uuid),
};
export const FeeSchedule = Type.Object({ id: Uuid, practiceId: Uuid, ...FeeScheduleFields, entries: Type.Integer(), ...Stamps });
export type FeeSchedule = Static<typeof FeeSchedule>;

const FeeEntryFields = {
  code: ProcedureCode,
  /** Up to four modifiers; the fee matches the same set in any order. */
  modifiers: Type.Array(Modifier, { maxItems: 4, uniqueItems: true }),
  chargeCents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  effectiveFrom: IsoDate,
  /** Last day the fee applies; null: open-ended. */
  effectiveTo: Nullable(IsoDate),
};
export const FeeEntry = Type.Object({ id: Uuid, scheduleId: Uuid, ...FeeEntryFields, createdAt: Timestamp });
export type FeeEntry = Static<typeof FeeEntry>;
export const NewFeeEntry = Type.Object(
  {
    code: FeeEntryFields.code,
    modifiers: Type.Optional(FeeEntryFields.modifiers),
    chargeCents: FeeEntryFields.chargeCents,
    effectiveFrom: FeeEntryFields.effectiveFrom,
    effectiveTo: Type.Optional(FeeEntryFields.effectiveTo),
  },
  { additionalProperties: false },
);
export type NewFeeEntry = Static<typeof NewFeeEntry>;

export const createFeeSchedule = operation({
  service: 'billing',
  name: 'fee-schedule.create',
  summary: "Create a payer's fee schedule (or the default one, payerId null), optionally with entries",
  http: { method: 'POST', path: '/v1/billing/fee-schedules', status: 201 },
  roles: setupRoles,
  input: Type.Object(
    { name: FeeScheduleFields.name, payerId: FeeScheduleFields.payerId, entries: Type.Optional(Type.Array(NewFeeEntry, { maxItems: 1000 })) },
    { additionalProperties: false },
  ),
  output: FeeSchedule,
  errors: ['validation-failed', 'unprocessable', 'conflict'],
});
export const listFeeSchedules = listPage({
  service: 'billing',
  name: 'fee-schedule.list',
  summary: "List the practice's fee schedules, oldest first",
  path: '/v1/billing/fee-schedules',
  roles: allRoles,
  filters: { payerId: Type.Optional(Uuid) },
  item: FeeSchedule,
  errors: ['validation-failed'],
});
export const getFeeSchedule = getById({
  service: 'billing',
  name: 'fee-schedule.get',
  summary: 'Get a fee schedule',
  path: '/v1/billing/fee-schedules/{id}',
  roles: allRoles,
  output: FeeSchedule,
});
export const updateFeeSchedule = updateById({
  service: 'billing',
  name: 'fee-schedule.update',
  summary: 'Rename a fee schedule',
  path: '/v1/billing/fee-schedules/{id}',
  roles: setupRoles,
  body: { name: Type.Optional(FeeScheduleFields.name) },
  output: FeeSchedule,
  errors: ['validation-failed', 'not-found'],
});
export const addFeeEntries = actionOnId({
  service: 'billing',
  name: 'fee-schedule.entries.add',
  summary: 'Add fees to a schedule (refused if one overlaps an existing fee for the same code and modifiers)',
  path: '/v1/billing/fee-schedules/{id}/entries',
  status: 201,
  roles: setupRoles,
  body: { entries: Type.Array(NewFeeEntry, { minItems: 1, maxItems: 1000 }) },
  output: Type.Object({ items: Type.Array(FeeEntry) }),
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
});
export const listFeeEntries = listPage({
  service: 'billing',
  name: 'fee-schedule.entries.list',
  summary: "List a schedule's fees, oldest first",
  path: '/v1/billing/fee-schedules/{id}/entries',
  roles: allRoles,
  filters: { id: Uuid, code: Type.Optional(ProcedureCode), activeOn: Type.Optional(IsoDate) },
  item: FeeEntry,
  errors: ['validation-failed', 'not-found'],
});
export const FeeLookup = Type.Object({
  chargeCents: Cents,
  scheduleId: Uuid,
  entryId: Uuid,
  /** True when the payer had no matching fee and the default schedule's applied. */
  fromDefault: Type.Boolean(),
});
export type FeeLookup = Static<typeof FeeLookup>;
export const lookupFee = operation({
  service: 'billing',
  name: 'fee.lookup',
  summary: "The charge for a code and modifiers on a date of service: the payer's fee, else the default schedule's",
  http: { method: 'GET', path: '/v1/billing/fees/lookup' },
  roles: allRoles,
  input: Type.Object(
    {
      /** The payer record; omitted: the default schedule only. */
      payerId: Type.Optional(Uuid),
      code: ProcedureCode,
      /** Comma-separated, up to four, e.g. `25,59`. */
      modifiers: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2}(,[A-Z0-9]{2}){0,3}$' })),
      dateOfService: IsoDate,
    },
    { additionalProperties: false },
  ),
  output: FeeLookup,
  errors: ['validation-failed', 'not-found'],
});

/** Master data and the kit's generic operations, in the order the docs list them. */
export const masterDataOperations = [
  getInfo,
  getJob,
  listJobs,
  createPayer,
  listPayers,
  getPayer,
  updatePayer,
  createPatient,
  listPatients,
  getPatient,
  updatePatient,
  createCoverage,
  listCoverages,
  getCoverage,
  updateCoverage,
  createProvider,
  listProviders,
  getProvider,
  updateProvider,
  createFeeSchedule,
  listFeeSchedules,
  getFeeSchedule,
  updateFeeSchedule,
  addFeeEntries,
  listFeeEntries,
  lookupFee,
] as const;
