import { and, eq, isNotNull } from 'drizzle-orm';
import type { agreementChanged, practiceCreated, Agreement } from '@mso/contracts/tenancy';
import type { ConsumerContext, EventHandler } from '@mso/kit';
import { policyFromTerms, slaCalendar } from '../domain/policy.js';
import { recalendar } from '../domain/sla.js';
import { saveAgreement } from '../db/practices.js';
import { tickets } from '../db/schema.js';
import { slaColumns, slaState } from '../db/tickets.js';

/**
 * Learns a practice's helpdesk terms from its agreement. When they change, the due times of running
 * SLA clocks move to the new calendar (targets of open tickets stay as they were set).
 */
async function learn(ctx: ConsumerContext, agreement: Agreement): Promise<void> {
  const saved = await saveAgreement(ctx.db, agreement, ctx.clock.now());
  if (!saved) return; // an older or repeated version
  const policy = policyFromTerms(saved.terms);
  if (policy.warnings.length) ctx.log.warn({ practiceId: saved.practiceId, warnings: policy.warnings }, 'helpdesk terms fell back to defaults');
  const running = await ctx.db
    .select()
    .from(tickets)
    .where(and(eq(tickets.practiceId, saved.practiceId), isNotNull(tickets.runningSince)))
    .for('update');
  for (const row of running) {
    const next = recalendar(slaState(row), slaCalendar(policy.calendar, row.slaBusinessHours), policy.atRiskPercent);
    await ctx.db.update(tickets).set(slaColumns(next)).where(and(eq(tickets.practiceId, row.practiceId), eq(tickets.id, row.id)));
  }
}

export const onPracticeCreated: EventHandler<typeof practiceCreated> = (event, ctx) => learn(ctx, event.data.practice.agreement);
export const onAgreementChanged: EventHandler<typeof agreementChanged> = (event, ctx) => learn(ctx, event.data.agreement);
