// Guarantor accounts: who owes a practice's patient balances (by default billing's patient), their
// contact details for statements (PHI), the balance per claim from billing's adjudications, insurance
// still pending (apart, never the patient's), aging and the account's history.
import Type, { type Static } from 'typebox';
import { Aging } from './statements.js';
import { getById, listPage } from '../builders.js';
import { Cents, IsoDate, mso, Nullable, operation, StringEnum, Timestamp, UsState, Uuid, type Role } from '../core.js';

/** Everyone in the practice's billing office, and the MSO's collectors. */
export const accountReaders: Role[] = [...mso, 'practice-admin', 'practice-user'];
export const accountWriters: Role[] = [...mso, 'practice-admin', 'practice-user'];
/** Settings and approvals. */
export const collectionsAdmins: Role[] = ['mso-admin', 'practice-admin'];

export const contactChannels = ['mail', 'email', 'portal', 'sms'] as const;

export const MailingAddress = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 55 }),
    line2: Type.Optional(Type.String({ maxLength: 55 })),
    city: Type.String({ minLength: 1, maxLength: 30 }),
    state: UsState,
    postalCode: Type.String({ pattern: '^[0-9]{5}([0-9]{4})?$' }),
  },
  { additionalProperties: false },
);

export const ChannelConsent = Type.Object(
  { mail: Type.Optional(Type.Boolean()), email: Type.Optional(Type.Boolean()), portal: Type.Optional(Type.Boolean()), sms: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const GuarantorFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  mailingAddress: MailingAddress,
  email: Nullable(Type.String({ format: 'email', maxLength: 254 })),
  /** 10 digits. */
  phone: Nullable(Type.String({ pattern: '^[0-9]{10}$' })),
  /** IANA time zone (quiet hours); null: the practice's. */
  timeZone: Nullable(Type.String({ minLength: 1, maxLength: 64 })),
  preferredChannel: StringEnum(contactChannels),
  consent: ChannelConsent,
  /** No statements or dunning while on hold. */
  hold: Type.Boolean(),
};

export const Guarantor = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  /** Billing's patient the guarantor answers for. */
  patientId: Uuid,
  name: Nullable(GuarantorFields.name),
  mailingAddress: Nullable(MailingAddress),
  email: GuarantorFields.email,
  phone: GuarantorFields.phone,
  timeZone: GuarantorFields.timeZone,
  preferredChannel: GuarantorFields.preferredChannel,
  consent: ChannelConsent,
  hold: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Guarantor = Static<typeof Guarantor>;

export const putGuarantor = operation({
  service: 'collections',
  name: 'guarantor.put',
  summary: "Set a guarantor's contact details (the id is billing's patient id for the patient's own account)",
  http: { method: 'PUT', path: '/v1/collections/guarantors/{id}' },
  roles: accountWriters,
  input: Type.Object(
    {
      id: Uuid,
      ...GuarantorFields,
      email: Type.Optional(GuarantorFields.email),
      phone: Type.Optional(GuarantorFields.phone),
      timeZone: Type.Optional(GuarantorFields.timeZone),
      consent: Type.Optional(ChannelConsent),
      hold: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  output: Guarantor,
  errors: ['validation-failed', 'unprocessable'],
  phi: 'write',
});

export const getGuarantor = getById({
  service: 'collections',
  name: 'guarantor.get',
  summary: "A guarantor's contact details",
  path: '/v1/collections/guarantors/{id}',
  roles: accountReaders,
  output: Guarantor,
  phi: 'read',
});


export const BalanceItem = Type.Object({
  claimId: Uuid,
  serviceDate: Nullable(IsoDate),
  chargeCents: Cents,
  insurancePaidCents: Cents,
  adjustmentCents: Cents,
  patientResponsibilityCents: Cents,
  /** Per reason (deductible, coinsurance, copay). */
  responsibility: Type.Array(Type.Object({ reason: Type.String(), amountCents: Cents })),
  paidCents: Cents,
  writtenOffCents: Cents,
  openCents: Cents,
  adjudicatedOn: IsoDate,
  firstStatementOn: Nullable(IsoDate),
  /** The date aging counts from: the first statement's, or before any statement the adjudication's. */
  agedFrom: IsoDate,
  agingBasis: StringEnum(['first-statement', 'adjudication'] as const),
});

export const Account = Type.Object({
  guarantorId: Uuid,
  patientId: Uuid,
  /** Open patient balance: what the patient owes now. */
  balanceCents: Cents,
  /** Paid and not applied: refundable, or applied to the next balance. */
  creditCents: Cents,
  /** Charges at the payer, not adjudicated yet: never part of the balance. */
  insurancePendingCents: Cents,
  aging: Aging,
  /** True while an item has no statement yet and ages from its adjudication date. */
  agedFromAdjudication: Type.Boolean(),
  hold: Type.Boolean(),
  /** The active payment plan, if any. */
  planId: Nullable(Uuid),
  items: Type.Array(BalanceItem),
});

export const getAccount = getById({
  service: 'collections',
  name: 'account.get',
  summary: "A guarantor's account: balance per claim, credit, insurance pending (apart) and aging",
  path: '/v1/collections/accounts/{guarantorId}',
  param: 'guarantorId',
  roles: accountReaders,
  output: Account,
  phi: 'read',
});

export const historyKinds = [
  'responsibility',
  'reversal',
  'payment',
  'refund',
  'write-off',
  'write-off-requested',
  'write-off-rejected',
  'credit-applied',
  'credit',
  'plan-created',
  'plan-installment-paid',
  'plan-completed',
  'plan-defaulted',
] as const;

export const HistoryEntry = Type.Object({
  id: Uuid,
  /** One of `historyKinds`, or a statement or dunning step (`statement`, `reminder-1`, ...). */
  kind: Type.String(),
  claimId: Nullable(Uuid),
  /** Change of the patient balance: + owed more, − owed less. */
  amountCents: Cents,
  on: IsoDate,
  refId: Nullable(Uuid),
  detail: Type.Record(Type.String(), Type.Unknown()),
  at: Timestamp,
});

export const listAccountHistory = listPage({
  service: 'collections',
  name: 'account.history',
  summary: "An account's history, oldest first: balance changes, payments, write-offs, plan events, statements and dunning steps",
  path: '/v1/collections/accounts/{guarantorId}/history',
  roles: accountReaders,
  filters: { guarantorId: Uuid },
  item: HistoryEntry,
  errors: ['not-found', 'validation-failed'],
});

export const Settings = Type.Object(
  {
    /** Open balances of a guarantor below this many cents are written off (small balance). 0: never. */
    smallBalanceThresholdCents: Type.Integer({ minimum: 0, maximum: 100_000 }),
    /** Days after an installment's due date before it defaults its plan. */
    planGraceDays: Type.Integer({ minimum: 0, maximum: 90 }),
  },
  { additionalProperties: false },
);

export const getSettings = operation({
  service: 'collections',
  name: 'settings.get',
  summary: "The practice's collections settings",
  http: { method: 'GET', path: '/v1/collections/settings' },
  roles: accountReaders,
  input: Type.Object({}, { additionalProperties: false }),
  output: Settings,
});

export const putSettings = operation({
  service: 'collections',
  name: 'settings.put',
  summary: "Set the practice's collections settings",
  http: { method: 'PUT', path: '/v1/collections/settings' },
  roles: collectionsAdmins,
  input: Settings,
  output: Settings,
  errors: ['validation-failed'],
});

export const accountOperations = [putGuarantor, getGuarantor, getAccount, listAccountHistory, getSettings, putSettings] as const;
