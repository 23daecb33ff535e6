// Reading journal entries back as the contract shows them.
import { and, asc, eq, gt, inArray, or, type SQL } from 'drizzle-orm';
import type { JournalEntry } from '@mso/contracts/finance';
import type { Db } from '@mso/kit';
import type { CollectionFlow } from '../domain/ledger.js';
import { accounts, journalEntries, journalLines } from '../db/schema.js';
import { entityOf, entityWhere, type Entity } from './entities.js';

type EntryRow = typeof journalEntries.$inferSelect;

export async function loadEntries(db: Db, rows: readonly EntryRow[]): Promise<JournalEntry[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const lines = await db
    .select({ line: journalLines, key: accounts.key, code: accounts.code, name: accounts.name })
    .from(journalLines)
    .innerJoin(accounts, eq(accounts.id, journalLines.accountId))
    .where(inArray(journalLines.entryId, ids))
    .orderBy(asc(journalLines.entryId), asc(journalLines.lineNo));
  const reversals = await db.select({ id: journalEntries.id, reverses: journalEntries.reverses }).from(journalEntries).where(inArray(journalEntries.reverses, ids));
  const reversedBy = new Map(reversals.map((r) => [r.reverses!, r.id]));
  return rows.map((r) => {
    const own = lines.filter((l) => l.line.entryId === r.id);
    return {
      id: r.id,
      entity: entityOf(r.practiceId),
      date: r.date,
      period: r.period,
      sourceDate: r.sourceDate,
      shiftedFrom: r.shiftedFrom,
      memo: r.memo,
      source: { kind: r.sourceKind as JournalEntry['source']['kind'], id: r.sourceId, by: r.sourceBy, reason: r.sourceReason },
      reverses: r.reverses,
      reversedBy: reversedBy.get(r.id) ?? null,
      postedAt: r.postedAt.toISOString(),
      totalCents: own.reduce((s, l) => s + l.line.debitCents, 0),
      lines: own.map((l) => ({
        lineNo: l.line.lineNo,
        accountId: l.line.accountId,
        accountKey: l.key,
        accountCode: l.code,
        accountName: l.name,
        debitCents: l.line.debitCents,
        creditCents: l.line.creditCents,
        memo: l.line.memo,
        ref: l.line.ref,
      })),
    };
  });
}

export async function getEntry(db: Db, entity: Entity, id: string): Promise<JournalEntry | null> {
  const rows = await db.select().from(journalEntries).where(entityWhere(journalEntries.practiceId, entity, eq(journalEntries.id, id))).limit(1);
  const [entry] = await loadEntries(db, rows);
  return entry ?? null;
}

/** Keyset page of an entity's journal in posting order (date, then the order posted). */
export async function listEntries(db: Db, entity: Entity, options: { period?: string; limit: number; after?: { date: string; seq: number } }) {
  const conditions: (SQL | undefined)[] = [options.period ? eq(journalEntries.period, options.period) : undefined];
  if (options.after) conditions.push(or(gt(journalEntries.date, options.after.date), and(eq(journalEntries.date, options.after.date), gt(journalEntries.seq, options.after.seq))));
  const rows = await db
    .select()
    .from(journalEntries)
    .where(entityWhere(journalEntries.practiceId, entity, ...conditions))
    .orderBy(asc(journalEntries.date), asc(journalEntries.seq))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return { items: await loadEntries(db, page), next: rows.length > options.limit && last ? { date: last.date, seq: last.seq } : null };
}

/** An entry's lines as stored (with their cash flow), for its reversal. */
export async function entryLines(db: Db, entryId: string) {
  const rows = await db.select().from(journalLines).where(eq(journalLines.entryId, entryId)).orderBy(asc(journalLines.lineNo));
  return rows.map((l) => ({
    account: l.accountId,
    debitCents: l.debitCents,
    creditCents: l.creditCents,
    ...(l.memo ? { memo: l.memo } : {}),
    ...(l.ref ? { ref: l.ref } : {}),
    ...(l.flow ? { flow: l.flow as CollectionFlow } : {}),
  }));
}
