import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addReply, assignTicket, createTicket, getHistory, getTicket, listTickets, slaAtRisk, slaBreached, ticketAssigned, type TicketPriority } from '@mso/contracts/helpdesk';
import { staffMemberChanged } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { helpdesk } from './service.js';

// The scheduled SLA check on the service alone (in-memory bus, PGlite). Two copies, and agreement
// changes from tenancy: sla.int.test.ts.
const calendar = { timeZone: 'America/Chicago', workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] } };
let t: TestService;
let chicago: string;
let reassigning: string;
let toLeaver: string;
const [itLead, pat, leaver] = [randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  t = await testService(helpdesk, { clock: '2026-05-01T15:00:00Z' });
  chicago = await t.practice({ terms: { helpdesk: { tier: 'standard', ...calendar, holidays: ['2026-05-25'] } } });
  reassigning = await t.practice({ terms: { helpdesk: { tier: 'standard', ...calendar, escalation: { raisePriority: false, reassignTo: itLead } } } });
  toLeaver = await t.practice({ terms: { helpdesk: { tier: 'standard', ...calendar, escalation: { raisePriority: false, reassignTo: leaver } } } });
  const person = (personId: string, displayName: string, endDate: string | null = null) =>
    t.deliver(staffMemberChanged, { personId, displayName, employments: [{ employmentId: randomUUID(), employer: 'mso', title: 'IT technician', department: 'IT', startDate: '2025-01-06', endDate }] });
  await person(itLead, 'Taylor Brooks');
  await person(pat, 'Pat Morgan');
  await person(leaver, 'Dana Cruz', '2026-05-29');
});
afterAll(async () => {
  await t?.close();
});

const as = (practiceId: string) => ({ practiceId, role: 'practice-admin' as const });
const staff = (practiceId: string) => ({ practiceId, role: 'mso-staff' as const });
const open = (practiceId: string, priority: TicketPriority, subject = 'Cannot log in to the EHR') =>
  t.call(createTicket, { subject, description: 'Password reset does not arrive.', priority, category: 'ehr' }, as(practiceId));
const eventsFor = async <E extends typeof slaAtRisk | typeof slaBreached | typeof ticketAssigned>(event: E, id: string) => (await t.events(event)).filter((e) => e.subject === id);

describe('the scheduled SLA check', () => {
  it('warns before a breach, announces the breach once and escalates the ticket, across a weekend and a holiday', async () => {
    t.clock.set('2026-05-22T21:00:00Z'); // Friday 16:00 CDT
    const { id, sla } = await open(chicago, 'high');
    // 2 business hours: 1 h Friday, then the weekend and Memorial Day, 1 h Tuesday.
    expect(sla.firstResponseDueAt).toBe('2026-05-26T14:00:00.000Z');

    t.clock.set('2026-05-25T16:00:00Z'); // the holiday
    await t.runJob('sla-check');
    expect(await eventsFor(slaAtRisk, id)).toHaveLength(0);

    t.clock.set('2026-05-26T13:40:00Z'); // Tuesday 08:40 CDT: 100 of 120 minutes used
    await t.runJob('sla-check');
    const atRisk = await eventsFor(slaAtRisk, id);
    expect(atRisk).toHaveLength(1);
    expect(atRisk[0]!.data).toMatchObject({ target: 'first-response', dueAt: '2026-05-26T14:00:00.000Z', remainingMinutes: 20, priority: 'high' });
    expect((await t.call(getTicket, { id }, as(chicago))).sla).toMatchObject({ firstResponseAtRisk: true, firstResponseBreached: false });

    t.clock.set('2026-05-26T14:00:00Z'); // due now: not breached yet
    await t.runJob('sla-check');
    expect((await t.call(getTicket, { id }, as(chicago))).sla.firstResponseBreached).toBe(false);

    t.clock.set('2026-05-26T14:01:00Z');
    await t.runJob('sla-check');
    const breaches = await eventsFor(slaBreached, id);
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatchObject({
      tenantid: chicago,
      data: { target: 'first-response', dueAt: '2026-05-26T14:00:00.000Z', priority: 'high', escalation: { priority: { from: 'high', to: 'urgent' }, assignee: { from: null, to: null } } },
    });
    expect(await t.call(getTicket, { id }, as(chicago))).toMatchObject({
      priority: 'urgent',
      sla: { firstResponseBreached: true, firstResponseAtRisk: false, escalations: 1, policy: { firstResponseMinutes: 120 } },
    });
    expect((await t.call(getHistory, { id }, staff(chicago))).items.map((e) => e.action)).toEqual(['created', 'sla-at-risk', 'sla-breached', 'escalated']);
    expect((await t.call(listTickets, { breached: true }, as(chicago))).items.map((ticket) => ticket.id)).toContain(id);

    // Later ticks announce nothing more for this target; a late answer stays breached.
    t.clock.set('2026-05-26T14:10:00Z');
    await t.runJob('sla-check');
    await t.call(addReply, { id, body: 'Reset link re-sent to the right address.' }, staff(chicago));
    expect((await t.call(getTicket, { id }, as(chicago))).sla).toMatchObject({ firstRespondedAt: '2026-05-26T14:10:00.000Z', firstResponseBreached: true });
    expect(await eventsFor(slaBreached, id)).toHaveLength(1);
  });

  it('reassigns instead when the policy says so, and breaches resolution too', async () => {
    t.clock.set('2026-06-01T14:00:00Z'); // Monday 09:00 CDT
    const { id, sla } = await open(reassigning, 'urgent');
    expect(sla).toMatchObject({ firstResponseDueAt: '2026-06-01T15:00:00.000Z', resolutionDueAt: '2026-06-01T22:00:00.000Z' });
    await t.call(assignTicket, { id, assignee: pat }, staff(reassigning));
    t.clock.set('2026-06-01T14:30:00Z');
    await t.call(addReply, { id, body: 'On it.' }, staff(reassigning));

    t.clock.set('2026-06-01T22:01:00Z'); // 17:01 CDT, resolution due at 17:00
    await t.runJob('sla-check');
    const breaches = await eventsFor(slaBreached, id);
    expect(breaches).toHaveLength(1);
    expect(breaches[0]!.data).toMatchObject({
      target: 'resolution',
      escalation: { priority: { from: 'urgent', to: 'urgent' }, assignee: { from: pat, to: itLead } },
    });
    expect(await t.call(getTicket, { id }, as(reassigning))).toMatchObject({ assignee: itLead, assigneeName: 'Taylor Brooks', sla: { firstResponseBreached: false, resolutionBreached: true } });
    expect(await eventsFor(ticketAssigned, id)).toHaveLength(1); // the manual assignment only
  });

  it('keeps the assignee when the person the policy names has left, and says why in the history', async () => {
    t.clock.set('2026-06-01T14:00:00Z');
    const { id } = await open(toLeaver, 'urgent');
    await t.call(assignTicket, { id, assignee: pat }, staff(toLeaver));
    t.clock.set('2026-06-01T15:01:00Z'); // first response due at 10:00 CDT
    await t.runJob('sla-check');
    const [breach] = await eventsFor(slaBreached, id);
    expect(breach!.data.escalation.assignee).toEqual({ from: pat, to: pat });
    expect(await t.call(getTicket, { id }, as(toLeaver))).toMatchObject({ assignee: pat });
    const entry = (await t.call(getHistory, { id }, staff(toLeaver))).items.find((e) => e.action === 'sla-breached');
    expect(entry!.changes).toMatchObject({ reassignRefused: 'reassignTo: no employment at the MSO or at this practice on 2026-06-01' });
  });
});
