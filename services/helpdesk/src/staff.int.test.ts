import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpdeskPlatform, type Practice } from '../test/platform.js';

// Through the gateway on the running NATS and PostgreSQL: HR's staff directory arrives on HR's
// stream, and ticket assignment accepts only people of it who work for the MSO or the practice today.
// Rules in detail on the service alone: staff.test.ts.
let h: HelpdeskPlatform;
let practice: Practice;
let other: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-07-01T15:00:00Z');
  practice = await h.practice({ terms: { helpdesk: { timeZone: 'America/Chicago' } } });
  other = await h.practice({ terms: { helpdesk: { timeZone: 'America/Chicago' } } });
});
afterAll(async () => {
  await h?.close();
});

describe('assignees are people of the staff directory', () => {
  it('lists the MSO staff and the practice’s own, and assigns only them', async () => {
    const [pat, office, leaver, elsewhere] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()] as [string, string, string, string];
    await h.announceStaff(practice, { personId: pat, displayName: 'Pat Morgan', employments: [{ employer: 'mso', startDate: '2025-01-06' }] });
    await h.announceStaff(practice, { personId: office, displayName: 'Sam Patel', employments: [{ employer: practice.id, startDate: '2024-03-01' }] });
    await h.announceStaff(practice, { personId: leaver, displayName: 'Dana Cruz', employments: [{ employer: 'mso', startDate: '2023-05-01', endDate: '2026-06-30' }] });
    await h.announceStaff(practice, { personId: elsewhere, displayName: 'Robin Hale', employments: [{ employer: other.id, startDate: '2024-01-01' }] });

    const staff = await h.staff(practice)('GET', '/v1/helpdesk/staff');
    expect(staff.status).toBe(200);
    expect(staff.json.items.filter((m: { personId: string }) => [pat, office, leaver, elsewhere].includes(m.personId)).map((m: { displayName: string }) => m.displayName)).toEqual([
      'Pat Morgan',
      'Sam Patel',
    ]);
    expect((await h.as(practice)('GET', '/v1/helpdesk/staff')).status).toBe(403);

    const opened = await h.as(practice)('POST', '/v1/helpdesk/tickets', { subject: 'Label printer offline', description: 'Nothing prints.', priority: 'normal', category: 'hardware' });
    const url = `/v1/helpdesk/tickets/${opened.json.id}/assignment`;
    const assigned = await h.staff(practice)('POST', url, { assignee: pat });
    expect(assigned.status).toBe(200);
    expect(assigned.json).toMatchObject({ assignee: pat, assigneeName: 'Pat Morgan', assigneeLabel: null });
    expect((await h.as(practice)('GET', `/v1/helpdesk/tickets/${opened.json.id}`)).json).toMatchObject({ assignee: pat, assigneeName: 'Pat Morgan' });

    for (const assignee of [randomUUID(), leaver, elsewhere]) {
      const refused = await h.staff(practice)('POST', url, { assignee });
      expect(refused.status).toBe(422);
      expect(refused.json).toMatchObject({ code: 'unprocessable', errors: [expect.objectContaining({ path: '/assignee' })] });
    }
    expect((await h.staff(practice)('POST', url, { assignee: 'pat@mso.example' })).status).toBe(400);
    expect((await h.staff(practice)('POST', url, {})).status).toBe(400);
    expect((await h.staff(practice)('POST', url, { assignee: office })).json).toMatchObject({ assignee: office, assigneeName: 'Sam Patel' });

    await h.events.until((log) => log.of('helpdesk.ticket.assigned', opened.json.id).length === 2, 'two assignments');
    expect(h.events.of('helpdesk.ticket.assigned', opened.json.id).map((e) => [e.data.previousAssignee, e.data.assignee])).toEqual([
      [null, pat],
      [pat, office],
    ]);
    const history = (await h.staff(practice)('GET', `/v1/helpdesk/tickets/${opened.json.id}/history`)).json.items;
    expect(history.filter((e: { action: string }) => e.action === 'assigned').map((e: { changes: unknown }) => e.changes)).toEqual([{ assignee: [null, pat] }, { assignee: [pat, office] }]);
  });
});
