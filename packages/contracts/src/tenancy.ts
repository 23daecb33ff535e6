import Type, { type Static } from 'typebox';
import { actionOnId, getById, listPage } from './builders.js';
import { businessServices, StringEnum, event, IsoDate, operation, Timestamp, UsState, Uuid, mso } from './core.js';
import { AuditRecord } from './audit.js';
import { BillingTerms } from './billing.js';
import { CollectionsTerms } from './collections.js';
import { FinanceTerms } from './finance.js';
import { HelpdeskTerms } from './helpdesk.js';
import { HrTerms } from './hr.js';

export const ServiceName = StringEnum(businessServices, { description: 'A business service: billing, collections, hr, helpdesk, finance' });

export const msoModels = ['third-party', 'joint-venture', 'captive-pc'] as const;
export type MsoModel = (typeof msoModels)[number];
export const MsoModelSchema = StringEnum(msoModels);

export const feeBases = [
  'percent-of-net-collections',
  'per-seat-per-month',
  'per-employee-per-month',
  'flat-per-month',
  'management-fee-percent',
  'cost-plus-percent',
] as const;
export type FeeBasis = (typeof feeBases)[number];

export const Fee = Type.Object(
  {
    /** The service this fee pays for; omitted for an all-services management fee. */
    service: Type.Optional(ServiceName),
    basis: StringEnum(feeBases),
    /** Percent fees in basis points (1250 = 12.5 %). */
    rateBasisPoints: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    /** Fixed, per-seat and per-employee fees in integer cents. */
    amountCents: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type Fee = Static<typeof Fee>;

export const OwnershipShare = Type.Object(
  {
    party: Type.String({ minLength: 1, maxLength: 200 }),
    /** Percent with up to two decimals; all shares sum to exactly 100. */
    percent: Type.Number({ exclusiveMinimum: 0, maximum: 100, multipleOf: 0.01 }),
  },
  { additionalProperties: false },
);

/**
 * Per-service terms of the agreement that the services themselves interpret. Each slot is defined in
 * its service's own contract file; tenancy stores and versions them without reading them.
 */
export const AgreementTerms = Type.Object(
  {
    billing: Type.Optional(BillingTerms),
    collections: Type.Optional(CollectionsTerms),
    hr: Type.Optional(HrTerms),
    helpdesk: Type.Optional(HelpdeskTerms),
    finance: Type.Optional(FinanceTerms),
  },
  { additionalProperties: false },
);
export type AgreementTerms = Static<typeof AgreementTerms>;

/** IANA time zone name, e.g. America/Chicago (checked by the service: 422 when unknown). */
export const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/Chicago' });

export const AgreementInput = Type.Object(
  {
    model: MsoModelSchema,
    /** Checked against the catalog by the service (an unknown name is a 422 naming the entry). */
    services: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 10 }),
    fees: Type.Optional(Type.Array(Fee, { maxItems: 20 })),
    ownership: Type.Optional(Type.Array(OwnershipShare, { maxItems: 20 })),
    terms: Type.Optional(AgreementTerms),
    /** The practice's time zone for schedules and calendars; default: the main zone of its state. */
    timeZone: Type.Optional(TimeZone),
    effectiveFrom: Type.Optional(IsoDate),
    effectiveTo: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);
export type AgreementInput = Static<typeof AgreementInput>;

export const Agreement = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  version: Type.Integer(),
  model: MsoModelSchema,
  services: Type.Array(ServiceName),
  fees: Type.Array(Fee),
  ownership: Type.Array(OwnershipShare),
  terms: AgreementTerms,
  /** The practice's time zone (IANA). */
  timeZone: TimeZone,
  /** The practice's US state (fee-splitting rules and the default time zone depend on it). */
  state: UsState,
  effectiveFrom: IsoDate,
  effectiveTo: Type.Union([IsoDate, Type.Null()]),
  /** Advisory findings, e.g. fee-splitting risk for percentage fees in some states. */
  warnings: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
  createdAt: Timestamp,
});
export type Agreement = Static<typeof Agreement>;

export const Practice = Type.Object({
  id: Uuid,
  name: Type.String(),
  npi: Type.String(),
  taxId: Type.String(),
  state: UsState,
  agreement: Agreement,
  createdAt: Timestamp,
});
export type Practice = Static<typeof Practice>;

export const NewPractice = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** Organization NPI: 10 digits with a valid check digit (checked by the service: 422). */
    npi: Type.String({ minLength: 1, maxLength: 20, description: 'Type 2 (organization) NPI, 10 digits' }),
    taxId: Type.String({ pattern: '^[0-9]{2}-?[0-9]{7}$', description: 'EIN, 12-3456789' }),
    state: UsState,
    agreement: AgreementInput,
  },
  { additionalProperties: false },
);

const PracticeIdParam = { practiceId: Uuid };

export const createPractice = operation({
  service: 'tenancy',
  name: 'practice.create',
  summary: 'Onboard a practice with its management services agreement',
  http: { method: 'POST', path: '/v1/tenancy/practices', status: 201 },
  scope: 'platform',
  roles: ['mso-admin'],
  input: NewPractice,
  output: Practice,
  errors: ['validation-failed', 'unprocessable', 'conflict'],
});

export const listPractices = listPage({
  service: 'tenancy',
  name: 'practice.list',
  summary: 'List practices',
  path: '/v1/tenancy/practices',
  scope: 'platform',
  roles: mso,
  item: Practice,
});

export const getPractice = getById({
  service: 'tenancy',
  name: 'practice.get',
  summary: 'Get a practice and its current agreement',
  path: '/v1/tenancy/practices/{practiceId}',
  param: 'practiceId',
  scope: 'platform',
  roles: ['mso-admin', 'mso-staff', 'practice-admin', 'practice-user'],
  output: Practice,
});

export const putAgreement = operation({
  service: 'tenancy',
  name: 'agreement.put',
  summary: "Replace a practice's agreement (a new version; takes effect at once)",
  http: { method: 'PUT', path: '/v1/tenancy/practices/{practiceId}/agreement' },
  scope: 'platform',
  roles: ['mso-admin'],
  input: Type.Object({ ...PracticeIdParam, ...AgreementInput.properties }, { additionalProperties: false }),
  output: Agreement,
  errors: ['validation-failed', 'unprocessable', 'not-found'],
});

/** A place where the practice sees patients (claims name it as the service facility). */
export const Location = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  name: Type.String(),
  line1: Type.String(),
  city: Type.String(),
  state: UsState,
  postalCode: Type.String(),
  createdAt: Timestamp,
});
export type Location = Static<typeof Location>;

export const addLocation = actionOnId({
  service: 'tenancy',
  name: 'location.add',
  summary: 'Add a location where the practice sees patients',
  path: '/v1/tenancy/practices/{practiceId}/locations',
  status: 201,
  param: 'practiceId',
  scope: 'platform',
  roles: ['mso-admin', 'practice-admin'],
  body: {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    state: UsState,
    postalCode: Type.String({ pattern: '^[0-9]{5}(-[0-9]{4})?$' }),
  },
  output: Location,
  errors: ['validation-failed', 'not-found'],
});

export const practiceRoles = ['practice-admin', 'practice-user'] as const;
export const msoRoles = ['mso-admin', 'mso-staff'] as const;

export const ApiKeyCreated = Type.Object({
  id: Uuid,
  /** The secret. Shown once; only its hash is stored. */
  key: Type.String(),
  role: Type.String(),
  label: Type.String(),
  practiceId: Type.Union([Uuid, Type.Null()]),
  createdAt: Timestamp,
});

export const createPracticeApiKey = actionOnId({
  service: 'tenancy',
  name: 'practice-api-key.create',
  summary: 'Create an API key for a practice user or admin',
  path: '/v1/tenancy/practices/{practiceId}/api-keys',
  status: 201,
  param: 'practiceId',
  scope: 'platform',
  roles: ['mso-admin'],
  body: {
    role: StringEnum(practiceRoles),
    label: Type.String({ minLength: 1, maxLength: 200 }),
  },
  output: ApiKeyCreated,
  errors: ['validation-failed', 'not-found'],
});

export const createMsoApiKey = operation({
  service: 'tenancy',
  name: 'mso-api-key.create',
  summary: 'Create an API key for MSO staff or admins',
  http: { method: 'POST', path: '/v1/tenancy/api-keys', status: 201 },
  scope: 'platform',
  roles: ['mso-admin'],
  input: Type.Object(
    {
      role: StringEnum(msoRoles),
      label: Type.String({ minLength: 1, maxLength: 200 }),
    },
    { additionalProperties: false },
  ),
  output: ApiKeyCreated,
  errors: ['validation-failed'],
});

export const revokeApiKey = operation({
  service: 'tenancy',
  name: 'api-key.revoke',
  summary: 'Revoke an API key; it stops working within a second',
  http: { method: 'DELETE', path: '/v1/tenancy/api-keys/{keyId}' },
  scope: 'platform',
  roles: ['mso-admin'],
  input: Type.Object({ keyId: Uuid }, { additionalProperties: false }),
  output: Type.Object({ id: Uuid, revokedAt: Timestamp }),
  errors: ['not-found'],
});

export const CatalogService = Type.Object({
  name: Type.String(),
  description: Type.String(),
  running: Type.Boolean(),
  instances: Type.Integer(),
});

export const Catalog = Type.Object({
  services: Type.Array(CatalogService),
  models: Type.Array(
    Type.Object({
      model: MsoModelSchema,
      description: Type.String(),
      rules: Type.Array(Type.String()),
    }),
  ),
});

export const getCatalog = operation({
  service: 'tenancy',
  name: 'catalog.get',
  summary: 'Services known and running now, MSO models and their rules',
  http: { method: 'GET', path: '/v1/tenancy/catalog' },
  scope: 'platform',
  roles: ['mso-admin', 'mso-staff', 'practice-admin', 'practice-user'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Catalog,
});

export const Me = Type.Object({
  keyId: Type.String(),
  role: Type.String(),
  practiceId: Type.Union([Uuid, Type.Null()]),
  services: Type.Array(ServiceName),
});

export const getMe = operation({
  service: 'tenancy',
  name: 'me.get',
  summary: 'Who the API key belongs to and which services it can use',
  http: { method: 'GET', path: '/v1/tenancy/me' },
  scope: 'platform',
  roles: ['mso-admin', 'mso-staff', 'practice-admin', 'practice-user'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Me,
});

/** What the gateway caches per API key (looked up by the key's SHA-256). */
export const ResolvedKey = Type.Object({
  keyId: Uuid,
  role: Type.String(),
  practiceId: Type.Union([Uuid, Type.Null()]),
  revoked: Type.Boolean(),
});
export type ResolvedKey = Static<typeof ResolvedKey>;

/** What the gateway caches per practice: the services its current agreement includes. */
export const Entitlement = Type.Object({
  practiceId: Uuid,
  services: Type.Array(ServiceName),
  effectiveFrom: IsoDate,
  effectiveTo: Type.Union([IsoDate, Type.Null()]),
});
export type Entitlement = Static<typeof Entitlement>;

/** Internal (no HTTP): the gateway resolves a key it has not cached yet. */
export const resolveApiKey = operation({
  service: 'tenancy',
  name: 'api-key.resolve',
  summary: 'Resolve an API key hash to its principal',
  scope: 'platform',
  roles: [],
  input: Type.Object({ keyHash: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }),
  output: Type.Object({ key: ResolvedKey, entitlement: Type.Union([Entitlement, Type.Null()]) }),
  errors: ['not-found'],
});

/** Internal (no HTTP): a practice's entitlement, for a gateway cache miss. */
export const getEntitlement = operation({
  service: 'tenancy',
  name: 'entitlement.get',
  summary: "A practice's entitled services",
  scope: 'platform',
  roles: [],
  input: Type.Object({ practiceId: Uuid }, { additionalProperties: false }),
  output: Entitlement,
  errors: ['not-found'],
});

/** PHI access records of every service, as tenancy keeps them. */
export const AuditEvent = Type.Object({ ...AuditRecord.properties, recordedAt: Timestamp });
export type AuditEvent = Static<typeof AuditEvent>;

export const listAuditEvents = listPage({
  service: 'tenancy',
  name: 'audit-event.list',
  summary: 'PHI access records, newest first: a practice admin sees its practice, MSO admins all or one practice',
  path: '/v1/tenancy/audit-events',
  scope: 'platform',
  roles: ['mso-admin', 'practice-admin'],
  filters: {
    /** MSO admins: only this practice. A practice admin may name only its own. */
    practiceId: Type.Optional(Uuid),
    /** Records that name this resource id (e.g. a ticket id). */
    resource: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Records of this API key id. */
    principal: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** From this time (inclusive). */
    from: Type.Optional(Timestamp),
    /** Until this time (exclusive). */
    to: Type.Optional(Timestamp),
  },
  item: AuditEvent,
  errors: ['validation-failed', 'not-found'],
});

export const practiceCreated = event({
  type: 'tenancy.practice.created',
  data: Type.Object({ practice: Practice }),
});

export const locationAdded = event({
  type: 'tenancy.location.added',
  data: Type.Object({ location: Location }),
});

export const agreementChanged = event({
  type: 'tenancy.agreement.changed',
  data: Type.Object({ practiceId: Uuid, agreement: Agreement, previousServices: Type.Array(ServiceName) }),
});

/** NATS KV bucket the tenancy service keeps for the gateway's caches. */
export const entitlementsBucket = 'mso-entitlements';
export const kvKeys = {
  apiKey: (hash: string) => `key.${hash}`,
  practice: (practiceId: string) => `practice.${practiceId}`,
};

export const operations = [
  createPractice,
  listPractices,
  getPractice,
  putAgreement,
  addLocation,
  createPracticeApiKey,
  createMsoApiKey,
  revokeApiKey,
  getCatalog,
  getMe,
  resolveApiKey,
  getEntitlement,
  listAuditEvents,
] as const;
export const events = [practiceCreated, agreementChanged, locationAdded] as const;
