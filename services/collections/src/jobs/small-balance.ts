// Small balances: a guarantor whose whole open balance is below the practice's threshold has it
// written off (reason small-balance), unless on hold or in a current payment plan. Nightly per
// practice; also callable at statement time.
import { and, eq } from 'drizzle-orm';
import { localDate, type JobContext, type TransactionContext } from '@mso/kit';
import { guarantors, listGuarantorsWithBalance } from '../db/accounts.js';
import { postWriteOff, type When } from '../db/postings.js';
import { isPlanCurrent } from '../db/plans.js';
import { getSettings } from '../db/write-offs.js';

/** Writes off each guarantor's open balance below the threshold (none when the threshold is 0). */
export async function writeOffSmallBalances(tx: TransactionContext, when: When): Promise<number> {
  const { smallBalanceThresholdCents } = await getSettings(tx.db, when.practiceId);
  if (smallBalanceThresholdCents <= 0) return 0;
  const candidates = (await listGuarantorsWithBalance(tx.db, when.practiceId, 0)).filter((g) => g.balanceCents < smallBalanceThresholdCents);
  let count = 0;
  for (const c of candidates) {
    // Accounts on hold are left to the office.
    const [g] = await tx.db.select({ hold: guarantors.hold }).from(guarantors).where(and(eq(guarantors.practiceId, when.practiceId), eq(guarantors.id, c.guarantorId)));
    if (g?.hold || (await isPlanCurrent(tx.db, when.practiceId, c.guarantorId))) continue;
    if (await postWriteOff(tx, when, { guarantorId: c.guarantorId, amountCents: 'all', reason: 'small-balance' })) count += 1;
  }
  return count;
}

export async function smallBalanceJob(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  const agreement = await ctx.agreements.get(practiceId);
  const on = localDate(ctx.tick, agreement?.timeZone ?? 'UTC');
  const count = await ctx.transaction((tx) => writeOffSmallBalances(tx, { practiceId, on, now: ctx.clock.now() }));
  if (count) ctx.log.info({ event: 'collections.small-balances-written-off', practiceId, count }, 'small balances written off');
}
