// Small balances: a guarantor whose whole open balance is below the practice's threshold has it
// written off (reason small-balance), unless on hold or in a current payment plan. Nightly per
// practice; also callable at statement time.
import { localDate, type JobContext, type TransactionContext } from '@mso/kit';
import { listGuarantorsWithBalance } from '../db/accounts.js';
import { postWriteOff, type When } from '../db/postings.js';
import { guarantorsWithCurrentPlan } from '../db/plans.js';
import { guarantorsByIds } from '../db/statements.js';
import { getSettings } from '../db/write-offs.js';

/** Writes off each guarantor's open balance below the threshold (none when the threshold is 0). */
export async function writeOffSmallBalances(tx: TransactionContext, when: When): Promise<number> {
  const { smallBalanceThresholdCents } = await getSettings(tx.db, when.practiceId);
  if (smallBalanceThresholdCents <= 0) return 0;
  const candidates = (await listGuarantorsWithBalance(tx.db, when.practiceId, 0)).filter((g) => g.balanceCents < smallBalanceThresholdCents);
  const ids = candidates.map((c) => c.guarantorId);
  const [people, inPlan] = await Promise.all([guarantorsByIds(tx.db, when.practiceId, ids), guarantorsWithCurrentPlan(tx.db, when.practiceId, ids)]);
  const onHold = new Set(people.filter((g) => g.hold).map((g) => g.id));
  let count = 0;
  for (const c of candidates) {
    // Accounts on hold are left to the office.
    if (onHold.has(c.guarantorId) || inPlan.has(c.guarantorId)) continue;
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
