// Patient statements: runs (scheduled on the practice's cycle day, or on demand), the statement as a
// document (JSON and PDF), its delivery channel and consent, and the practice's profile printed on it.
import Type, { type Static } from 'typebox';
import { getById } from '../builders.js';
import { Cents, IsoDate, mso, Nullable, operation, RawResponse, StringEnum, Timestamp, UsState, Uuid, type Role } from '../core.js';

/** The practice's billing office and the MSO's collectors run statements; everyone in the practice reads them. */
export const statementWriters: Role[] = [...mso, 'practice-admin'];
export const statementReaders: Role[] = [...mso, 'practice-admin', 'practice-user'];

export const statementChannels = ['mail', 'email', 'portal', 'sms'] as const;
export type StatementChannel = (typeof statementChannels)[number];
/** A plain statement, or the dunning notice it carries (see the dunning policy). */
export const statementKinds = ['statement', 'reminder-1', 'reminder-2', 'final-notice'] as const;
export type StatementKind = (typeof statementKinds)[number];
/**
 * `sent`: recorded as handed to its channel at `sentAt` (mail and portal at once; e-mail and SMS
 * inside 08:00-21:00 in the guarantor's time zone). `queued`: an e-mail or SMS held until
 * `queuedUntil`, when the release job records it sent. Printing, mailing and messaging themselves are
 * done outside this service.
 */
export const deliveryStatuses = ['sent', 'queued'] as const;

export const PostalAddress = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 55 }),
    line2: Type.Optional(Nullable(Type.String({ maxLength: 55 }))),
    city: Type.String({ minLength: 1, maxLength: 30 }),
    state: UsState,
    postalCode: Type.String({ pattern: '^[0-9]{5}([0-9]{4})?$' }),
  },
  { additionalProperties: false },
);
export type PostalAddress = Static<typeof PostalAddress>;

/** What a statement prints as its sender and where to pay: the practice's billing office. */
export const PracticeProfile = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    address: PostalAddress,
    /** The billing office's phone, 10 digits. */
    phone: Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{10}$' }))),
    /** Where the patient pays online, printed on the statement. */
    paymentUrl: Type.Optional(Nullable(Type.String({ maxLength: 200, pattern: '^https://' }))),
    /** Days from the statement date to its pay-by date (default 21). */
    payWithinDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 90 })),
  },
  { additionalProperties: false },
);
export type PracticeProfile = Static<typeof PracticeProfile>;

/** One claim's patient part, as the statement shows it. Insurance still pending is never here. */
export const StatementLine = Type.Object({
  claimId: Uuid,
  serviceDate: IsoDate,
  chargesCents: Cents,
  insurancePaidCents: Cents,
  adjustmentsCents: Cents,
  patientResponsibilityCents: Cents,
  paymentsCents: Cents,
  /** Patient balance the practice wrote off (small balance, hardship). */
  writtenOffCents: Cents,
  /** Patient responsibility less payments and write-offs: what this claim still asks of the patient. */
  balanceCents: Cents,
  /** The first statement that showed this claim (aging counts from it). */
  firstStatedOn: IsoDate,
});
export type StatementLine = Static<typeof StatementLine>;

/** The balance due by age since each claim was first stated. */
export const Aging = Type.Object({
  current: Cents,
  days31to60: Cents,
  days61to90: Cents,
  days91to120: Cents,
  over120: Cents,
});
export type Aging = Static<typeof Aging>;

export const Statement = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  runId: Nullable(Uuid),
  guarantorId: Uuid,
  kind: StringEnum(statementKinds),
  statementDate: IsoDate,
  payByDate: IsoDate,
  /** Quote it with the payment (printed on the statement); unique per practice. */
  paymentReference: Type.String(),
  practice: PracticeProfile,
  guarantor: Type.Object({ name: Type.String(), address: Nullable(PostalAddress) }),
  lines: Type.Array(StatementLine),
  amountDueCents: Cents,
  aging: Aging,
  /** Unapplied credit on the account (an overpayment), shown apart from the amount due. */
  creditCents: Cents,
  /** Charges of claims still at the payer, shown apart as not due: never part of the amount due. */
  insurancePendingCents: Cents,
  channel: StringEnum(statementChannels),
  /** Whether the guarantor consented to this channel (mail needs none and is always true). */
  consent: Type.Boolean(),
  /** The guarantor's time zone the quiet hours were read in. */
  timeZone: Type.String(),
  delivery: StringEnum(deliveryStatuses, {
    description:
      "`sent`: handed to its channel at `sentAt` (mail and portal at once). `queued`: an e-mail or SMS held for quiet hours (08:00-21:00 in the guarantor's time zone) until `queuedUntil`. Printing, mailing and messaging are done outside this service; these fields record the hand-off.",
  }),
  sentAt: Nullable(Timestamp),
  queuedUntil: Nullable(Timestamp),
  createdAt: Timestamp,
});
export type Statement = Static<typeof Statement>;

/** Why a guarantor with a balance got no statement in a run. */
export const statementSkipReasons = [
  'below-minimum',
  'stated-within-35-days',
  'on-hold',
  'plan-current',
  'placed-with-agency',
  'no-contact',
] as const;
export type StatementSkipReason = (typeof statementSkipReasons)[number];

export const StatementRun = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  runDate: IsoDate,
  trigger: StringEnum(['schedule', 'on-demand']),
  statementCount: Type.Integer(),
  amountDueCents: Cents,
  statementIds: Type.Array(Uuid),
  skipped: Type.Array(Type.Object({ guarantorId: Uuid, reason: StringEnum(statementSkipReasons) })),
  createdAt: Timestamp,
});
export type StatementRun = Static<typeof StatementRun>;

export const runStatements = operation({
  service: 'collections',
  name: 'statement-run.create',
  summary:
    "Run patient statements for the practice now: one per guarantor due (balance at least the minimum, none in the last 35 days, not on hold, in a current plan or placed). A second run on the same practice date answers 200 with the first run and makes nothing new. E-mail and SMS statements outside 08:00-21:00 in the guarantor's time zone are queued (`queuedUntil`); sending itself happens outside this service (`sentAt` records the hand-off).",
  http: { method: 'POST', path: '/v1/collections/statement-runs', status: 201, statuses: [200] },
  roles: statementWriters,
  input: Type.Object({}, { additionalProperties: false }),
  output: StatementRun,
  errors: ['validation-failed', 'unprocessable'],
});

export const listStatementRuns = operation({
  service: 'collections',
  name: 'statement-run.list',
  summary: "The practice's statement runs, newest first",
  http: { method: 'GET', path: '/v1/collections/statement-runs' },
  roles: statementReaders,
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(StatementRun) }),
});

export const getStatement = getById({
  service: 'collections',
  name: 'statement.get',
  summary: 'A statement as the guarantor reads it',
  path: '/v1/collections/statements/{id}',
  roles: statementReaders,
  output: Statement,
  phi: 'read',
});

export const getStatementPdf = getById({
  service: 'collections',
  name: 'statement.pdf',
  summary: 'A statement as a PDF document',
  path: '/v1/collections/statements/{id}/pdf',
  response: { mediaTypes: ['application/pdf'] },
  roles: statementReaders,
  output: RawResponse,
  phi: 'read',
});

export const listStatements = operation({
  service: 'collections',
  name: 'statement.list',
  summary: "The practice's statements, newest first; by guarantor, run or delivery status",
  http: { method: 'GET', path: '/v1/collections/statements' },
  roles: statementReaders,
  input: Type.Object(
    {
      guarantorId: Type.Optional(Uuid),
      runId: Type.Optional(Uuid),
      delivery: Type.Optional(StringEnum(deliveryStatuses)),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ items: Type.Array(Statement) }),
  errors: ['validation-failed'],
  phi: 'read',
});

export const putPracticeProfile = operation({
  service: 'collections',
  name: 'practice-profile.put',
  summary: "Set the practice's name, address and payment details printed on its statements",
  http: { method: 'PUT', path: '/v1/collections/practice-profile' },
  roles: statementWriters,
  input: PracticeProfile,
  output: PracticeProfile,
  errors: ['validation-failed'],
});

export const getPracticeProfile = operation({
  service: 'collections',
  name: 'practice-profile.get',
  summary: "The practice's profile printed on its statements",
  http: { method: 'GET', path: '/v1/collections/practice-profile' },
  roles: statementReaders,
  input: Type.Object({}, { additionalProperties: false }),
  output: PracticeProfile,
  errors: ['not-found'],
});

export const StatementsSentReport = Type.Object({
  from: IsoDate,
  to: IsoDate,
  rows: Type.Array(
    Type.Object({ month: Type.String(), channel: StringEnum(statementChannels), kind: StringEnum(statementKinds), statements: Type.Integer(), amountDueCents: Cents }),
  ),
  /** E-mail and SMS statements still held for quiet hours. */
  queued: Type.Integer(),
});

export const statementsSentReport = operation({
  service: 'collections',
  name: 'report.statements-sent',
  summary: 'Statements sent per month, channel and kind, between two dates (by the date they were sent)',
  http: { method: 'GET', path: '/v1/collections/reports/statements-sent' },
  roles: statementReaders,
  input: Type.Object({ from: IsoDate, to: IsoDate }, { additionalProperties: false }),
  output: StatementsSentReport,
  errors: ['validation-failed'],
});

export const statementOperations = [
  runStatements,
  listStatementRuns,
  getStatement,
  getStatementPdf,
  listStatements,
  putPracticeProfile,
  getPracticeProfile,
  statementsSentReport,
] as const;
