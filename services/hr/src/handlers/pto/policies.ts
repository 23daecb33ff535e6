import { asc, eq } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { createPtoPolicy, listPtoPolicies, updatePtoPolicy } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { checkPolicy, toHundredths } from '../../domain/pto.js';
import { notFound } from '../../domain/problems.js';
import { ptoPolicies } from '../../db/schema.js';
import { checkEmployer, checkEmployerFirst, employerOf, practiceOfEmployer, withCaller } from '../access.js';
import { ofEmployer, policyView, visible } from './ledger.js';

const hundredthsOrNull = (hours: number | null | undefined) => (hours === null || hours === undefined ? null : toHundredths(hours));

export async function createPolicyHandler(input: InputOf<typeof createPtoPolicy>, ctx: HandlerContext): Promise<OutputOf<typeof createPtoPolicy>> {
  await checkEmployerFirst(ctx, input.employer);
  return withCaller(ctx, 'hr.pto-policy-create', async (tx, caller) => {
    const practiceId = await checkEmployer(ctx, caller, input.employer);
    const rules = { carryOverCapHundredths: hundredthsOrNull(input.carryOverCapHours), maxBalanceHundredths: hundredthsOrNull(input.maxBalanceHours) };
    checkPolicy(rules);
    const now = ctx.clock.now();
    const [row] = await tx.db
      .insert(ptoPolicies)
      .values({
        id: crypto.randomUUID(),
        practiceId,
        employer: employerOf(practiceId),
        leaveType: input.leaveType,
        name: input.name,
        accrualHundredths: toHundredths(input.accrualHoursPerMonth),
        waitingMonths: input.waitingMonths ?? 0,
        waitingDays: input.waitingDays ?? 0,
        ...rules,
        allowNegative: input.allowNegative ?? false,
        active: true,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ProblemError('conflict', 'the employer has a policy for this leave type', [{ path: '/leaveType', message: 'has a policy at this employer: change that one' }]);
    return policyView(row);
  });
}

export async function updatePolicyHandler(input: InputOf<typeof updatePtoPolicy>, ctx: HandlerContext): Promise<OutputOf<typeof updatePtoPolicy>> {
  return withCaller(ctx, 'hr.pto-policy-update', async (tx, caller) => {
    const [row] = await tx.db.select().from(ptoPolicies).where(visible(caller, ptoPolicies.practiceId, eq(ptoPolicies.id, input.id))).for('update').limit(1);
    if (!row) throw notFound('policy');
    const rules = {
      carryOverCapHundredths: input.carryOverCapHours === undefined ? row.carryOverCapHundredths : hundredthsOrNull(input.carryOverCapHours),
      maxBalanceHundredths: input.maxBalanceHours === undefined ? row.maxBalanceHundredths : hundredthsOrNull(input.maxBalanceHours),
    };
    checkPolicy(rules);
    const [updated] = await tx.db
      .update(ptoPolicies)
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.accrualHoursPerMonth !== undefined ? { accrualHundredths: toHundredths(input.accrualHoursPerMonth) } : {}),
        ...(input.waitingMonths !== undefined ? { waitingMonths: input.waitingMonths } : {}),
        ...(input.waitingDays !== undefined ? { waitingDays: input.waitingDays } : {}),
        ...(input.allowNegative !== undefined ? { allowNegative: input.allowNegative } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        ...rules,
        updatedAt: ctx.clock.now(),
      })
      .where(eq(ptoPolicies.id, row.id))
      .returning();
    return policyView(updated!);
  });
}

export async function listPoliciesHandler(input: InputOf<typeof listPtoPolicies>, ctx: HandlerContext): Promise<OutputOf<typeof listPtoPolicies>> {
  return withCaller(ctx, 'hr.pto-policy-list', async (tx, caller) => {
    if (caller.practiceId && input.employer && practiceOfEmployer(input.employer) !== caller.practiceId) throw notFound('employer');
    const rows = await tx.db
      .select()
      .from(ptoPolicies)
      .where(visible(caller, ptoPolicies.practiceId, input.employer ? ofEmployer(ptoPolicies.practiceId, input.employer) : undefined))
      .orderBy(asc(ptoPolicies.employer), asc(ptoPolicies.leaveType));
    return { items: rows.map(policyView) };
  });
}
