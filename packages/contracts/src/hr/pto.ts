// HR contract: paid time off. Each employer entity (`mso` or a practice) has one policy per leave
// type (vacation, sick, ...), which applies to all of that employer's employments. A balance is the
// sum of its ledger entries (accruals, uses and their reversals, carry-over forfeits, adjustments),
// never a stored number. Hours are given and shown in hundredths of an hour (two decimals) and kept
// as integer hundredths. Practice keys see only their practice's employments; MSO keys see all.
import Type, { type Static } from 'typebox';
import { actionOnId, getById, updateById } from '../builders.js';
import { everyone, IsoDate, Nullable, operation, type Role, StringEnum, Timestamp, Uuid } from '../core.js';
import { EmployerRef, hrAdmins } from './people.js';

/** Who may approve or reject any request of their scope (others must be the employment's manager). */
export const ptoApprovers: readonly Role[] = ['mso-admin', 'practice-admin'];

/** A leave type's code, e.g. `vacation`, `sick`, `personal`. */
export const LeaveType = Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'e.g. `vacation`, `sick`' });

/** Hours with at most two decimals (kept as integer hundredths). */
const Hours = (options: { minimum?: number; exclusiveMinimum?: number; maximum?: number; description?: string } = {}) => Type.Number({ multipleOf: 0.01, ...options });

const policyFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  /** Hours earned per full month of employment after the waiting period. */
  accrualHoursPerMonth: Hours({ minimum: 0, maximum: 744 }),
  /** Accrual starts this many months, then days, after the employment's start date (default 0). */
  waitingMonths: Type.Integer({ minimum: 0, maximum: 120 }),
  waitingDays: Type.Integer({ minimum: 0, maximum: 3650 }),
  /** Hours kept into the new year; the rest is forfeited by an entry on January 1. Null: all carry over. */
  carryOverCapHours: Nullable(Hours({ minimum: 0, maximum: 100_000 })),
  /** Accrual stops at this balance (a month's accrual is cut to reach it). Null: no maximum. */
  maxBalanceHours: Nullable(Hours({ minimum: 0, maximum: 100_000 })),
  /** Whether a request may take the balance below zero. */
  allowNegative: Type.Boolean(),
  /** An inactive policy accrues nothing and takes no new requests; balances stay. */
  active: Type.Boolean(),
};

export const NewPtoPolicy = Type.Object(
  {
    employer: EmployerRef,
    leaveType: LeaveType,
    name: policyFields.name,
    accrualHoursPerMonth: policyFields.accrualHoursPerMonth,
    waitingMonths: Type.Optional(policyFields.waitingMonths),
    waitingDays: Type.Optional(policyFields.waitingDays),
    carryOverCapHours: Type.Optional(policyFields.carryOverCapHours),
    maxBalanceHours: Type.Optional(policyFields.maxBalanceHours),
    allowNegative: Type.Optional(policyFields.allowNegative),
  },
  { additionalProperties: false },
);

export const PtoPolicy = Type.Object({
  id: Uuid,
  employer: Type.String({ description: '`mso` or the practice id' }),
  leaveType: Type.String(),
  ...policyFields,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type PtoPolicy = Static<typeof PtoPolicy>;

export const ptoEntryKinds = ['accrual', 'use', 'use-reversal', 'carry-over-forfeit', 'adjustment'] as const;
export type PtoEntryKind = (typeof ptoEntryKinds)[number];

export const PtoEntry = Type.Object({
  id: Uuid,
  kind: StringEnum(ptoEntryKinds),
  /** Signed: accruals and reversals add, uses and forfeits take away. */
  hours: Type.Number(),
  /** The day the entry counts for: an accrual the last day of its month, a forfeit January 1, a use the leave's first day. */
  entryDate: IsoDate,
  /** `YYYY-MM` for an accrual, `YYYY` for a carry-over forfeit (the year that ended). */
  period: Nullable(Type.String()),
  requestId: Nullable(Uuid),
  reason: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const PtoBalance = Type.Object({
  employmentId: Uuid,
  leaveType: Type.String(),
  /** The sum of the entries. */
  balanceHours: Type.Number(),
  /** Hours of requests waiting for a decision. */
  pendingHours: Type.Number(),
  /** Balance less pending hours: what a new request may take (unless the policy allows negative). */
  availableHours: Type.Number(),
  /** Oldest first. */
  entries: Type.Array(PtoEntry),
});

export const ptoRequestStatuses = ['pending', 'approved', 'rejected', 'cancelled'] as const;

export const PtoRequest = Type.Object({
  id: Uuid,
  employmentId: Uuid,
  employer: Type.String(),
  leaveType: Type.String(),
  startDate: IsoDate,
  endDate: IsoDate,
  hours: Type.Number(),
  status: StringEnum(ptoRequestStatuses),
  /** The person who approved or rejected it (null when an admin key decided without naming one). */
  decidedBy: Nullable(Uuid),
  decidedAt: Nullable(Timestamp),
  cancelledAt: Nullable(Timestamp),
  createdAt: Timestamp,
});
export type PtoRequest = Static<typeof PtoRequest>;

export const createPtoPolicy = operation({
  service: 'hr',
  name: 'pto-policy.create',
  summary: "Add an employer's policy for a leave type (one per employer and leave type); it applies to all of the employer's employments",
  http: { method: 'POST', path: '/v1/hr/pto/policies', status: 201 },
  scope: 'platform',
  roles: hrAdmins,
  input: NewPtoPolicy,
  output: PtoPolicy,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const updatePtoPolicy = updateById({
  service: 'hr',
  name: 'pto-policy.update',
  summary: 'Change a policy: it applies from the next accrual on; entries already written stay as they are',
  path: '/v1/hr/pto/policies/{id}',
  scope: 'platform',
  roles: hrAdmins,
  body: {
    name: Type.Optional(policyFields.name),
    accrualHoursPerMonth: Type.Optional(policyFields.accrualHoursPerMonth),
    waitingMonths: Type.Optional(policyFields.waitingMonths),
    waitingDays: Type.Optional(policyFields.waitingDays),
    carryOverCapHours: Type.Optional(policyFields.carryOverCapHours),
    maxBalanceHours: Type.Optional(policyFields.maxBalanceHours),
    allowNegative: Type.Optional(policyFields.allowNegative),
    active: Type.Optional(policyFields.active),
  },
  output: PtoPolicy,
  errors: ['validation-failed', 'not-found'],
});

export const listPtoPolicies = operation({
  service: 'hr',
  name: 'pto-policy.list',
  summary: "The policies the caller may see: a practice key its practice's, an MSO key every employer's (or one, with employer)",
  http: { method: 'GET', path: '/v1/hr/pto/policies' },
  scope: 'platform',
  roles: everyone,
  input: Type.Object({ employer: Type.Optional(EmployerRef) }, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(PtoPolicy) }),
  errors: ['validation-failed', 'not-found'],
});

export const getPtoBalance = operation({
  service: 'hr',
  name: 'pto-balance.get',
  summary: "An employment's balance of one leave type with its ledger entries (another practice's employment answers 404)",
  http: { method: 'GET', path: '/v1/hr/employments/{employmentId}/pto/{leaveType}' },
  scope: 'platform',
  roles: everyone,
  input: Type.Object({ employmentId: Uuid, leaveType: LeaveType }, { additionalProperties: false }),
  output: PtoBalance,
  errors: ['validation-failed', 'not-found'],
});

export const adjustPtoBalance = operation({
  service: 'hr',
  name: 'pto-balance.adjust',
  summary: 'Add an adjustment entry (positive or negative hours, with a reason) to a balance, e.g. hours brought from a former employer',
  http: { method: 'POST', path: '/v1/hr/employments/{employmentId}/pto/{leaveType}/adjustments', status: 201 },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object(
    {
      employmentId: Uuid,
      leaveType: LeaveType,
      hours: Hours({ minimum: -100_000, maximum: 100_000 }),
      reason: Type.String({ minLength: 1, maxLength: 200, description: 'Why: no medical or other personal detail' }),
      entryDate: Type.Optional(IsoDate),
    },
    { additionalProperties: false },
  ),
  output: PtoBalance,
  errors: ['validation-failed', 'not-found', 'unprocessable'],
});

export const createPtoRequest = operation({
  service: 'hr',
  name: 'pto-request.create',
  summary: "An employee's request for leave: refused (422, `hours`) above the available balance unless the policy allows negative",
  http: { method: 'POST', path: '/v1/hr/pto/requests', status: 201 },
  scope: 'platform',
  roles: everyone,
  input: Type.Object(
    {
      employmentId: Uuid,
      leaveType: LeaveType,
      startDate: IsoDate,
      endDate: IsoDate,
      hours: Hours({ exclusiveMinimum: 0, maximum: 10_000 }),
    },
    { additionalProperties: false },
  ),
  output: PtoRequest,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

export const getPtoRequest = getById({
  service: 'hr',
  name: 'pto-request.get',
  summary: "One request (another practice's answers 404)",
  path: '/v1/hr/pto/requests/{id}',
  scope: 'platform',
  roles: everyone,
  output: PtoRequest,
});

export const listPtoRequests = operation({
  service: 'hr',
  name: 'pto-request.list',
  summary: 'Requests the caller may see, oldest first: of one employment, or all those waiting for a manager (`status=pending`)',
  http: { method: 'GET', path: '/v1/hr/pto/requests' },
  scope: 'platform',
  roles: everyone,
  input: Type.Object(
    { employmentId: Type.Optional(Uuid), managerId: Type.Optional(Uuid), status: Type.Optional(StringEnum(ptoRequestStatuses)), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })) },
    { additionalProperties: false },
  ),
  output: Type.Object({ items: Type.Array(PtoRequest) }),
  errors: ['validation-failed'],
});

const decision = {
  /** The deciding person: the employment's manager. An admin key may leave it out, or name any person it may see. */
  decidedBy: Type.Optional(Uuid),
};

export const approvePtoRequest = actionOnId({
  service: 'hr',
  name: 'pto-request.approve',
  summary:
    "Approve a pending request: the employment's manager (`decidedBy`), or an MSO or practice admin. Writes the use entry; refused (422, `hours`) if the balance no longer covers it",
  path: '/v1/hr/pto/requests/{id}/approve',
  scope: 'platform',
  roles: everyone,
  body: decision,
  output: PtoRequest,
  errors: ['validation-failed', 'forbidden', 'not-found', 'conflict', 'unprocessable'],
});

export const rejectPtoRequest = actionOnId({
  service: 'hr',
  name: 'pto-request.reject',
  summary: "Reject a pending request: the employment's manager (`decidedBy`), or an MSO or practice admin",
  path: '/v1/hr/pto/requests/{id}/reject',
  scope: 'platform',
  roles: everyone,
  body: decision,
  output: PtoRequest,
  errors: ['validation-failed', 'forbidden', 'not-found', 'conflict'],
});

export const cancelPtoRequest = actionOnId({
  service: 'hr',
  name: 'pto-request.cancel',
  summary: 'Cancel a pending or approved request; cancelling an approved one writes an entry reversing its use',
  path: '/v1/hr/pto/requests/{id}/cancel',
  scope: 'platform',
  roles: everyone,
  output: PtoRequest,
  errors: ['not-found', 'conflict'],
});

export const PtoBalanceRow = Type.Object({
  employmentId: Uuid,
  personId: Uuid,
  firstName: Type.String(),
  lastName: Type.String(),
  title: Type.String(),
  leaveType: Type.String(),
  balanceHours: Type.Number(),
  pendingHours: Type.Number(),
});

export const ptoBalanceReport = operation({
  service: 'hr',
  name: 'report.pto-balances',
  summary: 'PTO balances per employer, employment and leave type (current employments), with totals per employer and leave type',
  http: { method: 'GET', path: '/v1/hr/reports/pto-balances' },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ employer: Type.Optional(EmployerRef), leaveType: Type.Optional(LeaveType) }, { additionalProperties: false }),
  output: Type.Object({
    employers: Type.Array(
      Type.Object({
        employer: Type.String(),
        rows: Type.Array(PtoBalanceRow),
        totals: Type.Array(Type.Object({ leaveType: Type.String(), balanceHours: Type.Number(), pendingHours: Type.Number() })),
      }),
    ),
  }),
  errors: ['validation-failed', 'not-found'],
});

export const ptoOperations = [
  createPtoPolicy,
  updatePtoPolicy,
  listPtoPolicies,
  getPtoBalance,
  adjustPtoBalance,
  createPtoRequest,
  getPtoRequest,
  listPtoRequests,
  approvePtoRequest,
  rejectPtoRequest,
  cancelPtoRequest,
  ptoBalanceReport,
] as const;
