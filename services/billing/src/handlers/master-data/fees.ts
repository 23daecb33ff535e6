import { randomUUID } from 'node:crypto';
import { and, count, eq, gte, inArray, isNull, lte, or } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type {
  addFeeEntries,
  createFeeSchedule,
  FeeEntry,
  FeeSchedule,
  getFeeSchedule,
  listFeeEntries,
  listFeeSchedules,
  lookupFee,
  NewFeeEntry,
  updateFeeSchedule,
} from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { feeEntries, feeSchedules } from '../../db/schema.js';
import { feeEntryProblems, lookupFee as lookup, modifiersKey } from '../../domain/master-data.js';
import { iso, isUniqueViolation, notFound, sent, unprocessable } from '../common.js';
import { loadPayer } from './payers.js';

type ScheduleRow = typeof feeSchedules.$inferSelect;
type EntryRow = typeof feeEntries.$inferSelect;

const toEntry = (r: EntryRow): FeeEntry => ({
  id: r.id,
  scheduleId: r.scheduleId,
  code: r.code,
  modifiers: r.modifiers,
  chargeCents: r.chargeCents,
  effectiveFrom: r.effectiveFrom,
  effectiveTo: r.effectiveTo,
  createdAt: iso(r.createdAt),
});

async function views(db: Db, practiceId: string, rows: ScheduleRow[]): Promise<FeeSchedule[]> {
  const ids = rows.map((r) => r.id);
  const counts = ids.length
    ? await db
        .select({ scheduleId: feeEntries.scheduleId, n: count() })
        .from(feeEntries)
        .where(tenantWhere(feeEntries.practiceId, practiceId, inArray(feeEntries.scheduleId, ids)))
        .groupBy(feeEntries.scheduleId)
    : [];
  const byId = new Map(counts.map((c) => [c.scheduleId, Number(c.n)]));
  return rows.map((r) => ({ id: r.id, practiceId: r.practiceId, name: r.name, payerId: r.payerId, entries: byId.get(r.id) ?? 0, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) }));
}

async function loadSchedule(db: Db, practiceId: string, id: string): Promise<ScheduleRow> {
  const [row] = await db.select().from(feeSchedules).where(tenantWhere(feeSchedules.practiceId, practiceId, eq(feeSchedules.id, id)));
  if (!row) throw notFound('fee schedule');
  return row;
}

async function entriesOf(db: Db, practiceId: string, scheduleId: string, code?: string): Promise<EntryRow[]> {
  return db
    .select()
    .from(feeEntries)
    .where(tenantWhere(feeEntries.practiceId, practiceId, eq(feeEntries.scheduleId, scheduleId), eqIfSet(feeEntries.code, code)));
}

/** Checks new fees against each other and the schedule's, then inserts them (in the caller's transaction). */
async function insertEntries(db: Db, practiceId: string, scheduleId: string, entries: readonly NewFeeEntry[], now: Date): Promise<EntryRow[]> {
  if (entries.length === 0) return [];
  const existing = entries.length ? await entriesOf(db, practiceId, scheduleId) : [];
  const problems = feeEntryProblems(entries, existing);
  if (problems.length) throw unprocessable(problems);
  return db
    .insert(feeEntries)
    .values(
      entries.map((e, i) => ({
        id: randomUUID(),
        practiceId,
        scheduleId,
        code: e.code,
        modifiers: e.modifiers ?? [],
        modifiersKey: modifiersKey(e.modifiers ?? []),
        chargeCents: e.chargeCents,
        effectiveFrom: e.effectiveFrom,
        effectiveTo: e.effectiveTo ?? null,
        // Keeps the request's order in the keyset pages.
        createdAt: new Date(now.getTime() + i),
      })),
    )
    .returning();
}

const scheduleTaken = (payerId: string | null) =>
  new ProblemError('conflict', payerId ? 'the payer has a fee schedule already' : 'the practice has a default fee schedule already', [{ path: '/payerId', message: 'already has a schedule' }]);

export const createFeeScheduleHandler: Handler<typeof createFeeSchedule> = async (input, ctx) => {
  if (input.payerId) {
    try {
      await loadPayer(ctx.db, ctx.practiceId, input.payerId);
    } catch {
      throw unprocessable([{ path: '/payerId', message: 'no such payer' }]);
    }
  }
  const now = ctx.clock.now();
  const row = await ctx.transaction(
    async (tx) => {
      let schedule: ScheduleRow | undefined;
      try {
        [schedule] = await tx.db.insert(feeSchedules).values({ id: randomUUID(), practiceId: ctx.practiceId, name: input.name, payerId: input.payerId, createdAt: now, updatedAt: now }).returning();
      } catch (error) {
        if (isUniqueViolation(error)) throw scheduleTaken(input.payerId);
        throw error;
      }
      await insertEntries(tx.db, ctx.practiceId, schedule!.id, input.entries ?? [], now);
      return schedule!;
    },
    { isolation: 'serializable' },
  );
  return (await views(ctx.db, ctx.practiceId, [row]))[0]!;
};

export const listFeeSchedulesHandler: Handler<typeof listFeeSchedules> = async (input, ctx) => {
  const page = keysetPage(feeSchedules, input, 'asc');
  const rows = await ctx.db
    .select()
    .from(feeSchedules)
    .where(tenantWhere(feeSchedules.practiceId, ctx.practiceId, page.where, eqIfSet(feeSchedules.payerId, input.payerId)))
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  const result = paginate(rows, page.limit, (r) => r);
  return { items: await views(ctx.db, ctx.practiceId, result.items), nextCursor: result.nextCursor };
};

export const getFeeScheduleHandler: Handler<typeof getFeeSchedule> = async (input, ctx) => (await views(ctx.db, ctx.practiceId, [await loadSchedule(ctx.db, ctx.practiceId, input.id)]))[0]!;

export const updateFeeScheduleHandler: Handler<typeof updateFeeSchedule> = async (input, ctx) => {
  const { id, ...changes } = input;
  await loadSchedule(ctx.db, ctx.practiceId, id);
  const [row] = await ctx.db
    .update(feeSchedules)
    .set({ ...sent(changes), updatedAt: ctx.clock.now() })
    .where(and(eq(feeSchedules.practiceId, ctx.practiceId), eq(feeSchedules.id, id)))
    .returning();
  return (await views(ctx.db, ctx.practiceId, [row!]))[0]!;
};

export const addFeeEntriesHandler: Handler<typeof addFeeEntries> = async (input, ctx) => {
  const now = ctx.clock.now();
  const rows = await ctx.transaction(
    async (tx) => {
      await loadSchedule(tx.db, ctx.practiceId, input.id);
      return insertEntries(tx.db, ctx.practiceId, input.id, input.entries, now);
    },
    { isolation: 'serializable' },
  );
  return { items: rows.map(toEntry) };
};

export const listFeeEntriesHandler: Handler<typeof listFeeEntries> = async (input, ctx) => {
  await loadSchedule(ctx.db, ctx.practiceId, input.id);
  const page = keysetPage(feeEntries, input, 'asc');
  const rows = await ctx.db
    .select()
    .from(feeEntries)
    .where(
      tenantWhere(
        feeEntries.practiceId,
        ctx.practiceId,
        page.where,
        eq(feeEntries.scheduleId, input.id),
        eqIfSet(feeEntries.code, input.code),
        input.activeOn ? and(lte(feeEntries.effectiveFrom, input.activeOn), or(isNull(feeEntries.effectiveTo), gte(feeEntries.effectiveTo, input.activeOn))) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toEntry);
};

export const lookupFeeHandler: Handler<typeof lookupFee> = async (input, ctx) => {
  const schedules = await ctx.db
    .select()
    .from(feeSchedules)
    .where(tenantWhere(feeSchedules.practiceId, ctx.practiceId, input.payerId ? or(eq(feeSchedules.payerId, input.payerId), isNull(feeSchedules.payerId)) : isNull(feeSchedules.payerId)));
  const own = input.payerId ? schedules.find((s) => s.payerId === input.payerId) : undefined;
  const fallback = schedules.find((s) => s.payerId === null);
  const modifiers = input.modifiers ? input.modifiers.split(',') : [];
  const found = lookup(
    own ? await entriesOf(ctx.db, ctx.practiceId, own.id, input.code) : [],
    fallback ? await entriesOf(ctx.db, ctx.practiceId, fallback.id, input.code) : [],
    input.code,
    modifiers,
    input.dateOfService,
  );
  if (!found) throw new ProblemError('not-found', `no fee for ${input.code}${modifiers.length ? ` with ${modifiersKey(modifiers)}` : ''} on ${input.dateOfService}`);
  return { chargeCents: found.entry.chargeCents, scheduleId: found.entry.scheduleId, entryId: found.entry.id, fromDefault: found.fromDefault };
};
