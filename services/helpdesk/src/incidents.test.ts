import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessIncident, createTicket, getHistory, getTicket, incidentDeadlineAtRisk, incidentDeadlineMissed, recordNotification, updateTicket, type Ticket } from '@mso/contracts/helpdesk';
import { testService, type TestService } from '@mso/testing';
import { helpdesk } from './service.js';

// HIPAA security incidents on the service alone (in-memory bus, PGlite). The clock only moves forward.
let t: TestService;
let practiceId: string;
const staff = () => ({ practiceId, role: 'mso-staff' as const });
const admin = () => ({ practiceId, role: 'practice-admin' as const });

beforeAll(async () => {
  t = await testService(helpdesk, { clock: '2026-03-02T15:00:00Z' });
  practiceId = await t.practice({ terms: { helpdesk: { timeZone: 'America/New_York', breachNoticeDays: 30 } } });
});
afterAll(async () => {
  await t?.close();
});

const lowRisk = { risk: 'low' } as const;
const deadlinesOf = (ticket: Ticket) => Object.fromEntries(ticket.securityIncident!.deadlines.map((d) => [d.recipient, d]));
const eventsFor = async <E extends typeof incidentDeadlineAtRisk | typeof incidentDeadlineMissed>(event: E, id: string) => (await t.events(event)).filter((e) => e.subject === id);

describe('a HIPAA security incident', () => {
  let id = '';

  it('opens as a presumed breach with notification deadlines from the discovery time', async () => {
    t.clock.set('2026-03-04T16:00:00Z');
    const ticket = await t.call(
      createTicket,
      { subject: 'Laptop with the day schedule stolen from a car', description: 'Reported by the office manager this morning.', priority: 'normal', category: 'security-incident', discoveredAt: '2026-03-03T22:00:00Z' },
      staff(),
    );
    id = ticket.id;
    expect(ticket.priority).toBe('high'); // a security incident is at least high
    expect(ticket.securityIncident).toMatchObject({ discoveredAt: '2026-03-03T22:00:00.000Z', reportableBreach: true, individualsAffected: null, riskAssessment: null });
    expect(ticket.securityIncident!.determination).toMatch(/presumed/);
    const d = deadlinesOf(ticket);
    expect(Object.keys(d).sort()).toEqual(['hhs', 'individuals', 'practice']);
    expect(d.practice!.dueAt).toBe('2026-04-02T22:00:00.000Z'); // 30 days, as the agreement says
    expect(d.individuals!.dueAt).toBe('2026-05-02T22:00:00.000Z'); // 60 days
    expect(d.hhs!.dueAt).toBe('2026-05-02T22:00:00.000Z'); // count unknown: the 500+ rule
  });

  it('records the four-factor assessment; a small breach is logged for HHS after the year end', async () => {
    const assessed = await t.call(
      assessIncident,
      {
        id,
        individualsAffected: 120,
        riskAssessment: {
          natureAndExtent: { risk: 'medium', notes: 'Names, appointment times, no SSNs' },
          unauthorizedRecipient: { risk: 'high', notes: 'Unknown thief' },
          acquiredOrViewed: { risk: 'medium' },
          mitigation: { risk: 'low', notes: 'Remote wipe requested' },
        },
      },
      staff(),
    );
    expect(assessed.securityIncident).toMatchObject({ reportableBreach: true, individualsAffected: 120 });
    expect(assessed.securityIncident!.determination).toContain('unauthorized recipient: high');
    const d = deadlinesOf(assessed);
    expect(Object.keys(d).sort()).toEqual(['hhs', 'individuals', 'practice']);
    expect(d.hhs!.dueAt).toBe('2027-03-02T05:00:00.000Z'); // end of 1 March 2027, New York
  });

  it('adds HHS and media deadlines at 500 or more individuals', async () => {
    const more = await t.call(assessIncident, { id, individualsAffected: 650 }, staff());
    const d = deadlinesOf(more);
    expect(Object.keys(d).sort()).toEqual(['hhs', 'individuals', 'media', 'practice']);
    expect(d.hhs!.dueAt).toBe('2026-05-02T22:00:00.000Z');
    expect(d.media!.dueAt).toBe('2026-05-02T22:00:00.000Z');
    const history = (await t.call(getHistory, { id }, staff())).items;
    expect(history.filter((e) => e.action === 'incident-assessed').at(-1)!.changes).toMatchObject({ individualsAffected: [120, 650] });
  });

  it('records notices once each', async () => {
    t.clock.set('2026-03-10T15:00:00Z');
    const notified = await t.call(recordNotification, { id, recipient: 'practice' }, staff());
    expect(deadlinesOf(notified).practice).toMatchObject({ notifiedAt: '2026-03-10T15:00:00.000Z', missed: false });
    await expect(t.call(recordNotification, { id, recipient: 'practice' }, staff())).rejects.toMatchObject({ status: 409 });
    await expect(t.call(recordNotification, { id, recipient: 'hhs', notifiedAt: '2026-04-01T00:00:00Z' }, staff())).rejects.toMatchObject({ status: 422 });
  });

  it('warns ten days before each open deadline and announces the ones missed, once', async () => {
    t.clock.set('2026-04-23T00:00:00Z'); // 9 days 22 hours before 2 May 22:00
    await t.runJob('incident-deadlines');
    const warnings = await eventsFor(incidentDeadlineAtRisk, id);
    expect(warnings.map((e) => e.data.recipient).sort()).toEqual(['hhs', 'individuals', 'media']);
    expect(warnings[0]!.data).toMatchObject({ daysLeft: 9, individualsAffected: 650 });

    await t.call(recordNotification, { id, recipient: 'individuals' }, staff());
    t.clock.set('2026-05-02T22:01:00Z');
    await t.runJob('incident-deadlines');
    expect((await eventsFor(incidentDeadlineMissed, id)).map((e) => e.data.recipient).sort()).toEqual(['hhs', 'media']);
    const d = deadlinesOf(await t.call(getTicket, { id }, staff()));
    expect(d.hhs!.missed).toBe(true);
    expect(d.individuals!.missed).toBe(false);

    t.clock.set('2026-05-03T12:00:00Z');
    await t.runJob('incident-deadlines');
    expect(await eventsFor(incidentDeadlineMissed, id)).toHaveLength(2);
    const actions = (await t.call(getHistory, { id }, staff())).items.map((e) => e.action);
    expect(actions.filter((a) => a === 'incident-deadline-missed')).toHaveLength(2);
  });

  it('drops notices that no longer apply when the PHI turns out to have been encrypted, keeping those sent', async () => {
    const encrypted = await t.call(assessIncident, { id, phiEncrypted: true }, staff());
    expect(encrypted.securityIncident).toMatchObject({ reportableBreach: false, phiEncrypted: true });
    expect(Object.keys(deadlinesOf(encrypted)).sort()).toEqual(['individuals', 'practice']);
  });
});

describe('incident rules', () => {
  it('treats a low probability of compromise on all four factors as not reportable', async () => {
    const ticket = await t.call(createTicket, { subject: 'Fax sent to the wrong clinic', description: 'One page, returned unread.', priority: 'high', category: 'security-incident' }, admin());
    const assessed = await t.call(
      assessIncident,
      { id: ticket.id, individualsAffected: 1, riskAssessment: { natureAndExtent: lowRisk, unauthorizedRecipient: lowRisk, acquiredOrViewed: lowRisk, mitigation: lowRisk } },
      admin(),
    );
    expect(assessed.securityIncident!.reportableBreach).toBe(false);
    expect(assessed.securityIncident!.deadlines.map((d) => d.recipient)).toEqual(['practice']);
    await expect(t.call(recordNotification, { id: ticket.id, recipient: 'media' }, admin())).rejects.toMatchObject({ status: 422 });
  });

  it('keeps security incidents apart from other tickets', async () => {
    const printer = await t.call(createTicket, { subject: 'Printer', description: 'Jammed', priority: 'low', category: 'hardware' }, admin());
    await expect(t.call(assessIncident, { id: printer.id, individualsAffected: 3 }, staff())).rejects.toMatchObject({ status: 409 });
    await expect(t.call(createTicket, { subject: 'x', description: 'y', priority: 'low', category: 'hardware', discoveredAt: '2026-01-01T00:00:00Z' }, admin())).rejects.toMatchObject({ status: 422 });
    // Re-categorised as an incident: the HIPAA record starts then.
    const recategorised = await t.call(updateTicket, { id: printer.id, category: 'security-incident' }, staff());
    expect(recategorised).toMatchObject({ category: 'security-incident', priority: 'high', securityIncident: { reportableBreach: true } });
    await expect(t.call(updateTicket, { id: printer.id, category: 'hardware' }, staff())).rejects.toMatchObject({ status: 409 });
    await expect(t.call(assessIncident, { id: printer.id, individualsAffected: 2 }, { practiceId, role: 'practice-user' })).rejects.toMatchObject({ status: 403 });
  });
});
