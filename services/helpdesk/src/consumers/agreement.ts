import { and, eq, isNotNull } from 'drizzle-orm';
import type { Agreement, ConsumerContext } from '@mso/kit';
import { policyOfAgreement, slaCalendar } from '../domain/policy.js';
import { recalendar } from '../domain/sla.js';
import { tickets } from '../db/schema.js';
import { slaColumns, slaState } from '../db/tickets.js';

const calendarInputs = (a: Agreement | null) => JSON.stringify([a?.terms.helpdesk ?? null, a?.timeZone ?? null]);

/**
 * Runs when the kit's agreement view records a new version (in the same transaction). When the
 * helpdesk terms or the practice's time zone changed, the due times of running SLA clocks move to the
 * new calendar (targets of open tickets stay as they were set).
 */
export async function onAgreementChange(previous: Agreement | null, next: Agreement, ctx: ConsumerContext): Promise<void> {
  if (calendarInputs(previous) === calendarInputs(next)) return;
  const policy = policyOfAgreement(next);
  if (policy.warnings.length) ctx.log.warn({ practiceId: next.practiceId, warnings: policy.warnings }, 'helpdesk terms fell back to defaults');
  const running = await ctx.db
    .select()
    .from(tickets)
    .where(and(eq(tickets.practiceId, next.practiceId), isNotNull(tickets.runningSince)))
    .for('update');
  for (const row of running) {
    const moved = recalendar(slaState(row), slaCalendar(policy.calendar, row.slaBusinessHours), policy.atRiskPercent);
    await ctx.db.update(tickets).set(slaColumns(moved)).where(and(eq(tickets.practiceId, row.practiceId), eq(tickets.id, row.id)));
  }
}
