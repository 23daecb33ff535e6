import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { createPayer, getPayer, listPayers, Payer, updatePayer } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { payers } from '../../db/schema.js';
import { iso, isUniqueViolation, notFound, sent } from '../common.js';

type PayerRow = typeof payers.$inferSelect;

export const toPayer = (r: PayerRow): Payer => ({
  id: r.id,
  practiceId: r.practiceId,
  name: r.name,
  ediPayerId: r.ediPayerId,
  claimFilingIndicatorCode: r.claimFilingIndicatorCode as Payer['claimFilingIndicatorCode'],
  timelyFilingDays: r.timelyFilingDays,
  erasByTraceNumber: r.erasByTraceNumber,
  active: r.active,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

const payerIdTaken = (id: string) => new ProblemError('conflict', `a payer with payer id ${id} exists already in this practice`, [{ path: '/ediPayerId', message: 'already registered' }]);

export async function loadPayer(db: Db, practiceId: string, id: string): Promise<PayerRow> {
  const [row] = await db.select().from(payers).where(tenantWhere(payers.practiceId, practiceId, eq(payers.id, id)));
  if (!row) throw notFound('payer');
  return row;
}

export const createPayerHandler: Handler<typeof createPayer> = async (input, ctx) => {
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .insert(payers)
    .values({
      id: randomUUID(),
      practiceId: ctx.practiceId,
      name: input.name,
      ediPayerId: input.ediPayerId,
      claimFilingIndicatorCode: input.claimFilingIndicatorCode,
      timelyFilingDays: input.timelyFilingDays ?? null,
      erasByTraceNumber: input.erasByTraceNumber ?? false,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: [payers.practiceId, payers.ediPayerId] })
    .returning();
  if (!row) throw payerIdTaken(input.ediPayerId);
  return toPayer(row);
};

export const listPayersHandler: Handler<typeof listPayers> = async (input, ctx) => {
  const page = keysetPage(payers, input, 'asc');
  const rows = await ctx.db
    .select()
    .from(payers)
    .where(
      tenantWhere(
        payers.practiceId,
        ctx.practiceId,
        page.where,
        eqIfSet(payers.ediPayerId, input.ediPayerId),
        eqIfSet(payers.active, input.active),
        input.name ? sql`lower(${payers.name}) like ${`%${escapeLike(input.name.toLowerCase())}%`}` : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toPayer);
};

export const getPayerHandler: Handler<typeof getPayer> = async (input, ctx) => toPayer(await loadPayer(ctx.db, ctx.practiceId, input.id));

export const updatePayerHandler: Handler<typeof updatePayer> = async (input, ctx) => {
  const { id, ...changes } = input;
  await loadPayer(ctx.db, ctx.practiceId, id);
  try {
    const [row] = await ctx.db
      .update(payers)
      .set({ ...sent(changes), updatedAt: ctx.clock.now() })
      .where(and(eq(payers.practiceId, ctx.practiceId), eq(payers.id, id)))
      .returning();
    return toPayer(row!);
  } catch (error) {
    if (isUniqueViolation(error)) throw payerIdTaken(changes.ediPayerId ?? '');
    throw error;
  }
};

/** `%` and `_` in a user's search text match themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
