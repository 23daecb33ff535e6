// Collection agencies: accounts placed with them (at the dunning policy's referral step or by hand),
// written off as bad debt on placement, their placement lists (JSON and CSV), recoveries and recalls.
import Type, { type Static } from 'typebox';
import { actionOnId } from '../builders.js';
import { Cents, IsoDate, Nullable, operation, RawResponse, StringEnum, Timestamp, Uuid } from '../core.js';
import { statementReaders, statementWriters } from './statements.js';

export const Agency = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  name: Type.String(),
  /** The agency's commission on recoveries, in basis points (information for the billing office). */
  feeBasisPoints: Nullable(Type.Integer()),
  createdAt: Timestamp,
});
export type Agency = Static<typeof Agency>;

export const NewAgency = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    feeBasisPoints: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 10000 }))),
  },
  { additionalProperties: false },
);

export const placementStatuses = ['placed', 'recalled'] as const;

export const Placement = Type.Object({
  id: Uuid,
  agencyId: Uuid,
  guarantorId: Uuid,
  status: StringEnum(placementStatuses),
  /** `dunning`: placed at the policy's referral step; `manual`: placed by the billing office. */
  source: StringEnum(['dunning', 'manual']),
  placedOn: IsoDate,
  /** The open balance placed, written off as bad debt on placement. */
  placedCents: Cents,
  recoveredCents: Cents,
  /** The bad-debt write-off made on placement (null when nothing was open to write off). */
  writeOffId: Nullable(Uuid),
  recalledOn: Nullable(IsoDate),
  createdAt: Timestamp,
});
export type Placement = Static<typeof Placement>;

export const createAgency = operation({
  service: 'collections',
  name: 'agency.create',
  summary: 'Add a collection agency the practice places accounts with',
  http: { method: 'POST', path: '/v1/collections/agencies', status: 201 },
  roles: statementWriters,
  input: NewAgency,
  output: Agency,
  errors: ['validation-failed'],
});

export const listAgencies = operation({
  service: 'collections',
  name: 'agency.list',
  summary: "The practice's collection agencies",
  http: { method: 'GET', path: '/v1/collections/agencies' },
  roles: statementReaders,
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(Agency) }),
});

export const placeAccount = operation({
  service: 'collections',
  name: 'placement.create',
  summary: "Place a guarantor's account with an agency: its open balance is written off as bad debt and it gets no more statements",
  http: { method: 'POST', path: '/v1/collections/placements', status: 201 },
  roles: statementWriters,
  idempotency: 'required',
  input: Type.Object({ guarantorId: Uuid, agencyId: Uuid }, { additionalProperties: false }),
  output: Placement,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const listPlacements = operation({
  service: 'collections',
  name: 'placement.list',
  summary: "An agency's placements, oldest first",
  http: { method: 'GET', path: '/v1/collections/agencies/{agencyId}/placements' },
  roles: statementReaders,
  input: Type.Object({ agencyId: Uuid, status: Type.Optional(StringEnum(placementStatuses)) }, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(Placement) }),
  errors: ['validation-failed', 'not-found'],
});

export const exportPlacements = operation({
  service: 'collections',
  name: 'placement.export',
  summary: "An agency's placement list as CSV (placed accounts with the guarantor's name, address, placed and recovered amounts)",
  http: { method: 'GET', path: '/v1/collections/agencies/{agencyId}/placements.csv', response: { mediaTypes: ['text/csv'] } },
  roles: statementWriters,
  input: Type.Object({ agencyId: Uuid, status: Type.Optional(StringEnum(placementStatuses)) }, { additionalProperties: false }),
  output: RawResponse,
  errors: ['validation-failed', 'not-found'],
  phi: 'read',
});

export const recordRecovery = actionOnId({
  service: 'collections',
  name: 'placement.recovery',
  summary:
    'Record money the agency recovered: it reverses that much of the bad-debt write-off (an agency-recovery write-off, negative) and posts it as a payment',
  path: '/v1/collections/placements/{id}/recoveries',
  status: 201,
  roles: statementWriters,
  idempotency: 'required',
  body: {
    amountCents: Type.Integer({ minimum: 1 }),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  },
  output: Type.Object({ placement: Placement, writeOffId: Uuid, paymentId: Uuid }),
  errors: ['validation-failed', 'not-found', 'unprocessable'],
});

export const recallPlacement = actionOnId({
  service: 'collections',
  name: 'placement.recall',
  summary: 'Recall an account from its agency: it leaves the placement list; what was written off stays written off',
  path: '/v1/collections/placements/{id}/recall',
  roles: statementWriters,
  output: Placement,
  errors: ['not-found', 'conflict'],
});

export const agencyOperations = [createAgency, listAgencies, placeAccount, listPlacements, exportPlacements, recordRecovery, recallPlacement] as const;
