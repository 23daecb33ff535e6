import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Static } from 'typebox';
import { ProblemError } from '@mso/contracts';
import * as contract from '@mso/contracts/collections';
import { handle, type Handler } from '@mso/kit';
import { notFound, unprocessable } from '../../domain/problems.js';
import { appendHistory, listOpenItems, lockGuarantor, openBalance } from '../../db/accounts.js';
import { postWriteOff } from '../../db/postings.js';
import { getWriteOff, writeOffs, type WriteOff } from '../../db/write-offs.js';
import { iso, whenOf } from '../common.js';

const toWriteOff = (w: WriteOff): Static<typeof contract.WriteOff> => ({
  id: w.id,
  guarantorId: w.guarantorId,
  claimId: w.claimId,
  amountCents: w.amountCents,
  reason: w.reason,
  status: w.status,
  applications: w.applications,
  on: w.on,
  createdAt: iso(w.createdAt),
  updatedAt: iso(w.updatedAt),
});

/** A hardship write-off waits for a practice admin's approval; nothing is written off until then. */
const requestWriteOffHandler: Handler<typeof contract.requestWriteOff> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const g = await lockGuarantor(tx.db, ctx.practiceId, input.guarantorId);
    if (!g) throw notFound('guarantor');
    const items = (await listOpenItems(tx.db, ctx.practiceId, g.id)).filter((i) => !input.claimId || i.claimId === input.claimId);
    const open = openBalance(items);
    if (input.amountCents > open) throw unprocessable([{ path: '/amountCents', message: `is more than the open balance (${open} cents)` }]);
    const id = randomUUID();
    const [row] = await tx.db
      .insert(writeOffs)
      .values({ id, practiceId: ctx.practiceId, guarantorId: g.id, claimId: input.claimId ?? null, amountCents: input.amountCents, reason: 'hardship', status: 'requested', requestedBy: ctx.principal.id, on: when.on, createdAt: when.now, updatedAt: when.now })
      .returning();
    await appendHistory(tx.db, { id: randomUUID(), practiceId: ctx.practiceId, guarantorId: g.id, claimId: input.claimId ?? null, kind: 'write-off-requested', on: when.on, refId: id, detail: { reason: 'hardship', amountCents: input.amountCents }, createdAt: when.now });
    return toWriteOff(row!);
  });
};

async function requested(tx: { db: Parameters<typeof getWriteOff>[0] }, practiceId: string, id: string): Promise<WriteOff> {
  const [w] = await tx.db.select().from(writeOffs).where(and(eq(writeOffs.practiceId, practiceId), eq(writeOffs.id, id))).for('update');
  if (!w) throw notFound('write-off');
  if (w.status !== 'requested') throw new ProblemError('conflict', `the write-off is ${w.status} already`);
  return w;
}

const approveWriteOffHandler: Handler<typeof contract.approveWriteOff> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const w = await requested(tx, ctx.practiceId, input.id);
    const posted = await postWriteOff(tx, when, { id: w.id, guarantorId: w.guarantorId, claimId: w.claimId, amountCents: w.amountCents, reason: 'hardship', decidedBy: ctx.principal.id });
    if (!posted) throw unprocessable([{ path: '/id', message: 'the balance it was asked for is paid or written off already' }]);
    return toWriteOff(posted);
  });
};

const rejectWriteOffHandler: Handler<typeof contract.rejectWriteOff> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const w = await requested(tx, ctx.practiceId, input.id);
    const [row] = await tx.db.update(writeOffs).set({ status: 'rejected', decidedBy: ctx.principal.id, updatedAt: when.now }).where(eq(writeOffs.id, w.id)).returning();
    await appendHistory(tx.db, { id: randomUUID(), practiceId: ctx.practiceId, guarantorId: w.guarantorId, claimId: w.claimId, kind: 'write-off-rejected', on: when.on, refId: w.id, createdAt: when.now });
    return toWriteOff(row!);
  });
};

const getWriteOffHandler: Handler<typeof contract.getWriteOff> = async (input, ctx) => {
  const w = await getWriteOff(ctx.db, ctx.practiceId, input.id);
  if (!w) throw notFound('write-off');
  return toWriteOff(w);
};

export const writeOffHandlers = [
  handle(contract.requestWriteOff, requestWriteOffHandler),
  handle(contract.approveWriteOff, approveWriteOffHandler),
  handle(contract.rejectWriteOff, rejectWriteOffHandler),
  handle(contract.getWriteOff, getWriteOffHandler),
];
