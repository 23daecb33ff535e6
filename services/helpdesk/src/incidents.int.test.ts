import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpdeskPlatform, type Practice } from '../test/platform.js';

// The clock only moves forward in this file (job ticks are leased per tick).
let h: HelpdeskPlatform;
let practice: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-03-02T15:00:00Z');
  practice = await h.practice({ terms: { helpdesk: { timeZone: 'America/New_York', breachNoticeDays: 30 } } });
});
afterAll(async () => {
  await h?.close();
});

const lowRisk = { risk: 'low' };
const deadlinesOf = (t: { securityIncident: { deadlines: { recipient: string; dueAt: string; notifiedAt: string | null; missed: boolean }[] } }) =>
  Object.fromEntries(t.securityIncident.deadlines.map((d) => [d.recipient, d]));

describe('a HIPAA security incident', () => {
  let url = '';

  it('opens as a presumed breach with notification deadlines from the discovery time', async () => {
    h.clock.set('2026-03-04T16:00:00Z');
    const res = await h.staff(practice)('POST', '/v1/helpdesk/tickets', {
      subject: 'Laptop with the day schedule stolen from a car',
      description: 'Reported by the office manager this morning.',
      priority: 'normal',
      category: 'security-incident',
      discoveredAt: '2026-03-03T22:00:00Z',
    });
    expect(res.status).toBe(201);
    url = `/v1/helpdesk/tickets/${res.json.id}`;
    expect(res.json.priority).toBe('high'); // a security incident is at least high
    expect(res.json.securityIncident).toMatchObject({ discoveredAt: '2026-03-03T22:00:00.000Z', reportableBreach: true, individualsAffected: null, riskAssessment: null });
    expect(res.json.securityIncident.determination).toMatch(/presumed/);
    const d = deadlinesOf(res.json);
    expect(Object.keys(d).sort()).toEqual(['hhs', 'individuals', 'practice']);
    expect(d.practice!.dueAt).toBe('2026-04-02T22:00:00.000Z'); // 30 days, as the agreement says
    expect(d.individuals!.dueAt).toBe('2026-05-02T22:00:00.000Z'); // 60 days
    expect(d.hhs!.dueAt).toBe('2026-05-02T22:00:00.000Z'); // count unknown: the 500+ rule
  });

  it('records the four-factor assessment; a small breach is logged for HHS after the year end', async () => {
    const assessed = await h.staff(practice)('PUT', `${url}/security-incident`, {
      individualsAffected: 120,
      riskAssessment: {
        natureAndExtent: { risk: 'medium', notes: 'Names, appointment times, no SSNs' },
        unauthorizedRecipient: { risk: 'high', notes: 'Unknown thief' },
        acquiredOrViewed: { risk: 'medium' },
        mitigation: { risk: 'low', notes: 'Remote wipe requested' },
      },
    });
    expect(assessed.status).toBe(200);
    expect(assessed.json.securityIncident).toMatchObject({ reportableBreach: true, individualsAffected: 120 });
    expect(assessed.json.securityIncident.determination).toContain('unauthorized recipient: high');
    const d = deadlinesOf(assessed.json);
    expect(Object.keys(d).sort()).toEqual(['hhs', 'individuals', 'practice']);
    expect(d.hhs!.dueAt).toBe('2027-03-02T05:00:00.000Z'); // end of 1 March 2027, New York
  });

  it('adds HHS and media deadlines at 500 or more individuals', async () => {
    const more = await h.staff(practice)('PUT', `${url}/security-incident`, { individualsAffected: 650 });
    const d = deadlinesOf(more.json);
    expect(Object.keys(d).sort()).toEqual(['hhs', 'individuals', 'media', 'practice']);
    expect(d.hhs!.dueAt).toBe('2026-05-02T22:00:00.000Z');
    expect(d.media!.dueAt).toBe('2026-05-02T22:00:00.000Z');
    const history = (await h.staff(practice)('GET', `${url}/history`)).json.items;
    expect(history.filter((e: { action: string }) => e.action === 'incident-assessed').at(-1).changes).toMatchObject({ individualsAffected: [120, 650] });
  });

  it('records notices once each', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const notified = await h.staff(practice)('POST', `${url}/security-incident/notifications`, { recipient: 'practice' });
    expect(notified.status).toBe(200);
    expect(deadlinesOf(notified.json).practice).toMatchObject({ notifiedAt: '2026-03-10T15:00:00.000Z', missed: false });
    const again = await h.staff(practice)('POST', `${url}/security-incident/notifications`, { recipient: 'practice' });
    expect(again.status).toBe(409);
    const future = await h.staff(practice)('POST', `${url}/security-incident/notifications`, { recipient: 'hhs', notifiedAt: '2026-04-01T00:00:00Z' });
    expect(future.status).toBe(422);
  });

  it('warns ten days before each open deadline and announces the ones missed, once', async () => {
    h.clock.set('2026-04-23T00:00:00Z'); // 9 days 22 hours before 2 May 22:00
    await h.runJobs();
    const id = url.split('/').pop()!;
    await h.events.until((l) => l.of('helpdesk.incident.deadline-at-risk', id).length === 3, 'three deadline warnings');
    expect(h.events.of('helpdesk.incident.deadline-at-risk', id).map((e) => e.data.recipient).sort()).toEqual(['hhs', 'individuals', 'media']);
    expect(h.events.of('helpdesk.incident.deadline-at-risk', id)[0]!.data).toMatchObject({ daysLeft: 9, individualsAffected: 650 });

    await h.staff(practice)('POST', `${url}/security-incident/notifications`, { recipient: 'individuals' });
    h.clock.set('2026-05-02T22:01:00Z');
    await h.runJobs();
    await h.events.until((l) => l.of('helpdesk.incident.deadline-missed', id).length === 2, 'two missed deadlines');
    expect(h.events.of('helpdesk.incident.deadline-missed', id).map((e) => e.data.recipient).sort()).toEqual(['hhs', 'media']);
    const d = deadlinesOf((await h.staff(practice)('GET', url)).json);
    expect(d.hhs!.missed).toBe(true);
    expect(d.individuals!.missed).toBe(false);

    h.clock.set('2026-05-03T12:00:00Z');
    await h.runJobs();
    expect(h.events.of('helpdesk.incident.deadline-missed', id)).toHaveLength(2);
    const actions = (await h.staff(practice)('GET', `${url}/history`)).json.items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'incident-deadline-missed')).toHaveLength(2);
  });

  it('drops notices that no longer apply when the PHI turns out to have been encrypted, keeping those sent', async () => {
    const encrypted = await h.staff(practice)('PUT', `${url}/security-incident`, { phiEncrypted: true });
    expect(encrypted.json.securityIncident).toMatchObject({ reportableBreach: false, phiEncrypted: true });
    expect(Object.keys(deadlinesOf(encrypted.json)).sort()).toEqual(['individuals', 'practice']);
  });
});

describe('incident rules', () => {
  it('treats a low probability of compromise on all four factors as not reportable', async () => {
    const t = (await h.as(practice)('POST', '/v1/helpdesk/tickets', { subject: 'Fax sent to the wrong clinic', description: 'One page, returned unread.', priority: 'high', category: 'security-incident' })).json;
    const res = await h.as(practice)('PUT', `/v1/helpdesk/tickets/${t.id}/security-incident`, {
      individualsAffected: 1,
      riskAssessment: { natureAndExtent: lowRisk, unauthorizedRecipient: lowRisk, acquiredOrViewed: lowRisk, mitigation: lowRisk },
    });
    expect(res.status).toBe(200);
    expect(res.json.securityIncident.reportableBreach).toBe(false);
    expect(res.json.securityIncident.deadlines.map((d: { recipient: string }) => d.recipient)).toEqual(['practice']);
    const media = await h.as(practice)('POST', `/v1/helpdesk/tickets/${t.id}/security-incident/notifications`, { recipient: 'media' });
    expect(media.status).toBe(422);
  });

  it('keeps security incidents apart from other tickets', async () => {
    const printer = (await h.as(practice)('POST', '/v1/helpdesk/tickets', { subject: 'Printer', description: 'Jammed', priority: 'low', category: 'hardware' })).json;
    expect((await h.staff(practice)('PUT', `/v1/helpdesk/tickets/${printer.id}/security-incident`, { individualsAffected: 3 })).status).toBe(409);
    const discovered = await h.as(practice)('POST', '/v1/helpdesk/tickets', { subject: 'x', description: 'y', priority: 'low', category: 'hardware', discoveredAt: '2026-01-01T00:00:00Z' });
    expect(discovered.status).toBe(422);
    // Re-categorised as an incident: the HIPAA record starts then.
    const recategorised = await h.staff(practice)('PATCH', `/v1/helpdesk/tickets/${printer.id}`, { category: 'security-incident' });
    expect(recategorised.json).toMatchObject({ category: 'security-incident', priority: 'high', securityIncident: { reportableBreach: true } });
    const back = await h.staff(practice)('PATCH', `/v1/helpdesk/tickets/${printer.id}`, { category: 'hardware' });
    expect(back.status).toBe(409);
    const user = await h.as(practice, practice.userKey)('PUT', `/v1/helpdesk/tickets/${printer.id}/security-incident`, { individualsAffected: 2 });
    expect(user.status).toBe(403);
  });
});
