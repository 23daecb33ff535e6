// Finance contract: entities, chart of accounts, journal entries, periods (the ledger). Every
// operation works on one entity's books: a practice key on its own practice's; an MSO key names the
// entity with `entity` (`mso` or a practice id) or `X-Practice-Id`.
import Type, { type Static } from 'typebox';
import { actionOnId, listPage } from '../builders.js';
import { Cents, IsoDate, mso, Nullable, operation, type Operation, type Role, StringEnum, Timestamp, Uuid } from '../core.js';

/** The `finance` slot of an agreement's terms. */
export const FinanceTerms = Type.Object(
  {
    /** First month of the practice's fiscal year (1 = January). */
    fiscalYearStartMonth: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
  },
  { additionalProperties: false },
);
export type FinanceTerms = Static<typeof FinanceTerms>;

// ---- Vocabulary ----------------------------------------------------------------------------------


/** Who reads the books: the MSO and the practice's administrators. */
export const financeReaders: readonly Role[] = ['mso-admin', 'mso-staff', 'practice-admin'];
/** Who writes to them (manual entries, accounts): the MSO's accountants and the practice's administrators. */
export const financeWriters: readonly Role[] = ['mso-admin', 'mso-staff', 'practice-admin'];

export const accountTypeValues = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export const sides = ['debit', 'credit'] as const;
export const entrySourceKinds = ['event', 'user', 'fee-run', 'year-end', 'reversal'] as const;

/** `mso` (the MSO's own books) or a practice id. */
export const EntityRef = Type.String({ pattern: '^(mso|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$', description: '`mso` or a practice id' });
export const PeriodRef = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'A month, YYYY-MM' });
const EntityQuery = { entity: Type.Optional(EntityRef) };

export const Entity = Type.Object({
  entity: Type.String({ description: '`mso` or the practice id' }),
  practiceId: Nullable(Uuid),
  name: Type.String(),
  fiscalYearStartMonth: Type.Integer(),
  createdAt: Timestamp,
});
export type Entity = Static<typeof Entity>;

export const Account = Type.Object({
  id: Uuid,
  /** Stable key of a system account (`cash`, `insurance-ar`, ...); null for accounts users added. */
  key: Nullable(Type.String()),
  code: Type.String(),
  name: Type.String(),
  type: StringEnum(accountTypeValues),
  /** The side its balance normally sits on (contra accounts differ from their type's). */
  normalSide: StringEnum(sides),
  system: Type.Boolean(),
});
export type Account = Static<typeof Account>;

export const NewAccount = Type.Object(
  {
    ...EntityQuery,
    code: Type.String({ pattern: '^[0-9A-Za-z][0-9A-Za-z.-]{0,19}$', description: 'Account number, unique in the entity' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: StringEnum(accountTypeValues),
    /** Default: the type's (debit for assets and expenses, credit otherwise); set it for a contra account. */
    normalSide: Type.Optional(StringEnum(sides)),
  },
  { additionalProperties: false },
);

export const EntryLine = Type.Object({
  lineNo: Type.Integer(),
  accountId: Uuid,
  accountKey: Nullable(Type.String()),
  accountCode: Type.String(),
  accountName: Type.String(),
  debitCents: Cents,
  creditCents: Cents,
  memo: Nullable(Type.String()),
  /** What the line is about, e.g. the claim id. */
  ref: Nullable(Type.String()),
});

export const JournalEntry = Type.Object({
  id: Uuid,
  entity: Type.String(),
  /** The date it posted on. */
  date: IsoDate,
  period: Type.String(),
  /** The source's own date, when that was in a closed period (then `shiftedFrom` names it). */
  sourceDate: IsoDate,
  shiftedFrom: Nullable(Type.String()),
  memo: Type.String(),
  source: Type.Object({
    kind: StringEnum(entrySourceKinds),
    /** Event id, fee run id, request idempotency key, reversed entry id. */
    id: Type.String(),
    by: Nullable(Type.String()),
    reason: Nullable(Type.String()),
  }),
  reverses: Nullable(Uuid),
  reversedBy: Nullable(Uuid),
  postedAt: Timestamp,
  totalCents: Cents,
  lines: Type.Array(EntryLine),
});
export type JournalEntry = Static<typeof JournalEntry>;

export const NewEntryLine = Type.Object(
  {
    /** A system account key (`cash`), or an account id or code (`6300`) of the entity's chart. */
    account: Type.String({ minLength: 1, maxLength: 64 }),
    debitCents: Type.Optional(Type.Integer({ minimum: 0 })),
    creditCents: Type.Optional(Type.Integer({ minimum: 0 })),
    memo: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const NewJournalEntry = Type.Object(
  {
    ...EntityQuery,
    date: IsoDate,
    memo: Type.String({ minLength: 1, maxLength: 500 }),
    /** Why the accountant posts it (kept with the entry). */
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    lines: Type.Array(NewEntryLine, { minItems: 2, maxItems: 500 }),
  },
  { additionalProperties: false },
);

export const Period = Type.Object({
  period: Type.String(),
  status: StringEnum(['open', 'closed'] as const),
  closedAt: Nullable(Timestamp),
  closedBy: Nullable(Type.String()),
  entries: Type.Integer(),
  debitCents: Cents,
  creditCents: Cents,
});
export type Period = Static<typeof Period>;


// ---- Operations ---------------------------------------------------------------------------------

export const listEntities = operation({
  service: 'finance',
  name: 'entity.list',
  summary: 'The legal entities with books: the MSO and every practice',
  http: { method: 'GET', path: '/v1/finance/entities' },
  scope: 'platform',
  roles: mso,
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Array(Entity),
});

export const listAccounts = operation({
  service: 'finance',
  name: 'account.list',
  summary: "An entity's chart of accounts",
  http: { method: 'GET', path: '/v1/finance/accounts' },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object(EntityQuery, { additionalProperties: false }),
  output: Type.Object({ entity: Type.String(), accounts: Type.Array(Account) }),
  errors: ['validation-failed', 'not-found'],
});

export const createAccount = operation({
  service: 'finance',
  name: 'account.create',
  summary: "Add an account to an entity's chart",
  http: { method: 'POST', path: '/v1/finance/accounts', status: 201 },
  scope: 'platform',
  roles: financeWriters,
  input: NewAccount,
  output: Account,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const createJournalEntry = operation({
  service: 'finance',
  name: 'journal-entry.create',
  summary: 'Post a manual journal entry (balanced, with a reason); a closed period answers 409',
  http: { method: 'POST', path: '/v1/finance/journal-entries', status: 201 },
  scope: 'platform',
  roles: financeWriters,
  input: NewJournalEntry,
  output: JournalEntry,
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
  idempotency: 'required',
});

export const getJournalEntry = operation({
  service: 'finance',
  name: 'journal-entry.get',
  summary: 'One journal entry with its lines',
  http: { method: 'GET', path: '/v1/finance/journal-entries/{id}' },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object({ id: Uuid, ...EntityQuery }, { additionalProperties: false }),
  output: JournalEntry,
  errors: ['validation-failed', 'not-found'],
});

export const listJournalEntries = listPage({
  service: 'finance',
  name: 'journal-entry.list',
  summary: "An entity's journal, oldest first, optionally one period",
  path: '/v1/finance/journal-entries',
  scope: 'platform',
  roles: financeReaders,
  filters: { ...EntityQuery, period: Type.Optional(PeriodRef) },
  item: JournalEntry,
  errors: ['validation-failed', 'not-found'],
});

export const reverseJournalEntry = actionOnId({
  service: 'finance',
  name: 'journal-entry.reverse',
  summary: 'Correct an entry by posting its reversal (every line on the other side), with a reason',
  path: '/v1/finance/journal-entries/{id}/reversal',
  status: 201,
  scope: 'platform',
  roles: financeWriters,
  body: {
    ...EntityQuery,
    /** Default: the reversed entry's date (moved to the next open period when that is closed). */
    date: Type.Optional(IsoDate),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  output: JournalEntry,
  errors: ['validation-failed', 'not-found', 'conflict'],
  idempotency: 'required',
});

export const listPeriods = operation({
  service: 'finance',
  name: 'period.list',
  summary: "An entity's months from its first posting to this month, open or closed",
  http: { method: 'GET', path: '/v1/finance/periods' },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object(EntityQuery, { additionalProperties: false }),
  output: Type.Object({ entity: Type.String(), periods: Type.Array(Period) }),
  errors: ['validation-failed', 'not-found'],
});

export const closePeriod = operation({
  service: 'finance',
  name: 'period.close',
  summary: 'Close a month: it must balance and be over with nothing pending; it then takes no postings',
  http: { method: 'POST', path: '/v1/finance/periods/{period}/close' },
  scope: 'platform',
  roles: mso,
  input: Type.Object({ period: PeriodRef, ...EntityQuery }, { additionalProperties: false }),
  output: Period,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const FiscalYearClosed = Type.Object({
  entity: Type.String(),
  /** The calendar year the fiscal year ends in. */
  year: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  /** The closing entry (revenue and expense into retained earnings); null when there was nothing to close. */
  entryId: Nullable(Uuid),
  netIncomeCents: Cents,
  periodsClosed: Type.Array(Type.String()),
});

export const closeFiscalYear = operation({
  service: 'finance',
  name: 'fiscal-year.close',
  summary: "Year-end close: the year's profit and loss into retained earnings, then every month of it closed",
  http: { method: 'POST', path: '/v1/finance/fiscal-years/{year}/close' },
  scope: 'platform',
  roles: mso,
  input: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2200 }), ...EntityQuery }, { additionalProperties: false }),
  output: FiscalYearClosed,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const BalanceCheck = Type.Object({
  checkedAt: Nullable(Timestamp),
  entities: Type.Integer(),
  accounts: Type.Integer(),
  mismatches: Type.Integer(),
  detail: Type.Array(Type.String()),
});

export const getBalanceCheck = operation({
  service: 'finance',
  name: 'balance-check.get',
  summary: 'The latest proof that the kept account balances equal the sum of their lines',
  http: { method: 'GET', path: '/v1/finance/balance-checks/latest' },
  scope: 'platform',
  roles: mso,
  input: Type.Object({}, { additionalProperties: false }),
  output: BalanceCheck,
});

export const ledgerOperations: readonly Operation[] = [
  listEntities,
  listAccounts,
  createAccount,
  createJournalEntry,
  getJournalEntry,
  listJournalEntries,
  reverseJournalEntry,
  listPeriods,
  closePeriod,
  closeFiscalYear,
  getBalanceCheck,
];
