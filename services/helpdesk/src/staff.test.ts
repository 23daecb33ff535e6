import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { assignTicket, createTicket, getHistory, getTicket, listStaff, listTickets, ticketAssigned } from '@mso/contracts/helpdesk';
import { staffMemberChanged } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { helpdesk } from './service.js';

// HR's staff directory in helpdesk and ticket assignment to people of it, on the service alone.
// Chicago practice; the clock's date there decides whose employment is active.
let t: TestService;
let practiceId: string;
let otherId: string;
const admin = () => ({ practiceId, role: 'practice-admin' as const });
const staff = (id = practiceId) => ({ practiceId: id, role: 'mso-staff' as const });

type Employment = { employer: string; title?: string; startDate: string; endDate?: string | null };
/** HR announces a person's current employments. */
const announce = (personId: string, displayName: string, employments: Employment[]) =>
  t.deliver(staffMemberChanged, {
    personId,
    displayName,
    employments: employments.map((e) => ({ employmentId: randomUUID(), title: e.title ?? 'IT technician', department: 'IT', endDate: null, ...e })),
  });

const pat = randomUUID();
const sam = randomUUID();
const dana = randomUUID();
const lee = randomUUID();
const other = randomUUID();

beforeAll(async () => {
  t = await testService(helpdesk, { clock: '2026-07-01T15:00:00Z' });
  practiceId = await t.practice({ terms: { helpdesk: { timeZone: 'America/Chicago' } } });
  otherId = await t.practice({ terms: { helpdesk: { timeZone: 'America/Chicago' } } });
  await announce(pat, 'Pat Morgan', [{ employer: 'mso', startDate: '2025-01-06' }]);
  await announce(sam, 'Sam Patel', [{ employer: practiceId, title: 'Office manager', startDate: '2024-03-01' }]);
  await announce(dana, 'Dana Cruz', [{ employer: 'mso', startDate: '2023-05-01', endDate: '2026-06-30' }]);
  await announce(lee, 'Lee Wong', [{ employer: 'mso', startDate: '2026-07-15' }]);
  await announce(other, 'Robin Hale', [{ employer: otherId, startDate: '2024-01-01' }]);
});
afterAll(async () => {
  await t?.close();
});

const open = (subject = 'Label printer offline') => t.call(createTicket, { subject, description: 'Nothing prints.', priority: 'normal', category: 'hardware' }, admin());

describe('the staff directory', () => {
  it('lists who may work the practice: MSO staff and its own employees active today, by name', async () => {
    const list = await t.call(listStaff, {}, staff());
    expect(list.asOf).toBe('2026-07-01');
    expect(list.items).toEqual([
      { personId: pat, displayName: 'Pat Morgan', employments: [{ employer: 'mso', title: 'IT technician', department: 'IT', startDate: '2025-01-06', endDate: null }] },
      { personId: sam, displayName: 'Sam Patel', employments: [{ employer: practiceId, title: 'Office manager', department: 'IT', startDate: '2024-03-01', endDate: null }] },
    ]);
    // Another practice sees its own employee, not this practice's.
    expect((await t.call(listStaff, {}, staff(otherId))).items.map((m) => m.displayName)).toEqual(['Pat Morgan', 'Robin Hale']);
    await expect(t.call(listStaff, {}, admin())).rejects.toMatchObject({ status: 403 });
  });

  it('keeps the latest announcement of a person, and a redelivered older one does not undo it', async () => {
    const kim = randomUUID();
    await announce(kim, 'Kim Ortiz', [{ employer: 'mso', startDate: '2026-01-05' }]);
    t.clock.set('2026-07-01T15:05:00Z');
    await announce(kim, 'Kim Ortiz-Reyes', [{ employer: 'mso', startDate: '2026-01-05', endDate: '2026-06-15' }]);
    t.clock.set('2026-07-01T15:01:00Z'); // an older event arriving late
    await announce(kim, 'Kim Ortiz', [{ employer: 'mso', startDate: '2026-01-05' }]);
    t.clock.set('2026-07-01T15:10:00Z');
    const rows = (await t.database!.db.execute(sql`select display_name, employments->0->>'endDate' as "endDate" from helpdesk.mso_staff_members where person_id = ${kim}`)) as unknown as { rows: unknown[] };
    expect(rows.rows).toEqual([{ display_name: 'Kim Ortiz-Reyes', endDate: '2026-06-15' }]);
    expect((await t.call(listStaff, {}, staff())).items.map((m) => m.personId)).not.toContain(kim);
  });
});

describe('assigning a ticket to a person', () => {
  it("assigns MSO staff and the practice's own staff, showing their name; the history and event carry the person id", async () => {
    const { id } = await open();
    const assigned = await t.call(assignTicket, { id, assignee: pat }, staff());
    expect(assigned).toMatchObject({ assignee: pat, assigneeName: 'Pat Morgan', assigneeLabel: null });
    expect(await t.call(getTicket, { id }, admin())).toMatchObject({ assignee: pat, assigneeName: 'Pat Morgan' });
    expect(await t.call(assignTicket, { id, assignee: sam }, staff())).toMatchObject({ assignee: sam, assigneeName: 'Sam Patel' });
    expect((await t.call(listTickets, { assignee: sam }, admin())).items.map((x) => x.id)).toEqual([id]);
    expect(await t.call(assignTicket, { id, assignee: null }, staff())).toMatchObject({ assignee: null, assigneeName: null });

    const history = (await t.call(getHistory, { id }, staff())).items.filter((e) => e.action === 'assigned').map((e) => e.changes);
    expect(history).toEqual([{ assignee: [null, pat] }, { assignee: [pat, sam] }, { assignee: [sam, null] }]);
    const events = (await t.events(ticketAssigned)).filter((e) => e.subject === id).map((e) => [e.data.previousAssignee, e.data.assignee]);
    expect(events).toEqual([[null, pat], [pat, sam], [sam, null]]);
  });

  it('refuses an unknown person, an ended or future employment, and another practice’s employee with 422 naming assignee', async () => {
    const { id } = await open('Scanner');
    for (const assignee of [randomUUID(), dana, lee, other]) {
      await expect(t.call(assignTicket, { id, assignee }, staff())).rejects.toMatchObject({ status: 422, errors: [expect.objectContaining({ path: '/assignee' })] });
    }
    await expect(t.call(assignTicket, { id, assignee: 'kim@mso.example' }, staff())).rejects.toMatchObject({ status: 400 });
    expect(await t.call(getTicket, { id }, admin())).toMatchObject({ assignee: null });
    expect((await t.call(getHistory, { id }, staff())).items.map((e) => e.action)).toEqual(['created']);
  });

  it("checks employments on the practice's date: the last day still counts, the day after does not", async () => {
    t.clock.set('2026-07-01T04:30:00Z'); // 23:30 on June 30 in Chicago: Dana's last day
    const { id } = await open('Monitor');
    expect(await t.call(assignTicket, { id, assignee: dana }, staff())).toMatchObject({ assignee: dana, assigneeName: 'Dana Cruz' });
    t.clock.set('2026-07-01T05:30:00Z'); // 00:30 on July 1 in Chicago
    const next = await open('Keyboard');
    await expect(t.call(assignTicket, { id: next.id, assignee: dana }, staff())).rejects.toMatchObject({ status: 422 });
    // The ticket assigned on her last day keeps her until someone reassigns it.
    expect(await t.call(getTicket, { id }, admin())).toMatchObject({ assignee: dana, assigneeName: 'Dana Cruz' });
    t.clock.set('2026-07-01T16:00:00Z');
  });

  it('keeps a free-text assignee from before as a label, until the ticket is assigned to a person', async () => {
    const { id } = await open('Old ticket');
    await t.database!.db.execute(sql`update helpdesk.tickets set assignee_label = 'jo@mso.example' where id = ${id}`);
    expect(await t.call(getTicket, { id }, admin())).toMatchObject({ assignee: null, assigneeName: null, assigneeLabel: 'jo@mso.example' });
    expect((await t.call(listTickets, { unassigned: true }, admin())).items.map((x) => x.id)).toContain(id);
    expect(await t.call(assignTicket, { id, assignee: pat }, staff())).toMatchObject({ assignee: pat, assigneeLabel: null });
    expect((await t.call(getHistory, { id }, staff())).items.at(-1)!.changes).toEqual({ assignee: [null, pat], assigneeLabel: ['jo@mso.example', null] });
  });
});
