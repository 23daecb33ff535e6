import { asc, eq, gte, isNull, or } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { adjustPtoBalance, getPtoBalance, ptoBalanceReport } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { checkCovered, toHours, toHundredths } from '../../domain/pto.js';
import { invalid, notFound } from '../../domain/problems.js';
import { employments, people, ptoPolicies } from '../../db/schema.js';
import { employerOrder, employerOf, practiceOfEmployer, withCaller } from '../access.js';
import { balanceOf, balancesOf, balanceView, findEmployment, insertEntry, ofEmployer, pendingByEmployment, policyFor, todayOf, visible } from './ledger.js';

export async function getBalanceHandler(input: InputOf<typeof getPtoBalance>, ctx: HandlerContext): Promise<OutputOf<typeof getPtoBalance>> {
  return withCaller(ctx, 'hr.pto-balance-get', async (tx, caller) => {
    const employment = await findEmployment(tx.db, caller, input.employmentId);
    const policy = await policyFor(tx.db, employment, input.leaveType);
    const view = await balanceView(tx.db, employment.id, input.leaveType);
    // A leave type the employer has no policy for and the employment no entries of does not exist.
    if (!policy && view.entries.length === 0) throw new ProblemError('not-found', 'no such leave type at the employer', [{ path: '/leaveType', message: 'has no policy at the employer' }]);
    return view;
  });
}

export async function adjustBalanceHandler(input: InputOf<typeof adjustPtoBalance>, ctx: HandlerContext): Promise<OutputOf<typeof adjustPtoBalance>> {
  return withCaller(ctx, 'hr.pto-balance-adjust', async (tx, caller) => {
    const hundredths = toHundredths(input.hours);
    if (hundredths === 0) throw invalid('/hours', 'must not be zero');
    const employment = await findEmployment(tx.db, caller, input.employmentId, true);
    const policy = await policyFor(tx.db, employment, input.leaveType);
    if (!policy) throw new ProblemError('unprocessable', 'the employer has no policy for this leave type', [{ path: '/leaveType', message: 'has no policy at the employer' }]);
    const balance = await balanceOf(tx.db, employment.id, input.leaveType);
    if (hundredths < 0) checkCovered(-hundredths, balance, policy.allowNegative);
    await insertEntry(
      tx.db,
      {
        practiceId: employment.practiceId,
        employmentId: employment.id,
        leaveType: input.leaveType,
        kind: 'adjustment',
        hundredths,
        entryDate: input.entryDate ?? (await todayOf(ctx, employment.practiceId)),
        reason: input.reason,
      },
      ctx.clock.now(),
    );
    return balanceView(tx.db, employment.id, input.leaveType);
  });
}

/** Every current employment (not ended before today) times its employer's leave types, grouped by employer. */
export async function balanceReportHandler(input: InputOf<typeof ptoBalanceReport>, ctx: HandlerContext): Promise<OutputOf<typeof ptoBalanceReport>> {
  return withCaller(ctx, 'hr.report-pto-balances', async (tx, caller) => {
    if (caller.practiceId && input.employer && practiceOfEmployer(input.employer) !== caller.practiceId) throw notFound('employer');
    const employer = input.employer ? ofEmployer(employments.practiceId, input.employer) : undefined;
    const policies = await tx.db
      .select({ employer: ptoPolicies.employer, leaveType: ptoPolicies.leaveType })
      .from(ptoPolicies)
      .where(visible(caller, ptoPolicies.practiceId, input.employer ? ofEmployer(ptoPolicies.practiceId, input.employer) : undefined, input.leaveType ? eq(ptoPolicies.leaveType, input.leaveType) : undefined))
      .orderBy(asc(ptoPolicies.leaveType));
    const today = await todayOf(ctx, caller.practiceId);
    const staff = await tx.db
      .select({ id: employments.id, practiceId: employments.practiceId, personId: employments.personId, title: employments.title, firstName: people.firstName, lastName: people.lastName })
      .from(employments)
      .innerJoin(people, eq(people.id, employments.personId))
      .where(visible(caller, employments.practiceId, employer, or(isNull(employments.endDate), gte(employments.endDate, today))))
      .orderBy(asc(employments.practiceId), asc(people.lastName), asc(people.firstName), asc(employments.id));
    const ids = staff.map((s) => s.id);
    const balances = await balancesOf(tx.db, ids);
    const pending = await pendingByEmployment(tx.db, ids);
    const groups = new Map<string, OutputOf<typeof ptoBalanceReport>['employers'][number]>();
    for (const s of staff) {
      const who = employerOf(s.practiceId);
      const group = groups.get(who) ?? { employer: who, rows: [], totals: [] };
      groups.set(who, group);
      for (const p of policies.filter((p) => p.employer === who)) {
        const key = `${s.id} ${p.leaveType}`;
        const [balance, waiting] = [balances.get(key) ?? 0, pending.get(key) ?? 0];
        group.rows.push({ employmentId: s.id, personId: s.personId, firstName: s.firstName, lastName: s.lastName, title: s.title, leaveType: p.leaveType, balanceHours: toHours(balance), pendingHours: toHours(waiting) });
        const total = group.totals.find((t) => t.leaveType === p.leaveType);
        // Totals are summed in hundredths, then shown in hours.
        if (total) Object.assign(total, { balanceHours: toHours(toHundredths(total.balanceHours) + balance), pendingHours: toHours(toHundredths(total.pendingHours) + waiting) });
        else group.totals.push({ leaveType: p.leaveType, balanceHours: toHours(balance), pendingHours: toHours(waiting) });
      }
    }
    const employers = [...groups.values()].sort(employerOrder);
    return { employers };
  });
}
