// What HR tells finance for the fees: each practice's employments (per-employee fees count those
// active in the month) and the MSO staff cost each payroll run allocates to a practice (the shared
// staff cost of cost-plus fees and of a joint venture's profit). The ledger entries of a payroll run are
// a row of the posting table (ledger/mapping.ts).
import { sql } from 'drizzle-orm';
import { employeeHired, employeeTerminated, payrollPosted } from '@mso/contracts/hr';
import { consume, type ConsumerContext, type Db } from '@mso/kit';
import { feeEmployments, feeStaffCosts } from '../../db/schema.js';

/** Writes a practice's rows: in the event's own scope when it is that practice's, else on the recorded MSO-wide path. */
async function forPractice(ctx: ConsumerContext, practiceId: string | null, write: (db: Db) => Promise<unknown>): Promise<void> {
  if (practiceId !== null && ctx.tenant === practiceId) return void (await write(ctx.db));
  await ctx.acrossPractices('finance.hr-fee-basis', (all) => all.transaction((tx) => write(tx.db)));
}

/** A hire or a termination: either may arrive first, or again; each sets its own date. */
const employment = (change: 'hired' | 'terminated') => async (event: { data: { employeeId: string; practiceId: string; startDate?: string; lastDay?: string } }, ctx: ConsumerContext) => {
  const { employeeId, practiceId } = event.data;
  const startDate = change === 'hired' ? event.data.startDate! : null;
  const lastDay = change === 'terminated' ? event.data.lastDay! : null;
  await forPractice(ctx, practiceId, (db) =>
    db
      .insert(feeEmployments)
      .values({ employmentId: employeeId, practiceId, startDate, lastDay, updatedAt: ctx.clock.now() })
      .onConflictDoUpdate({
        target: feeEmployments.employmentId,
        set: change === 'hired' ? { startDate: sql`excluded.start_date`, updatedAt: sql`excluded.updated_at` } : { lastDay: sql`excluded.last_day`, updatedAt: sql`excluded.updated_at` },
      }),
  );
};

/** A payroll run's allocations of MSO staff cost, once per run and practice, in the month its period ends. */
async function staffCosts(event: { data: { runId: string; employer: string; periodEnd: string; allocations: { practiceId: string; costCents: number }[] } }, ctx: ConsumerContext) {
  const { runId, employer, periodEnd, allocations } = event.data;
  const rows = allocations.filter((a) => a.costCents !== 0);
  if (rows.length === 0) return;
  const values = rows.map((a) => ({ runId, practiceId: a.practiceId, employer, periodEnd, period: periodEnd.slice(0, 7), costCents: a.costCents, createdAt: ctx.clock.now() }));
  const only = new Set(rows.map((a) => a.practiceId));
  await forPractice(ctx, only.size === 1 ? rows[0]!.practiceId : null, (db) => db.insert(feeStaffCosts).values(values).onConflictDoNothing());
}

export const staffConsumers = [consume(employeeHired, employment('hired')), consume(employeeTerminated, employment('terminated')), consume(payrollPosted, staffCosts)];
