// Collection agencies, placements (JSON and the CSV the agency receives), recoveries and recalls.
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { createAgency, exportPlacements, listAgencies, listPlacements, placeAccount, recallPlacement, recordRecovery } from '@mso/contracts/collections';
import { localDate, type Handler, type HandlerContext } from '@mso/kit';
import { guarantors } from '../../db/accounts.js';
import { agencies, getAgency, placements } from '../../db/agencies.js';
import type { When } from '../../db/postings.js';
import { notFound } from '../../domain/problems.js';
import { placeWithAgency, recallFromAgency, recoverOnPlacement, toPlacement } from './place.js';

/** The practice's business date and the time, for a write. */
export async function whenOf(ctx: HandlerContext): Promise<When> {
  const agreement = await ctx.agreement;
  const now = ctx.clock.now();
  return { practiceId: ctx.practiceId, on: localDate(now, agreement.timeZone), now };
}

export const createAgencyHandler: Handler<typeof createAgency> = async (input, ctx) =>
  ctx.transaction(async (tx) => {
    const [row] = await tx.db
      .insert(agencies)
      .values({ id: randomUUID(), practiceId: ctx.practiceId, name: input.name, feeBasisPoints: input.feeBasisPoints ?? null, createdAt: ctx.clock.now() })
      .returning();
    return { ...row!, createdAt: row!.createdAt.toISOString() };
  });

export const listAgenciesHandler: Handler<typeof listAgencies> = async (_input, ctx) => {
  const rows = await ctx.db.select().from(agencies).where(eq(agencies.practiceId, ctx.practiceId)).orderBy(asc(agencies.name), asc(agencies.id));
  return { items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
};

export const placeAccountHandler: Handler<typeof placeAccount> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return toPlacement(await ctx.transaction((tx) => placeWithAgency(tx, when, { ...input, source: 'manual', by: ctx.principal.id })));
};

async function agencyPlacements(ctx: HandlerContext, agencyId: string, status: 'placed' | 'recalled' | undefined) {
  if (!(await getAgency(ctx.db, ctx.practiceId, agencyId))) throw notFound('agency');
  return ctx.db
    .select({ placement: placements, name: guarantors.name, address: guarantors.mailingAddress })
    .from(placements)
    .leftJoin(guarantors, and(eq(guarantors.practiceId, placements.practiceId), eq(guarantors.id, placements.guarantorId)))
    .where(and(eq(placements.practiceId, ctx.practiceId), eq(placements.agencyId, agencyId), status ? eq(placements.status, status) : undefined))
    .orderBy(asc(placements.placedOn), asc(placements.id));
}

export const listPlacementsHandler: Handler<typeof listPlacements> = async (input, ctx) => ({
  items: (await agencyPlacements(ctx, input.agencyId, input.status)).map((r) => toPlacement(r.placement)),
});

const csvCell = (v: string | number | null | undefined) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const dollars = (cents: number) => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

export const PLACEMENT_CSV_HEADER = [
  'placement_id',
  'account_id',
  'name',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'postal_code',
  'placed_on',
  'placed_amount',
  'recovered_amount',
  'status',
  'recalled_on',
];

export const exportPlacementsHandler: Handler<typeof exportPlacements> = async (input, ctx) => {
  const rows = await agencyPlacements(ctx, input.agencyId, input.status);
  const lines = [PLACEMENT_CSV_HEADER.join(',')];
  for (const { placement: p, name, address } of rows) {
    lines.push(
      [p.id, p.guarantorId, name, address?.line1, address?.line2, address?.city, address?.state, address?.postalCode, p.placedOn, dollars(p.placedCents), dollars(p.recoveredCents), p.status, p.recalledOn]
        .map(csvCell)
        .join(','),
    );
  }
  return { mediaType: 'text/csv', bytes: new TextEncoder().encode(`${lines.join('\r\n')}\r\n`) };
};

export const recordRecoveryHandler: Handler<typeof recordRecovery> = async (input, ctx) => {
  const when = await whenOf(ctx);
  const r = await ctx.transaction((tx) => recoverOnPlacement(tx, when, input));
  return { placement: toPlacement(r.placement), writeOffId: r.writeOffId, paymentId: r.paymentId };
};

export const recallPlacementHandler: Handler<typeof recallPlacement> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return toPlacement(await ctx.transaction((tx) => recallFromAgency(tx, when, input.id)));
};
