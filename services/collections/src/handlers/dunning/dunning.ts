// The practice's dunning policy, where an account stands in it, and the accounts per step.
import { and, eq, sql } from 'drizzle-orm';
import { dunningSteps, type dunningStepsReport, type getDunningPolicy, type getDunningState, type putDunningPolicy } from '@mso/contracts/collections';
import type { Handler } from '@mso/kit';
import { balanceItems } from '../../db/accounts.js';
import { getAgency } from '../../db/agencies.js';
import { dunningPolicies, dunningPositions, getPolicyRow, getPosition } from '../../db/dunning.js';
import { policyOf } from '../../domain/dunning.js';
import { notFound, unprocessable } from '../../domain/problems.js';

export const putDunningPolicyHandler: Handler<typeof putDunningPolicy> = async (input, ctx) =>
  ctx.transaction(async (tx) => {
    if (input.agencyId && !(await getAgency(tx.db, ctx.practiceId, input.agencyId))) throw unprocessable([{ path: '/agencyId', message: 'no such agency' }]);
    const now = ctx.clock.now();
    await tx.db
      .insert(dunningPolicies)
      .values({ practiceId: ctx.practiceId, policy: input, updatedAt: now })
      .onConflictDoUpdate({ target: dunningPolicies.practiceId, set: { policy: input, updatedAt: now } });
    return { ...input, source: 'practice' as const };
  });

export const getDunningPolicyHandler: Handler<typeof getDunningPolicy> = async (_input, ctx) => {
  const agreement = await ctx.agreement;
  return policyOf(await getPolicyRow(ctx.db, ctx.practiceId), agreement.terms.collections?.dunning);
};

export const getDunningStateHandler: Handler<typeof getDunningState> = async (input, ctx) => {
  const p = await getPosition(ctx.db, ctx.practiceId, input.guarantorId);
  if (!p) throw notFound('account in the dunning sequence');
  return { guarantorId: p.guarantorId, step: p.step, stepOn: p.stepOn, nextStepOn: p.nextStepOn, pausedUntil: p.pausedUntil };
};

export const dunningStepsReportHandler: Handler<typeof dunningStepsReport> = async (_input, ctx) => {
  const open = sql<string>`coalesce(sum(greatest(0, ${balanceItems.responsibilityCents} - ${balanceItems.paidCents} - ${balanceItems.writtenOffCents})), 0)`;
  const rows = await ctx.db
    .select({ step: dunningPositions.step, accounts: sql<number>`count(distinct ${dunningPositions.guarantorId})::int`, balance: open })
    .from(dunningPositions)
    .leftJoin(balanceItems, and(eq(balanceItems.practiceId, dunningPositions.practiceId), eq(balanceItems.guarantorId, dunningPositions.guarantorId)))
    .where(eq(dunningPositions.practiceId, ctx.practiceId))
    .groupBy(dunningPositions.step);
  const byStep = new Map(rows.map((r) => [r.step, r]));
  return { rows: dunningSteps.map((step) => ({ step, accounts: byStep.get(step)?.accounts ?? 0, balanceCents: Number(byStep.get(step)?.balance ?? 0) })) };
};
