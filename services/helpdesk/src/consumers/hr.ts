import { and, eq, sql } from 'drizzle-orm';
import type { employeeHired, employeeTerminated } from '@mso/contracts/hr';
import type { ConsumerContext, EventHandler } from '@mso/kit';
import { policyOfAgreement } from '../domain/policy.js';
import { assets } from '../db/schema.js';
import { openTicket, type OpenTicket } from '../handlers/tickets.js';

const HR = { id: 'system:hr', role: 'system', name: 'HR' };

async function open(ctx: ConsumerContext, practiceId: string, ticket: Omit<OpenTicket, 'practiceId' | 'requester' | 'category'>): Promise<void> {
  const agreement = await ctx.agreements.get(practiceId);
  if (!agreement?.services.includes('helpdesk')) {
    ctx.log.info({ practiceId, source: ticket.source }, 'practice has no helpdesk in its agreement: no ticket');
    return;
  }
  const row = await openTicket(ctx, policyOfAgreement(agreement), { ...ticket, practiceId, category: 'access', requester: HR }, ctx.clock.now());
  if (!row) ctx.log.info({ practiceId, source: ticket.source }, 'ticket for this employee exists already');
}

const list = (items: string[]) => (items.length ? items.map((s) => `- ${s}`).join('\n') : '- (none listed)');

/** A new hire: accounts and equipment to set up before the start date. */
export const onEmployeeHired: EventHandler<typeof employeeHired> = async (event, ctx) => {
  const e = event.data;
  await open(ctx, e.practiceId, {
    subject: `Onboarding: ${e.displayName} (${e.jobTitle}) starts ${e.startDate}`,
    description: `Set up accounts and equipment for a new employee before ${e.startDate}.\n\nSystems to grant access to:\n${list(e.systems)}\n\nHR employee id: ${e.employeeId}`,
    priority: 'normal',
    source: 'hr-onboarding',
    externalRef: `hr-onboarding:${e.employeeId}`,
  });
};

/** A termination: access removal is urgent; assets assigned to the person are listed for collection. */
export const onEmployeeTerminated: EventHandler<typeof employeeTerminated> = async (event, ctx) => {
  const e = event.data;
  const held = await ctx.db
    .select({ name: assets.name, serialNumber: assets.serialNumber })
    .from(assets)
    .where(and(eq(assets.practiceId, e.practiceId), eq(sql`lower(${assets.assignedTo})`, e.displayName.toLowerCase())));
  await open(ctx, e.practiceId, {
    subject: `Remove access: ${e.displayName}, last day ${e.lastDay}`,
    description:
      `Remove all access for a departing employee by the end of ${e.lastDay}.\n\nSystems to revoke:\n${list(e.systems)}\n\n` +
      `Assets to collect:\n${list(held.map((a) => (a.serialNumber ? `${a.name} (serial ${a.serialNumber})` : a.name)))}\n\nHR employee id: ${e.employeeId}`,
    priority: 'urgent',
    source: 'hr-offboarding',
    externalRef: `hr-offboarding:${e.employeeId}`,
  });
};
