import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray, lte, notInArray, or, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import { assetRegistered, assetRetired, type Asset, type createAsset, type getAsset, type listAssets, type updateAsset } from '@mso/contracts/helpdesk';
import { eqIfSet, isUniqueViolation, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { assets, tickets } from '../db/schema.js';
import { toAsset } from './views.js';

type AssetRow = typeof assets.$inferSelect;

/** Statuses in which an asset has left the register (finance stops counting it as a seat). */
const outOfRegister: readonly string[] = ['retired', 'lost', 'stolen'];
const inRegister = (status: string) => !outOfRegister.includes(status);

async function openTicketCounts(db: Db, practiceId: string, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ assetId: tickets.assetId, n: count() })
    .from(tickets)
    .where(tenantWhere(tickets.practiceId, practiceId, inArray(tickets.assetId, ids), notInArray(tickets.status, ['resolved', 'closed'])))
    .groupBy(tickets.assetId);
  return new Map(rows.map((r) => [r.assetId!, Number(r.n)]));
}

async function views(db: Db, practiceId: string, rows: AssetRow[]) {
  const counts = await openTicketCounts(db, practiceId, rows.map((r) => r.id));
  return rows.map((r) => toAsset(r, counts.get(r.id) ?? 0));
}

const serialTaken = (serial: string) =>
  new ProblemError('conflict', `an asset with serial number ${serial} exists already in this practice`, [{ path: '/serialNumber', message: 'already registered' }]);

export const createAssetHandler: Handler<typeof createAsset> = async (input, ctx) => {
  const now = ctx.clock.now();
  return ctx.transaction(async (tx) => {
    const [row] = await tx.db
      .insert(assets)
      .values({
        id: randomUUID(),
        practiceId: ctx.practiceId,
        name: input.name,
        type: input.type,
        status: input.status ?? 'in-use',
        manufacturer: input.manufacturer ?? null,
        model: input.model ?? null,
        serialNumber: input.serialNumber ?? null,
        assignedTo: input.assignedTo ?? null,
        warrantyEndsOn: input.warrantyEndsOn ?? null,
        diskEncrypted: input.diskEncrypted ?? null,
        seats: input.seats ?? null,
        expiresOn: input.expiresOn ?? null,
        notes: input.notes ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: [assets.practiceId, assets.serialNumber] })
      .returning();
    if (!row) throw serialTaken(input.serialNumber ?? '');
    if (inRegister(row.status)) await tx.emit(assetRegistered, { assetId: row.id, practiceId: row.practiceId, kind: input.type, at: now.toISOString() }, { subject: row.id });
    return toAsset(row, 0);
  });
};

export const listAssetsHandler: Handler<typeof listAssets> = async (input, ctx) => {
  const page = keysetPage(assets, input, 'desc');
  const rows = await ctx.db
    .select()
    .from(assets)
    .where(
      tenantWhere(
        assets.practiceId,
        ctx.practiceId,
        page.where,
        eqIfSet(assets.type, input.type),
        eqIfSet(assets.status, input.status),
        eqIfSet(assets.diskEncrypted, input.diskEncrypted),
        input.assignedTo ? eq(sql`lower(${assets.assignedTo})`, input.assignedTo.toLowerCase()) : undefined,
        input.endingBy ? or(lte(assets.warrantyEndsOn, input.endingBy), lte(assets.expiresOn, input.endingBy)) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  const result = paginate(rows, page.limit, (r) => r);
  return { items: await views(ctx.db, ctx.practiceId, result.items), nextCursor: result.nextCursor };
};

async function loadAsset(db: Db, practiceId: string, id: string): Promise<AssetRow> {
  const [row] = await db.select().from(assets).where(tenantWhere(assets.practiceId, practiceId, eq(assets.id, id)));
  if (!row) throw new ProblemError('not-found', 'no such asset');
  return row;
}

export const getAssetHandler: Handler<typeof getAsset> = async (input, ctx) => {
  const row = await loadAsset(ctx.db, ctx.practiceId, input.id);
  return (await views(ctx.db, ctx.practiceId, [row]))[0]!;
};

export const updateAssetHandler: Handler<typeof updateAsset> = async (input, ctx) => {
  const { id, ...changes } = input;
  await loadAsset(ctx.db, ctx.practiceId, id);
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (changes.serialNumber) {
    const [other] = await ctx.db
      .select({ id: assets.id })
      .from(assets)
      .where(tenantWhere(assets.practiceId, ctx.practiceId, eq(assets.serialNumber, changes.serialNumber), sql`${assets.id} <> ${id}`));
    if (other) throw serialTaken(changes.serialNumber);
  }
  let row: AssetRow | undefined;
  try {
    row = await ctx.transaction(async (tx) => {
      const now = ctx.clock.now();
      // The status before, held until commit: two updates racing announce one change between them.
      const [before] = await tx.db.select({ status: assets.status }).from(assets).where(and(eq(assets.practiceId, ctx.practiceId), eq(assets.id, id))).for('update');
      const [updated] = await tx.db
        .update(assets)
        .set({ ...defined, updatedAt: now })
        .where(and(eq(assets.practiceId, ctx.practiceId), eq(assets.id, id)))
        .returning();
      // Entering or leaving the register is what finance counts seats by.
      const change = before && updated && inRegister(before.status) !== inRegister(updated.status) ? (inRegister(updated.status) ? assetRegistered : assetRetired) : null;
      if (change) await tx.emit(change, { assetId: id, practiceId: ctx.practiceId, kind: updated!.type as Asset['type'], at: now.toISOString() }, { subject: id });
      return updated;
    });
  } catch (error) {
    // Two updates racing to the same serial number: the unique index decides.
    if (isUniqueViolation(error)) throw serialTaken(changes.serialNumber ?? '');
    throw error;
  }
  return (await views(ctx.db, ctx.practiceId, [row!]))[0]!;
};
