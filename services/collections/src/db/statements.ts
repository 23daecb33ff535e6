import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Aging, PracticeProfile, StatementChannel, StatementKind, StatementLine, StatementSkipReason, PostalAddress } from '@mso/contracts/collections';
import type { Db } from '@mso/kit';
import { balanceItems, guarantors, insuranceClaims, isPending, type BalanceItem, type Guarantor } from './accounts.js';
import { cents, collections, day, ts } from './pg.js';

/** What a practice prints on its statements as sender and payee. */
export const practiceProfiles = collections.table('practice_profiles', {
  practiceId: uuid('practice_id').primaryKey(),
  profile: jsonb('profile').$type<PracticeProfile>().notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** One statement run per practice and practice date (a second run that day finds this row and makes nothing). */
export const statementRuns = collections.table(
  'statement_runs',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    runDate: day('run_date').notNull(),
    trigger: text('trigger').$type<'schedule' | 'on-demand'>().notNull(),
    statementCount: integer('statement_count').notNull().default(0),
    amountDueCents: cents('amount_due_cents').notNull().default(0),
    statementIds: jsonb('statement_ids').$type<string[]>().notNull().default([]),
    skipped: jsonb('skipped').$type<{ guarantorId: string; reason: StatementSkipReason }[]>().notNull().default([]),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('statement_runs_practice_date').on(t.practiceId, t.runDate)],
);

/** The document as issued: a reprint shows what was sent, whatever the account did since. Holds PHI (name, address). */
export interface StatementDocument {
  practice: PracticeProfile;
  guarantor: { name: string; address: PostalAddress | null };
  lines: StatementLine[];
  aging: Aging;
  creditCents: number;
  insurancePendingCents: number;
}

export const statements = collections.table(
  'statements',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    runId: uuid('run_id'),
    guarantorId: uuid('guarantor_id').notNull(),
    kind: text('kind').$type<StatementKind>().notNull(),
    statementDate: day('statement_date').notNull(),
    payByDate: day('pay_by_date').notNull(),
    paymentReference: text('payment_reference').notNull(),
    document: jsonb('document').$type<StatementDocument>().notNull(),
    amountDueCents: cents('amount_due_cents').notNull(),
    channel: text('channel').$type<StatementChannel>().notNull(),
    consent: boolean('consent').notNull(),
    timeZone: text('time_zone').notNull(),
    delivery: text('delivery').$type<'sent' | 'queued'>().notNull(),
    sentAt: ts('sent_at'),
    queuedUntil: ts('queued_until'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('statements_guarantor_kind_date').on(t.practiceId, t.guarantorId, t.kind, t.statementDate),
    uniqueIndex('statements_reference').on(t.practiceId, t.paymentReference),
    index('statements_queued').on(t.practiceId, t.delivery, t.queuedUntil),
    index('statements_sent').on(t.practiceId, t.sentAt),
  ],
);

export type StatementRow = typeof statements.$inferSelect;
export type StatementRunRow = typeof statementRuns.$inferSelect;

export async function getPracticeProfileRow(db: Db, practiceId: string): Promise<PracticeProfile | null> {
  const [row] = await db.select().from(practiceProfiles).where(eq(practiceProfiles.practiceId, practiceId));
  return row?.profile ?? null;
}

/** The date of each guarantor's latest plain statement (the 35-day rule). */
export async function lastStatementDates(db: Db, practiceId: string, guarantorIds: string[]): Promise<Map<string, string>> {
  if (guarantorIds.length === 0) return new Map();
  const rows = await db
    .select({ guarantorId: statements.guarantorId, last: sql<string>`max(${statements.statementDate})::text` })
    .from(statements)
    .where(and(eq(statements.practiceId, practiceId), eq(statements.kind, 'statement'), inArray(statements.guarantorId, guarantorIds)))
    .groupBy(statements.guarantorId);
  return new Map(rows.map((r) => [r.guarantorId, r.last]));
}

export async function getStatementRow(db: Db, practiceId: string, id: string): Promise<StatementRow | undefined> {
  const [row] = await db
    .select()
    .from(statements)
    .where(and(eq(statements.practiceId, practiceId), eq(statements.id, id)));
  return row;
}

export async function getRunByDate(db: Db, practiceId: string, runDate: string): Promise<StatementRunRow | undefined> {
  const [row] = await db
    .select()
    .from(statementRuns)
    .where(and(eq(statementRuns.practiceId, practiceId), eq(statementRuns.runDate, runDate)));
  return row;
}

export async function listRuns(db: Db, practiceId: string): Promise<StatementRunRow[]> {
  return db.select().from(statementRuns).where(eq(statementRuns.practiceId, practiceId)).orderBy(desc(statementRuns.runDate)).limit(200);
}

// ---- batch reads and writes of a statement run (a few statements per run, not per guarantor) ----

export async function guarantorsByIds(db: Db, practiceId: string, ids: string[]): Promise<Guarantor[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(guarantors)
    .where(and(eq(guarantors.practiceId, practiceId), inArray(guarantors.id, ids)));
}

/** The open balance items of each guarantor, oldest first. */
export async function openItemsByGuarantor(db: Db, practiceId: string, ids: string[]): Promise<Map<string, BalanceItem[]>> {
  const byGuarantor = new Map<string, BalanceItem[]>();
  if (ids.length === 0) return byGuarantor;
  const rows = await db
    .select()
    .from(balanceItems)
    .where(and(eq(balanceItems.practiceId, practiceId), inArray(balanceItems.guarantorId, ids), sql`${balanceItems.responsibilityCents} - ${balanceItems.paidCents} - ${balanceItems.writtenOffCents} > 0`))
    .orderBy(asc(balanceItems.guarantorId), asc(balanceItems.adjudicatedOn), asc(balanceItems.claimId));
  for (const r of rows) {
    const list = byGuarantor.get(r.guarantorId);
    if (list) list.push(r);
    else byGuarantor.set(r.guarantorId, [r]);
  }
  return byGuarantor;
}

/** Charges still at the payer, per patient. */
export async function insurancePendingByPatient(db: Db, practiceId: string, patientIds: string[]): Promise<Map<string, number>> {
  if (patientIds.length === 0) return new Map();
  const rows = await db
    .select({ patientId: insuranceClaims.patientId, total: sql<string>`sum(${insuranceClaims.chargeCents})` })
    .from(insuranceClaims)
    .where(and(eq(insuranceClaims.practiceId, practiceId), inArray(insuranceClaims.patientId, patientIds), isPending))
    .groupBy(insuranceClaims.patientId);
  return new Map(rows.map((r) => [r.patientId, Number(r.total)]));
}

/** Sets the first statement date of the open items without one, for all the guarantors stated on `on`. */
export async function setFirstStatementDates(db: Db, practiceId: string, guarantorIds: string[], on: string): Promise<void> {
  if (guarantorIds.length === 0) return;
  await db
    .update(balanceItems)
    .set({ firstStatementOn: on })
    .where(
      and(
        eq(balanceItems.practiceId, practiceId),
        inArray(balanceItems.guarantorId, guarantorIds),
        sql`${balanceItems.firstStatementOn} is null`,
        sql`${balanceItems.responsibilityCents} - ${balanceItems.paidCents} - ${balanceItems.writtenOffCents} > 0`,
      ),
    );
}
