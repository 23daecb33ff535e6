// Monthly, on the 1st in the employer's zone: each employment earns its policies' hours for the
// month that just ended, and the January run then forfeits what is above each carry-over cap.
// Practices run per practice in their own zone; the MSO's employments run once in the default zone.
// The entry key (employment, leave type, kind, period) makes each accrual and forfeit happen once,
// whichever copy runs, however often (the scheduler runs a fire in one copy; the key covers retries
// and manual runs too).
import { and, eq, gte, isNull, lte, or, type Column } from 'drizzle-orm';
import { localDate, type JobContext } from '@mso/kit';
import { accrualFor, carryOverForfeit, firstDayOf, lastDayOf, monthAccrues, monthBefore } from '../domain/pto.js';
import { employments, ptoPolicies } from '../db/schema.js';
import { balancesOf, insertEntry } from '../handlers/pto/ledger.js';
import { DEFAULT_TIME_ZONE } from './credential-expiry.js';

/** 00:30 on the 1st of each month. */
export const PTO_ACCRUAL_CRON = '30 0 1 * *';

export async function accruePto(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant ?? null;
  const zone = practiceId ? ((await ctx.agreements.get(practiceId))?.timeZone ?? DEFAULT_TIME_ZONE) : DEFAULT_TIME_ZONE;
  const month = monthBefore(localDate(ctx.tick, zone));
  const ofPractice = (column: Column) => (practiceId ? eq(column, practiceId) : isNull(column));
  await ctx.transaction(async (tx) => {
    const policies = await tx.db.select().from(ptoPolicies).where(and(ofPractice(ptoPolicies.practiceId), eq(ptoPolicies.active, true)));
    if (policies.length === 0) return;
    // Employed at some time in the month; the rows are locked against a request decided meanwhile.
    const staff = await tx.db
      .select({ id: employments.id, startDate: employments.startDate, endDate: employments.endDate })
      .from(employments)
      .where(and(ofPractice(employments.practiceId), lte(employments.startDate, lastDayOf(month)), or(isNull(employments.endDate), gte(employments.endDate, firstDayOf(month)))))
      .orderBy(employments.id)
      .for('update');
    const balances = await balancesOf(tx.db, staff.map((s) => s.id));
    const now = ctx.clock.now();
    const yearEnd = month.endsWith('-12');
    for (const employment of staff) {
      for (const policy of policies) {
        const key = `${employment.id} ${policy.leaveType}`;
        let balance = balances.get(key) ?? 0;
        const entry = { practiceId, employmentId: employment.id, leaveType: policy.leaveType };
        if (monthAccrues(employment, policy, month)) {
          const hundredths = accrualFor(balance, policy);
          const capped = hundredths < policy.accrualHundredths;
          const added = await insertEntry(tx.db, { ...entry, kind: 'accrual', hundredths, entryDate: lastDayOf(month), period: month, reason: capped ? 'at the maximum balance' : null }, now);
          if (added) balance += hundredths;
        }
        if (!yearEnd) continue;
        const forfeit = carryOverForfeit(balance, policy);
        if (forfeit === 0) continue;
        const year = Number(month.slice(0, 4));
        await insertEntry(tx.db, { ...entry, kind: 'carry-over-forfeit', hundredths: -forfeit, entryDate: `${year + 1}-01-01`, period: String(year), reason: 'above the carry-over cap' }, now);
      }
    }
  });
}
