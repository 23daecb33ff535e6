// Work queues (denials, missing ERAs, timely filing) and revenue-cycle reports.
import Type, { type Static } from 'typebox';
import { actionOnId, getById, listPage, updateById } from '../builders.js';
import { Cents, IsoDate, mso, operation, StringEnum, Timestamp, Uuid, type Operation } from '../core.js';
import { claimStatuses } from './claims.js';
import { Nullable, setupRoles, Text } from './common.js';

/** The practice's billing team (its admin) and the MSO's billers work the queues and read the reports. */
const billingTeam = setupRoles;

const Note = Type.Object({ at: Timestamp, by: Type.String(), text: Type.String() });
/**
 * The person working an item: their HR person id. Billing keeps HR's staff directory
 * (`hr.staff-member.changed`) and accepts a person employed at the MSO or at the practice today.
 */
const Assignee = Uuid;
/** How a work item shows its assignee. */
const AssigneeFields = {
  /** HR person id, or null. */
  assignee: Nullable(Uuid),
  /** The assignee's name as HR's staff directory has it now. */
  assigneeName: Nullable(Type.String()),
  /** The free-text assignee an item had before assignees were people; cleared by its next assignment. */
  assigneeLabel: Nullable(Type.String()),
};
const NoteText = Text(2000);

/** A code as the code table describes it; `known: false` when the table does not have it. */
const DescribedCode = Type.Object({ code: Type.String(), description: Type.String(), known: Type.Boolean() });

// ---- Denial work queue ------------------------------------------------------------------------------

/**
 * `open` until worked: `appealed` (an appeal is out, with its deadline), `resubmitted` (the claim was
 * reopened as a corrected claim, frequency 7), `written-off`. A later posting that covers the line, or
 * the reversal of the posting, makes it `resolved` (see `resolution`).
 */
export const denialStatuses = ['open', 'appealed', 'resubmitted', 'written-off', 'resolved'] as const;
export type DenialStatus = (typeof denialStatuses)[number];
/** Why a balance was written off. */
export const writeOffReasons = [
  'timely-filing',
  'not-medically-necessary',
  'non-covered',
  'bundled',
  'no-authorization',
  'credentialing',
  'duplicate',
  'small-balance',
  'appeal-exhausted',
  'administrative',
  'other',
] as const;

export const DenialItem = Type.Object({
  id: Uuid,
  claimId: Uuid,
  patientControlNumber: Type.String(),
  claimStatus: StringEnum(claimStatuses),
  payerId: Uuid,
  patientId: Uuid,
  /** The denied line; null when the payer denied the claim without line detail. */
  line: Nullable(
    Type.Object({
      id: Uuid,
      lineNumber: Type.Integer(),
      procedureCode: Type.String(),
      modifiers: Type.Array(Type.String()),
      serviceDate: IsoDate,
      chargeCents: Cents,
      balanceCents: Cents,
    }),
  ),
  serviceDate: IsoDate,
  /** The posting that denied it. */
  adjudicationId: Uuid,
  deniedOn: IsoDate,
  /** Σ of the denial adjustments. */
  deniedCents: Cents,
  /** What is still open on the line (the claim, for a claim-level denial) right now. */
  openBalanceCents: Cents,
  /** CARC with its group (CO-50, PI-204, ...), as described by the code table. */
  reasons: Type.Array(
    Type.Object({ group: Type.String(), groupDescription: Type.String(), reason: Type.String(), description: Type.String(), known: Type.Boolean(), amountCents: Cents }),
  ),
  /** RARC remark codes of the line and of the claim. */
  remarks: Type.Array(DescribedCode),
  status: StringEnum(denialStatuses),
  /** How a `resolved` item was settled: `paid`, `adjudicated-again` (a later posting denied it anew: see its own item) or `posting-reversed`. */
  resolution: Nullable(Type.String()),
  ...AssigneeFields,
  followUpOn: Nullable(IsoDate),
  appealDeadline: Nullable(IsoDate),
  appealedAt: Nullable(Timestamp),
  resubmittedAt: Nullable(Timestamp),
  resolvedAt: Nullable(Timestamp),
  writeOff: Nullable(Type.Object({ amountCents: Cents, reason: Type.String(), note: Nullable(Type.String()), writtenOffOn: IsoDate, by: Type.String() })),
  notes: Type.Array(Note),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type DenialItem = Static<typeof DenialItem>;

export const listDenials = listPage({
  service: 'billing',
  name: 'denial.list',
  summary: 'The denial work queue, oldest denial first',
  path: '/v1/billing/denials',
  roles: billingTeam,
  filters: {
    /** Default `active`: open, appealed and resubmitted items. */
    status: Type.Optional(StringEnum([...denialStatuses, 'active', 'all'] as const)),
    assignee: Type.Optional(Assignee),
    /** Items no person is assigned to (a free-text `assigneeLabel` does not count). */
    unassigned: Type.Optional(Type.Boolean()),
    payerId: Type.Optional(Uuid),
    claimId: Type.Optional(Uuid),
    /** A CARC (`50`) or group and CARC (`CO-50`). */
    reason: Type.Optional(Type.String({ pattern: '^([A-Za-z]{2}-)?[A-Za-z0-9]{1,5}$' })),
    /** Items whose follow-up date is on or before this date. */
    followUpBy: Type.Optional(IsoDate),
  },
  item: DenialItem,
  errors: ['validation-failed'],
});

export const getDenial = getById({
  service: 'billing',
  name: 'denial.get',
  summary: 'One denial work item',
  path: '/v1/billing/denials/{id}',
  roles: billingTeam,
  output: DenialItem,
});

const FollowUp = {
  assignee: Type.Optional(Nullable(Assignee)),
  followUpOn: Type.Optional(Nullable(IsoDate)),
  /** Appended to the item's notes, with who and when. */
  note: Type.Optional(NoteText),
};

export const updateDenial = updateById({
  service: 'billing',
  name: 'denial.update',
  summary: 'Assign a denial (to a person employed at the MSO or the practice today; null unassigns), set its follow-up date, add a note',
  path: '/v1/billing/denials/{id}',
  roles: billingTeam,
  body: FollowUp,
  output: DenialItem,
  errors: ['validation-failed', 'not-found', 'unprocessable'],
});

export const appealDenial = actionOnId({
  service: 'billing',
  name: 'denial.appeal',
  summary: 'Record an appeal sent to the payer, with its deadline',
  path: '/v1/billing/denials/{id}/appeal',
  roles: billingTeam,
  body: {
    /** The payer's deadline for the appeal (or for its answer); not in the past. */
    deadline: IsoDate,
    /** Default: the deadline. */
    followUpOn: Type.Optional(IsoDate),
    note: Type.Optional(NoteText),
  },
  output: DenialItem,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

export const resubmitDenial = actionOnId({
  service: 'billing',
  name: 'denial.resubmit',
  summary: 'Correct and resubmit: reopen the claim as a corrected claim (frequency 7, REF*F8) to fix and submit',
  path: '/v1/billing/denials/{id}/resubmit',
  roles: billingTeam,
  body: { note: Type.Optional(NoteText) },
  output: DenialItem,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const writeOffDenial = actionOnId({
  service: 'billing',
  name: 'denial.write-off',
  summary: "Write off a denial's open balance with a reason (publishes billing.claim.written-off)",
  path: '/v1/billing/denials/{id}/write-off',
  roles: billingTeam,
  idempotency: 'required',
  body: {
    reason: StringEnum(writeOffReasons),
    /** Default: the whole open balance of the line (the claim, for a claim-level denial). */
    amountCents: Type.Optional(Type.Integer({ minimum: 1 })),
    note: Type.Optional(NoteText),
  },
  output: DenialItem,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

// ---- Missing-ERA queue and timely filing -----------------------------------------------------------

/** The days left to file a claim the payer has not adjudicated (negative: past the limit). */
export const TimelyFilingCountdown = Type.Object({
  deadline: IsoDate,
  daysLeft: Type.Integer(),
  limitDays: Type.Integer(),
  /** `payer` (the payer's record), `agreement-payer` (the agreement's per-payer term), `agreement` or `default` (365 days). */
  limitSource: Type.String(),
});

export const MissingEraItem = Type.Object({
  id: Uuid,
  claimId: Uuid,
  patientControlNumber: Type.String(),
  claimStatus: StringEnum(claimStatuses),
  payerId: Uuid,
  submittedAt: Timestamp,
  submissionCount: Type.Integer(),
  daysSinceSubmission: Type.Integer(),
  /** Days without a remittance after which a claim is queued: the payer's term in the agreement, else the agreement's, else 45. */
  thresholdDays: Type.Integer(),
  overdueSince: IsoDate,
  chargeCents: Cents,
  balanceCents: Cents,
  timelyFiling: Nullable(TimelyFilingCountdown),
  /** `resolved` once a remittance came, the claim was sent again or left the payer's hands (`resolution`). */
  status: StringEnum(['open', 'resolved'] as const),
  resolution: Nullable(Type.String()),
  ...AssigneeFields,
  followUpOn: Nullable(IsoDate),
  notes: Type.Array(Note),
  resolvedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type MissingEraItem = Static<typeof MissingEraItem>;

export const listMissingEras = listPage({
  service: 'billing',
  name: 'missing-era.list',
  summary: 'Claims submitted long ago with no remittance, oldest first (kept by the daily follow-up job)',
  path: '/v1/billing/missing-eras',
  roles: billingTeam,
  filters: {
    /** Default `open`. */
    status: Type.Optional(StringEnum(['open', 'resolved', 'all'] as const)),
    payerId: Type.Optional(Uuid),
    assignee: Type.Optional(Assignee),
  },
  item: MissingEraItem,
  errors: ['validation-failed'],
});

export const updateMissingEra = updateById({
  service: 'billing',
  name: 'missing-era.update',
  summary: 'Assign a missing-ERA item (to a person employed at the MSO or the practice today; null unassigns), set its follow-up date, add a note',
  path: '/v1/billing/missing-eras/{id}',
  roles: billingTeam,
  body: FollowUp,
  output: MissingEraItem,
  errors: ['validation-failed', 'not-found', 'unprocessable'],
});

export const TimelyFilingItem = Type.Object({
  claimId: Uuid,
  patientControlNumber: Type.String(),
  claimStatus: StringEnum(claimStatuses),
  payerId: Uuid,
  serviceDate: IsoDate,
  chargeCents: Cents,
  ...TimelyFilingCountdown.properties,
  computedAt: Timestamp,
});

export const listTimelyFiling = listPage({
  service: 'billing',
  name: 'timely-filing.list',
  summary: 'Timely-filing countdown of every claim the payer has not adjudicated, nearest deadline first',
  path: '/v1/billing/timely-filing',
  roles: billingTeam,
  filters: {
    /** Only claims with at most this many days left (past deadlines included). */
    withinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 730 })),
    payerId: Type.Optional(Uuid),
  },
  item: TimelyFilingItem,
  errors: ['validation-failed'],
});

// ---- Reports -----------------------------------------------------------------------------------------

const Percent = Nullable(Type.Number({ description: 'Percent with one decimal; null when there is nothing to measure' }));
const Period = {
  /** First day (in the practice's time zone). Default: 89 days before `to`. */
  from: Type.Optional(IsoDate),
  /** Last day, inclusive. Default: today. */
  to: Type.Optional(IsoDate),
};

const StatusCount = Type.Object({ status: StringEnum(claimStatuses), claims: Type.Integer(), chargeCents: Cents, balanceCents: Cents });

export const RevenueCycleReport = Type.Object({
  /** Null for the total across practices. */
  practiceId: Nullable(Uuid),
  from: IsoDate,
  to: IsoDate,
  asOf: Timestamp,
  /** Every claim by its current status. */
  claimsByStatus: Type.Array(StatusCount),
  /** Open insurance balance of claims sent to payers ÷ average daily charges submitted in the period; aging by days since first submission. */
  daysInAr: Type.Object({
    arBalanceCents: Cents,
    chargesCents: Cents,
    periodDays: Type.Integer(),
    days: Nullable(Type.Number()),
    aging: Type.Array(Type.Object({ bucket: StringEnum(['0-30', '31-60', '61-90', '91-120', '120+'] as const), claims: Type.Integer(), balanceCents: Cents })),
  }),
  /** Claims first submitted in the period that the payer accepted on the first submission, of those answered. */
  cleanClaimRate: Type.Object({ acceptedOnFirstSubmission: Type.Integer(), answered: Type.Integer(), awaitingAnswer: Type.Integer(), percent: Percent }),
  /** Of the claims adjudicated in the period (by payment date; reversed postings excluded), those with a denied line or claim. */
  denialRate: Type.Object({
    adjudicatedClaims: Type.Integer(),
    deniedClaims: Type.Integer(),
    percent: Percent,
    adjudicatedChargeCents: Cents,
    deniedCents: Cents,
    amountPercent: Percent,
    byReason: Type.Array(
      Type.Object({
        group: Type.String(),
        reason: Type.String(),
        description: Type.String(),
        known: Type.Boolean(),
        claims: Type.Integer(),
        amountCents: Cents,
        /** Share of the claims adjudicated in the period. */
        percent: Percent,
      }),
    ),
  }),
  /** Payer payments ÷ (charges − contractual adjustments) of claims with a date of service in the period; patient payments are collections'. */
  netCollectionRate: Type.Object({ chargesCents: Cents, contractualAdjustmentCents: Cents, paidCents: Cents, percent: Percent }),
});
export type RevenueCycleReport = Static<typeof RevenueCycleReport>;

export const claimsByStatusReport = operation({
  service: 'billing',
  name: 'report.claims-by-status',
  summary: "The practice's claims by status, with charges and open balances",
  http: { method: 'GET', path: '/v1/billing/reports/claims-by-status' },
  roles: billingTeam,
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ asOf: Timestamp, items: Type.Array(StatusCount) }),
});

export const revenueCycleReport = operation({
  service: 'billing',
  name: 'report.revenue-cycle',
  summary: 'Claims by status, days in AR, clean-claim rate, denial rate (overall and by CARC) and net collection rate for the practice',
  http: { method: 'GET', path: '/v1/billing/reports/revenue-cycle' },
  roles: billingTeam,
  input: Type.Object(Period, { additionalProperties: false }),
  output: RevenueCycleReport,
  errors: ['validation-failed'],
});

export const revenueCycleByPracticeReport = operation({
  service: 'billing',
  name: 'report.revenue-cycle-by-practice',
  summary: 'The revenue-cycle report of every practice that buys billing, and their total',
  http: { method: 'GET', path: '/v1/billing/reports/revenue-cycle-by-practice' },
  scope: 'platform',
  roles: mso,
  input: Type.Object(Period, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(RevenueCycleReport), total: RevenueCycleReport }),
  errors: ['validation-failed'],
});

// ---- Assignable staff ------------------------------------------------------------------------------

export const WorkStaffMember = Type.Object({
  /** HR's person id: what an item's `assignee` holds. */
  personId: Uuid,
  displayName: Type.String(),
  /** The person's employments at the MSO and at this practice that are active on `asOf`. */
  employments: Type.Array(Type.Object({ employer: Type.String(), title: Type.String(), department: Type.String(), startDate: IsoDate, endDate: Nullable(IsoDate) })),
});

export const listWorkStaff = operation({
  service: 'billing',
  name: 'staff.list',
  summary: "Who the practice's work items can be assigned to: people employed at the MSO or at the practice today (HR's staff directory), by name",
  http: { method: 'GET', path: '/v1/billing/staff' },
  roles: billingTeam,
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({
    /** The practice's today (in its time zone), the day employments are checked on. */
    asOf: IsoDate,
    items: Type.Array(WorkStaffMember),
  }),
});

export const workOperations: readonly Operation[] = [
  listDenials,
  getDenial,
  updateDenial,
  appealDenial,
  resubmitDenial,
  writeOffDenial,
  listMissingEras,
  updateMissingEra,
  listTimelyFiling,
  claimsByStatusReport,
  revenueCycleReport,
  revenueCycleByPracticeReport,
  listWorkStaff,
];
