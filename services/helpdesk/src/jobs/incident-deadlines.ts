import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { incidentDeadlineAtRisk, incidentDeadlineMissed, type BreachRecipient } from '@mso/contracts/helpdesk';
import { stableId, type AcrossPractices, type JobContext } from '@mso/kit';
import { daysLeft, deadlineCheckAt } from '../domain/hipaa.js';
import { incidentDeadlines, incidents, tickets } from '../db/schema.js';
import { recordHistory } from '../db/tickets.js';

const BATCH = 100;
const SYSTEM = { id: 'system:incident-deadlines', role: 'system' };

/**
 * HIPAA notification deadlines of security incidents: warns ahead of each deadline and announces a
 * missed one, once each (same guarantees as the SLA check).
 */
export function checkIncidentDeadlines(ctx: JobContext): Promise<void> {
  return ctx.acrossPractices('incident-deadlines: HIPAA notification deadlines of every practice', (all) => checkAllPractices(ctx, all));
}

async function checkAllPractices(ctx: JobContext, all: AcrossPractices): Promise<void> {
  const now = ctx.clock.now();
  for (let batch = 0; batch < 100; batch++) {
    const claimed = await all.transaction(async (tx) => {
      const deadlines = await tx.db
        .select()
        .from(incidentDeadlines)
        .where(lte(incidentDeadlines.checkAt, now))
        .orderBy(asc(incidentDeadlines.checkAt))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      const ids = [...new Set(deadlines.map((d) => d.ticketId))];
      const facts = ids.length
        ? await tx.db
            .select({ ticketId: incidents.ticketId, number: tickets.number, individualsAffected: incidents.individualsAffected })
            .from(incidents)
            .innerJoin(tickets, eq(tickets.id, incidents.ticketId))
            .where(inArray(incidents.ticketId, ids))
        : [];
      for (const d of deadlines) {
        const { number, individualsAffected } = facts.find((f) => f.ticketId === d.ticketId)!;
        const data = {
          ticketId: d.ticketId,
          practiceId: d.practiceId,
          number,
          recipient: d.recipient as BreachRecipient,
          dueAt: d.dueAt.toISOString(),
          individualsAffected,
        };
        const options = (kind: string) => ({ subject: d.ticketId, practiceId: d.practiceId, id: stableId(d.ticketId, d.recipient, kind, data.dueAt) });
        const ticket = { practiceId: d.practiceId, id: d.ticketId };
        let next = d;
        if (now > d.dueAt) {
          await tx.emit(incidentDeadlineMissed, data, options('missed'));
          await recordHistory(tx.db, ticket, now, SYSTEM, 'incident-deadline-missed', { recipient: d.recipient, dueAt: data.dueAt });
          next = { ...d, missedAt: now, warnedAt: d.warnedAt ?? now };
        } else if (!d.warnedAt && now >= d.warnAt) {
          const left = daysLeft(d.dueAt, now);
          await tx.emit(incidentDeadlineAtRisk, { ...data, daysLeft: left }, options('at-risk'));
          await recordHistory(tx.db, ticket, now, SYSTEM, 'incident-deadline-at-risk', { recipient: d.recipient, dueAt: data.dueAt, daysLeft: left });
          next = { ...d, warnedAt: now };
        }
        await tx.db
          .update(incidentDeadlines)
          .set({ warnedAt: next.warnedAt, missedAt: next.missedAt, checkAt: deadlineCheckAt(next) })
          .where(and(eq(incidentDeadlines.ticketId, d.ticketId), eq(incidentDeadlines.recipient, d.recipient)));
      }
      return deadlines.length;
    });
    if (claimed < BATCH) return;
  }
}
