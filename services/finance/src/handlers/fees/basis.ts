// What a practice's fee for a month is computed from, read in the fee run's transaction: its posted
// collections, the devices in its asset register, its employments and the MSO staff cost allocated to
// it (from HR), the MSO expenses entered for it, and what earlier runs of the month invoiced and distributed.
import { and, asc, between, count, desc, eq, gte, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { addDays, isValidTimeZone, localDate, type Db } from '@mso/kit';
import { devicesActive } from '../../domain/fees/devices.js';
import type { FeeBasisData } from '../../domain/fees/fees.js';
import { monthBounds } from '../../domain/fees/period.js';
import { entities, feeAssetChanges, feeDistributions, feeEmployments, feeExpenses, feeInvoices, feeStaffCosts } from '../../db/schema.js';
import { rowsOf } from '../../ledger/balances.js';
import { netCollections } from '../../ledger/queries.js';

export async function feeBasisData(db: Db, practiceId: string, period: string, timeZone: string): Promise<FeeBasisData> {
  const { first, last } = monthBounds(period);
  // Until finance has heard anything from HR the counts are unknown, and the fee maths says so in its warnings.
  const hr = await heardFromHr(db);
  return {
    netCollectionsCents: await netCollections(db, practiceId, period),
    activeDevices: await activeDevices(db, practiceId, first, last, timeZone),
    activeEmployees: hr ? await activeEmployees(db, practiceId, first, last) : null,
    directCostsCents: await directCosts(db, practiceId, first, last),
    sharedStaffCostCents: hr ? await sharedStaffCost(db, practiceId, period) : null,
  };
}

async function heardFromHr(db: Db): Promise<boolean> {
  const [row] = rowsOf<{ heard: boolean }>(
    await db.execute(sql`select exists (select 1 from ${feeEmployments}) or exists (select 1 from ${feeStaffCosts}) as heard`),
  );
  return row?.heard === true;
}

/** The practice's employments active on any day of the month: started by its last day, not ended before its first. */
async function activeEmployees(db: Db, practiceId: string, first: string, last: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(feeEmployments)
    .where(
      and(
        eq(feeEmployments.practiceId, practiceId),
        // A termination heard of before its hire: employed until then.
        or(isNull(feeEmployments.startDate), lte(feeEmployments.startDate, last)),
        or(isNull(feeEmployments.lastDay), gte(feeEmployments.lastDay, first)),
      ),
    );
  return Number(row?.n ?? 0);
}

/** MSO staff cost payroll runs allocated to the practice, for pay periods ending in the month. */
async function sharedStaffCost(db: Db, practiceId: string, period: string): Promise<number> {
  const [row] = await db
    .select({ cents: sql<string | null>`sum(${feeStaffCosts.costCents})` })
    .from(feeStaffCosts)
    .where(and(eq(feeStaffCosts.practiceId, practiceId), eq(feeStaffCosts.period, period)));
  return Number(row?.cents ?? 0);
}

async function activeDevices(db: Db, practiceId: string, first: string, last: string, timeZone: string): Promise<number> {
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  // Changes after the month (with a day's margin for the zone) cannot make a device active in it.
  const rows = await db
    .select()
    .from(feeAssetChanges)
    .where(and(eq(feeAssetChanges.practiceId, practiceId), lt(feeAssetChanges.at, new Date(`${addDays(last, 2)}T00:00:00Z`))));
  return devicesActive(
    rows.map((r) => ({ assetId: r.assetId, kind: r.kind, change: r.change as 'registered' | 'retired', on: localDate(r.at, zone), at: r.at })),
    first,
    last,
  );
}

async function directCosts(db: Db, practiceId: string, first: string, last: string): Promise<number> {
  const [row] = await db
    .select({ cents: sql<string | null>`sum(${feeExpenses.amountCents})` })
    .from(feeExpenses)
    .where(and(eq(feeExpenses.practiceId, practiceId), between(feeExpenses.date, first, last)));
  return Number(row?.cents ?? 0);
}

export interface Invoiced {
  /** Σ of the month's invoices and credit notes to the practice. */
  cents: number;
  /** How many there are (the next one is `count + 1`). */
  count: number;
  /** The latest one, if any. */
  latestId: string | null;
}

export async function invoicedSoFar(db: Db, practiceId: string, period: string): Promise<Invoiced> {
  const rows = await db
    .select({ id: feeInvoices.id, amountCents: feeInvoices.amountCents })
    .from(feeInvoices)
    .where(and(eq(feeInvoices.practiceId, practiceId), eq(feeInvoices.period, period)))
    .orderBy(desc(feeInvoices.seq));
  return { cents: rows.reduce((s, r) => s + r.amountCents, 0), count: rows.length, latestId: rows[0]?.id ?? null };
}

export interface Distributed {
  byParty: Map<string, number>;
  /** Runs that distributed for the practice and month so far. */
  entries: number;
}

export async function distributedSoFar(db: Db, practiceId: string, period: string): Promise<Distributed> {
  const rows = await db
    .select({ party: feeDistributions.party, entryId: feeDistributions.entryId, amountCents: feeDistributions.amountCents })
    .from(feeDistributions)
    .where(and(eq(feeDistributions.practiceId, practiceId), eq(feeDistributions.period, period)))
    .orderBy(asc(feeDistributions.createdAt));
  const byParty = new Map<string, number>();
  for (const r of rows) byParty.set(r.party, (byParty.get(r.party) ?? 0) + r.amountCents);
  return { byParty, entries: new Set(rows.map((r) => r.entryId)).size };
}

/** Invoices issued for the month so far, to all practices (numbers run on from it). */
export async function invoicesInPeriod(db: Db, period: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(feeInvoices).where(eq(feeInvoices.period, period));
  return Number(row?.n ?? 0);
}

/** The practice's name as tenancy announced it (its entity), or a stand-in. */
export async function practiceName(db: Db, practiceId: string): Promise<string> {
  const [row] = await db.select({ name: entities.name }).from(entities).where(eq(entities.practiceId, practiceId)).limit(1);
  return row?.name ?? `Practice ${practiceId}`;
}
