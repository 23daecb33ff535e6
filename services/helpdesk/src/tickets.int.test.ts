import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpdeskPlatform, type Practice } from '../test/platform.js';

// Through the gateway: a ticket's life as the practice and MSO staff see it, tenancy boundaries,
// validation and listing. Workflow rules on the service alone: ticket-workflow.test.ts.
// Chicago practice, 08:00-17:00 Monday to Friday, Memorial Day (Monday 25 May 2026) off.
const chicago = {
  helpdesk: { tier: 'standard', timeZone: 'America/Chicago', workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] }, holidays: ['2026-05-25'] },
};

let h: HelpdeskPlatform;
let practice: Practice;
let other: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-05-01T15:00:00Z');
  practice = await h.practice({ terms: chicago });
  other = await h.practice();
});
afterAll(async () => {
  await h?.close();
});

const newTicket = (overrides: Record<string, unknown> = {}) => ({
  subject: 'Front desk printer jams on every label',
  description: 'The Zebra label printer at reception jams since this morning.',
  priority: 'normal',
  category: 'hardware',
  ...overrides,
});

describe('a ticket through the gateway, across a weekend and a holiday', () => {
  it('opens with SLA due times in the practice time zone, survives pause and resume, and resolves in time', async () => {
    const asPractice = h.as(practice, practice.userKey);
    const asStaff = h.staff(practice);

    // Friday 22 May 2026, 15:00 CDT.
    h.clock.set('2026-05-22T20:00:00Z');
    const created = await asPractice('POST', '/v1/helpdesk/tickets', newTicket({ requester: { name: 'Dana at reception', phone: '555-0100' } }));
    expect(created.status).toBe(201);
    const ticket = created.json;
    expect(ticket).toMatchObject({ number: 1, status: 'new', priority: 'normal', category: 'hardware', practiceId: practice.id, assignee: null });
    expect(ticket.requester).toMatchObject({ role: 'practice-user', name: 'Dana at reception', phone: '555-0100' });
    // First response in 4 business hours: 2 h on Friday, the weekend and Memorial Day skipped, 2 h on Tuesday.
    expect(ticket.sla).toMatchObject({
      clock: 'running',
      policy: { tier: 'standard', firstResponseMinutes: 240, resolutionMinutes: 1440, businessHours: true, timeZone: 'America/Chicago' },
      firstResponseDueAt: '2026-05-26T15:00:00.000Z', // Tuesday 10:00 CDT
      resolutionDueAt: '2026-05-28T17:00:00.000Z', // Thursday 12:00 CDT
      firstResponseBreached: false,
      resolutionBreached: false,
    });
    const url = `/v1/helpdesk/tickets/${ticket.id}`;

    // An internal note is not a first response.
    h.clock.set('2026-05-22T20:30:00Z');
    const note = await asStaff('POST', `${url}/notes`, { body: 'Probably the roll guide again; bring a spare.' });
    expect(note.status).toBe(201);
    expect(note.json.kind).toBe('note');
    expect((await asStaff('GET', url)).json.sla.firstRespondedAt).toBeNull();

    // Over the weekend and on the holiday nothing is due yet.
    h.clock.set('2026-05-25T18:00:00Z');
    const holiday = (await asPractice('GET', url)).json;
    expect(holiday.sla).toMatchObject({ firstResponseBreached: false, firstResponseAtRisk: false, elapsedMinutes: 120 });

    // Tuesday 09:30 CDT: the first public reply from the MSO.
    h.clock.set('2026-05-26T14:30:00Z');
    const reply = await asStaff('POST', `${url}/replies`, { body: 'We will swap the roll guide today. Can you leave the printer on?' });
    expect(reply.status).toBe(201);
    const answered = (await asPractice('GET', url)).json;
    expect(answered.status).toBe('open');
    expect(answered.sla).toMatchObject({ firstRespondedAt: '2026-05-26T14:30:00.000Z', firstResponseBreached: false });

    // Tuesday 10:00 CDT: waiting on the practice pauses the clock (4 business hours used).
    h.clock.set('2026-05-26T15:00:00Z');
    const paused = await asStaff('POST', `${url}/status`, { status: 'pending-customer', reason: 'Asked the practice to leave the printer on' });
    expect(paused.status).toBe(200);
    expect(paused.json.sla).toMatchObject({ clock: 'paused', pausedAt: '2026-05-26T15:00:00.000Z', resolutionDueAt: null, elapsedMinutes: 240, resolutionRemainingMinutes: 1200 });

    // A day later the old due time has passed, but a paused clock does not breach.
    h.clock.set('2026-05-28T18:00:00Z');
    expect((await asPractice('GET', url)).json.sla).toMatchObject({ resolutionBreached: false, elapsedMinutes: 240 });

    // Thursday 10:00 CDT: the practice answers, the clock resumes with 20 business hours left:
    // Thursday 7 h, Friday 9 h, then 4 h on Monday 1 June: 12:00 CDT.
    h.clock.set('2026-05-28T15:00:00Z');
    const answer = await asPractice('POST', `${url}/replies`, { body: 'It is on now.' });
    expect(answer.status).toBe(201);
    const resumed = (await asPractice('GET', url)).json;
    expect(resumed.status).toBe('open');
    expect(resumed.sla).toMatchObject({ clock: 'running', pausedAt: null, resolutionDueAt: '2026-06-01T17:00:00.000Z', resolutionBreached: false });

    // Friday 11:00 CDT: resolved, in time.
    h.clock.set('2026-05-29T16:00:00Z');
    const resolved = await asStaff('POST', `${url}/status`, { status: 'resolved', reason: 'Roll guide replaced' });
    expect(resolved.status).toBe(200);
    expect(resolved.json.sla).toMatchObject({
      clock: 'stopped',
      resolvedAt: '2026-05-29T16:00:00.000Z',
      resolutionDueAt: '2026-06-01T17:00:00.000Z',
      resolutionBreached: false,
      elapsedMinutes: 240 + 7 * 60 + 3 * 60,
      resolutionRemainingMinutes: null,
    });

    await h.p.runtime.host.flushOutbox();
    await h.events.until((l) => l.of('helpdesk.ticket.resolved', ticket.id).length === 1, 'ticket.resolved');
    expect(h.events.of('helpdesk.ticket.created', ticket.id)[0]!.data).toMatchObject({ number: 1, priority: 'normal', firstResponseDueAt: '2026-05-26T15:00:00.000Z' });
    expect(h.events.of('helpdesk.ticket.resolved', ticket.id)[0]).toMatchObject({
      tenantid: practice.id,
      data: { ticketId: ticket.id, resolvedAt: '2026-05-29T16:00:00.000Z', firstResponseBreached: false, resolutionBreached: false, resolutionMinutes: 840 },
    });

    // The conversation: the practice sees public replies only; staff see the note too.
    const practiceView = await asPractice('GET', `${url}/messages`);
    expect(practiceView.json.items.map((m: { kind: string }) => m.kind)).toEqual(['reply', 'reply']);
    const staffView = await asStaff('GET', `${url}/messages`);
    expect(staffView.json.items.map((m: { kind: string }) => m.kind)).toEqual(['note', 'reply', 'reply']);

    // Every change is in the history.
    const historyEntries = (await asStaff('GET', `${url}/history`)).json.items;
    expect(historyEntries.map((e: { action: string }) => e.action)).toEqual(['created', 'noted', 'replied', 'status-changed', 'replied', 'status-changed']);
    expect(historyEntries[3].changes).toMatchObject({ status: ['open', 'pending-customer'], reason: 'Asked the practice to leave the printer on' });
    expect((await asPractice('GET', `${url}/history`)).json.items.map((e: { action: string }) => e.action)).not.toContain('noted');
  });
});

describe('tenancy boundaries', () => {
  it("answers 404 for another practice's ticket exactly as for a missing one", async () => {
    const mine = (await h.as(practice)('POST', '/v1/helpdesk/tickets', newTicket())).json;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['GET', '/messages', undefined],
      ['GET', '/history', undefined],
      ['POST', '/replies', { body: 'hello' }],
      ['POST', '/status', { status: 'resolved' }],
    ] as const) {
      const theirs = await h.as(other)(method, `/v1/helpdesk/tickets/${mine.id}${suffix}`, body);
      const missing = await h.as(other)(method, `/v1/helpdesk/tickets/00000000-0000-4000-8000-000000000000${suffix}`, body);
      expect(theirs.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(theirs.json.detail).toBe(missing.json.detail);
    }
    const staffForOther = await h.staff(other)('GET', `/v1/helpdesk/tickets/${mine.id}`);
    expect(staffForOther.status).toBe(404);
    expect((await h.as(other)('GET', '/v1/helpdesk/tickets')).json.items.map((t: { id: string }) => t.id)).not.toContain(mine.id);
  });

  it('answers 403 service-not-in-agreement for a practice without helpdesk', async () => {
    const billingOnly = await h.practice({ services: ['billing'] });
    const res = await h.as(billingOnly)('POST', '/v1/helpdesk/tickets', newTicket());
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('service-not-in-agreement');
  });

  it('validates input with 400 naming the fields', async () => {
    const res = await h.as(practice)('POST', '/v1/helpdesk/tickets', { ...newTicket({ priority: 'asap', category: 'printer' }), extra: true });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/category', '/extra', '/priority']);
    expect((await h.as(practice)('GET', '/v1/helpdesk/tickets?status=waiting')).status).toBe(400);
  });
});

describe('listing tickets', () => {
  it('filters by status, priority and assignee and pages with a cursor, newest first', async () => {
    const p = await h.practice();
    const ids: string[] = [];
    for (const [i, priority] of (['urgent', 'low', 'urgent', 'normal', 'urgent'] as const).entries()) {
      h.clock.advance(60_000);
      ids.push((await h.as(p)('POST', '/v1/helpdesk/tickets', newTicket({ subject: `Ticket ${i}`, priority }))).json.id);
    }
    const kim = randomUUID();
    await h.announceStaff(p, { personId: kim, displayName: 'Kim Ortiz', employments: [{ employer: 'mso', startDate: '2025-01-06' }] });
    expect((await h.staff(p)('POST', `/v1/helpdesk/tickets/${ids[2]}/assignment`, { assignee: kim })).status).toBe(200);
    await h.staff(p)('POST', `/v1/helpdesk/tickets/${ids[4]}/status`, { status: 'pending-third-party' });

    const list = async (query: string) => (await h.as(p)('GET', `/v1/helpdesk/tickets${query}`)).json;
    expect((await list('')).items.map((t: { id: string }) => t.id)).toEqual([...ids].reverse());
    expect((await list('?priority=urgent')).items.map((t: { id: string }) => t.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect((await list(`?assignee=${kim}`)).items.map((t: { id: string }) => t.id)).toEqual([ids[2]]);
    expect((await list('?unassigned=true')).items).toHaveLength(4);
    expect((await list('?status=pending-third-party')).items.map((t: { id: string }) => t.id)).toEqual([ids[4]]);

    const first = await list('?limit=2');
    expect(first.items.map((t: { id: string }) => t.id)).toEqual([ids[4], ids[3]]);
    const second = await list(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
    const third = await list(`?limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
    expect((await h.as(p)('GET', '/v1/helpdesk/tickets?cursor=bogus')).status).toBe(400);
  });
});
