import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, primaryKey, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cents, day, finance, ts } from './pg.js';

// The ledger. `practice_id` is the entity: a practice's books, or NULL for the MSO's own books.
// Entries and lines are append-only: the service's role may not UPDATE or DELETE them (migrations/0001),
// and a deferred constraint trigger refuses, at commit, an entry whose debits and credits differ.

/** One legal entity with books: the MSO (practice_id NULL) or a practice. */
export const entities = finance.table(
  'entities',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    name: text('name').notNull(),
    /** First month of the fiscal year (1 = January). */
    fiscalYearStartMonth: integer('fiscal_year_start_month').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [unique('entities_practice').on(t.practiceId).nullsNotDistinct()],
);

/** Chart of accounts, per entity. System accounts carry a stable `key`; users add accounts without one. */
export const accounts = finance.table(
  'accounts',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    key: text('key'),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** asset, liability, equity, revenue, expense. */
    type: text('type').notNull(),
    /** The side a balance normally sits on: contra accounts (allowances) differ from their type's. */
    normalSide: text('normal_side').notNull(),
    system: boolean('system').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    unique('accounts_practice_code').on(t.practiceId, t.code).nullsNotDistinct(),
    // One account per system key and entity (the MSO's practice_id is NULL, hence the coalesce).
    uniqueIndex('accounts_entity_key').on(sql`coalesce(${t.practiceId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.key).where(sql`${t.key} is not null`),
    check('accounts_type', sql`${t.type} in ('asset', 'liability', 'equity', 'revenue', 'expense')`),
    check('accounts_normal_side', sql`${t.normalSide} in ('debit', 'credit')`),
  ],
);

/** Months of an entity's books that were closed (a month without a row is open). */
export const periods = finance.table(
  'periods',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    /** YYYY-MM. */
    period: text('period').notNull(),
    closedAt: ts('closed_at').notNull(),
    closedBy: text('closed_by').notNull(),
  },
  (t) => [unique('periods_practice_period').on(t.practiceId, t.period).nullsNotDistinct()],
);

export const journalEntries = finance.table(
  'journal_entries',
  {
    id: uuid('id').primaryKey(),
    /** Posting order (the general ledger's order within a day). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    practiceId: uuid('practice_id'),
    /** The business date the entry posts on (after any shift out of a closed period). */
    date: day('date').notNull(),
    period: text('period').notNull(),
    /** The closed period the source's own date fell in, when the entry was moved out of it. */
    shiftedFrom: text('shifted_from'),
    /** The source's own business date. */
    sourceDate: day('source_date').notNull(),
    memo: text('memo').notNull(),
    /** event, user, fee-run, year-end, reversal. */
    sourceKind: text('source_kind').notNull(),
    /** The event id, the fee run id, ... */
    sourceId: text('source_id').notNull(),
    sourceBy: text('source_by'),
    sourceReason: text('source_reason'),
    idempotencyKey: text('idempotency_key').notNull(),
    /** The entry this one reverses. */
    reverses: uuid('reverses'),
    postedAt: ts('posted_at').notNull(),
  },
  (t) => [
    unique('journal_entries_practice_key').on(t.practiceId, t.idempotencyKey).nullsNotDistinct(),
    uniqueIndex('journal_entries_reverses').on(t.reverses),
    index('journal_entries_practice_date').on(t.practiceId, t.date, t.seq),
  ],
);

export const journalLines = finance.table(
  'journal_lines',
  {
    id: uuid('id').primaryKey(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => journalEntries.id),
    practiceId: uuid('practice_id'),
    lineNo: integer('line_no').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    date: day('date').notNull(),
    period: text('period').notNull(),
    debitCents: cents('debit_cents').notNull(),
    creditCents: cents('credit_cents').notNull(),
    /** What the line is about, e.g. the claim id (AR aging reads it). */
    ref: text('ref'),
    /** Cash flow the line counts in (net collections): claim-payment, patient-payment, refund, recoupment. */
    flow: text('flow'),
    memo: text('memo'),
  },
  (t) => [
    index('journal_lines_entry').on(t.entryId),
    index('journal_lines_account_date').on(t.accountId, t.date, t.id),
    // What is booked for a claim on an account (postings from events, AR aging).
    index('journal_lines_account_ref').on(t.accountId, t.ref),
    index('journal_lines_practice_period').on(t.practiceId, t.period),
    check('journal_lines_one_side', sql`${t.debitCents} >= 0 and ${t.creditCents} >= 0 and (${t.debitCents} = 0) <> (${t.creditCents} = 0)`),
  ],
);

/** Σ of posted lines per account and period, written in the posting's transaction; the balance check job proves it. */
export const accountBalances = finance.table(
  'account_balances',
  {
    practiceId: uuid('practice_id'),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    period: text('period').notNull(),
    debitCents: cents('debit_cents').notNull(),
    creditCents: cents('credit_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.period] }), index('account_balances_practice_period').on(t.practiceId, t.period)],
);

/** Results of the balance check job: each run, whether the kept balances equal the lines. */
export const balanceChecks = finance.table('balance_checks', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id'),
  checkedAt: ts('checked_at').notNull(),
  accounts: integer('accounts').notNull(),
  mismatches: integer('mismatches').notNull(),
  /** First mismatches: `account period kept=… lines=…`. */
  detail: text('detail').notNull(),
});
