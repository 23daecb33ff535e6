// HR contract: providers and their credentials. A provider is a person who renders care for one
// practice (NPI, taxonomy); credentials are what lets them: state licences, DEA registrations, board
// certifications, malpractice cover, CAQH attestation (every 120 days), recredentialing (every 36
// months), and payer enrollments. Credentials are business data, not personal data.
import Type, { type Static } from 'typebox';
import { actionOnId, getById, updateById } from '../builders.js';
import { event, everyone, IsoDate, Nullable, operation, type Role, StringEnum, Timestamp, UsState, Uuid } from '../core.js';


/** Who keeps credentials: the MSO's credentialing staff and the practice's administrators. */
export const credentialingStaff: readonly Role[] = ['mso-admin', 'mso-staff', 'practice-admin'];

export const credentialKinds = ['state-licence', 'dea', 'board-certification', 'malpractice', 'caqh-attestation', 'recredentialing'] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export const Npi = Type.String({ pattern: '^[0-9]{10}$', description: 'National Provider Identifier (10 digits, Luhn check digit)' });

export const MalpracticeLimits = Type.Object(
  { perClaimCents: Type.Integer({ minimum: 0 }), aggregateCents: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

export const NewCredential = Type.Object(
  {
    providerId: Uuid,
    kind: StringEnum(credentialKinds),
    /** Licences and DEA registrations: the state. */
    state: Type.Optional(UsState),
    /** Licence, DEA, certificate or policy number. */
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    /** Board certifications: the board and specialty, e.g. `ABFM Family Medicine`. */
    issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Malpractice: the carrier and the limits. */
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limits: Type.Optional(MalpracticeLimits),
    /** Issued, attested or completed on. CAQH attestations and recredentialing expire from it (120 days, 36 months). */
    issuedOn: IsoDate,
    /** Required for licences, DEA and malpractice; computed for CAQH and recredentialing. */
    expiresOn: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);

export const Credential = Type.Object({
  id: Uuid,
  providerId: Uuid,
  kind: StringEnum(credentialKinds),
  state: Nullable(Type.String()),
  number: Nullable(Type.String()),
  issuer: Nullable(Type.String()),
  carrier: Nullable(Type.String()),
  limits: Nullable(MalpracticeLimits),
  issuedOn: IsoDate,
  expiresOn: Nullable(IsoDate),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Credential = Static<typeof Credential>;

export const Enrollment = Type.Object({
  id: Uuid,
  providerId: Uuid,
  payerId: Type.String(),
  effectiveFrom: IsoDate,
  effectiveTo: Nullable(IsoDate),
  createdAt: Timestamp,
});
export type Enrollment = Static<typeof Enrollment>;

export const Provider = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  personId: Uuid,
  npi: Npi,
  taxonomy: Type.String(),
  credentials: Type.Array(Credential),
  enrollments: Type.Array(Enrollment),
  createdAt: Timestamp,
});
export type Provider = Static<typeof Provider>;

const PracticeQuery = { practiceId: Type.Optional(Uuid) };

export const createProvider = operation({
  service: 'hr',
  name: 'provider.create',
  summary: "Make a person a provider of a practice (NPI with its check digit, taxonomy); the person must hold an employment the caller may see",
  http: { method: 'POST', path: '/v1/hr/providers', status: 201 },
  scope: 'platform',
  roles: credentialingStaff,
  input: Type.Object(
    {
      /** MSO keys: the practice (or X-Practice-Id). Practice keys: their own. */
      ...PracticeQuery,
      personId: Uuid,
      npi: Npi,
      taxonomy: Type.String({ pattern: '^[0-9]{3}[0-9A-Z]{6}X$', description: 'NUCC taxonomy code, e.g. 207Q00000X' }),
    },
    { additionalProperties: false },
  ),
  output: Provider,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const getProvider = getById({
  service: 'hr',
  name: 'provider.get',
  summary: 'A provider with credentials and enrollments',
  path: '/v1/hr/providers/{id}',
  scope: 'platform',
  roles: everyone,
  output: Provider,
});

export const listProviders = operation({
  service: 'hr',
  name: 'provider.list',
  summary: "A practice's providers",
  http: { method: 'GET', path: '/v1/hr/providers' },
  scope: 'platform',
  roles: everyone,
  input: Type.Object(PracticeQuery, { additionalProperties: false }),
  output: Type.Array(Provider),
  errors: ['validation-failed', 'not-found'],
});

export const addCredential = operation({
  service: 'hr',
  name: 'credential.create',
  summary: 'Record a credential of a provider (a licence, DEA registration, board certification, malpractice cover, CAQH attestation or recredentialing)',
  http: { method: 'POST', path: '/v1/hr/providers/{providerId}/credentials', status: 201 },
  scope: 'platform',
  roles: credentialingStaff,
  input: NewCredential,
  output: Credential,
  errors: ['validation-failed', 'not-found'],
});

export const updateCredential = updateById({
  service: 'hr',
  name: 'credential.update',
  summary: 'Renew or correct a credential: a new expiry arms the 90/60/30/7-day notices again',
  path: '/v1/hr/credentials/{id}',
  scope: 'platform',
  roles: credentialingStaff,
  body: {
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limits: Type.Optional(MalpracticeLimits),
    issuedOn: Type.Optional(IsoDate),
    expiresOn: Type.Optional(IsoDate),
  },
  output: Credential,
  errors: ['validation-failed', 'not-found'],
});

export const addEnrollment = actionOnId({
  service: 'hr',
  name: 'enrollment.create',
  summary: 'Record a payer enrollment of a provider (effective from, optionally to)',
  path: '/v1/hr/providers/{providerId}/enrollments',
  status: 201,
  param: 'providerId',
  scope: 'platform',
  roles: credentialingStaff,
  body: { payerId: Type.String({ minLength: 1, maxLength: 80 }), effectiveFrom: IsoDate, effectiveTo: Type.Optional(IsoDate) },
  output: Enrollment,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const updateEnrollment = updateById({
  service: 'hr',
  name: 'enrollment.update',
  summary: 'Change the dates of a payer enrollment (e.g. end it)',
  path: '/v1/hr/enrollments/{id}',
  scope: 'platform',
  roles: credentialingStaff,
  body: { effectiveFrom: Type.Optional(IsoDate), effectiveTo: Type.Optional(Nullable(IsoDate)) },
  output: Enrollment,
  errors: ['validation-failed', 'not-found'],
});

// ---- Events (no personal data) ---------------------------------------------------------------

const CredentialNotice = {
  credentialId: Uuid,
  providerId: Uuid,
  practiceId: Uuid,
  npi: Npi,
  kind: StringEnum(credentialKinds),
  state: Nullable(Type.String()),
  expiresOn: IsoDate,
};

export const credentialExpiring = event({
  type: 'hr.credential.expiring',
  data: Type.Object({ ...CredentialNotice, /** 90, 60, 30 or 7. */ daysBefore: Type.Integer() }),
});

export const credentialExpired = event({ type: 'hr.credential.expired', data: Type.Object(CredentialNotice) });

/** A provider's licences or enrollments changed: the whole current set, for billing's credentialing view. */
export const providerCredentialsChanged = event({
  type: 'hr.provider.credentials-changed',
  data: Type.Object({
    npi: Npi,
    practiceId: Uuid,
    licences: Type.Array(Type.Object({ state: Type.String(), from: IsoDate, to: Nullable(IsoDate) })),
    enrollments: Type.Array(Type.Object({ payerId: Type.String(), from: IsoDate, to: Nullable(IsoDate) })),
  }),
});

export const providerOperations = [createProvider, getProvider, listProviders, addCredential, updateCredential, addEnrollment, updateEnrollment] as const;
export const providerEvents = [credentialExpiring, credentialExpired, providerCredentialsChanged] as const;
