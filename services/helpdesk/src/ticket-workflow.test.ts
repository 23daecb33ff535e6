import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addReply, assignTicket, changeStatus, createAsset, createTicket, getAsset, getHistory, getTicket, updateTicket } from '@mso/contracts/helpdesk';
import { staffMemberChanged } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { helpdesk } from './service.js';

// Ticket workflow rules on the service alone (in-memory bus, PGlite). Chicago practice, 08:00-17:00
// Monday to Friday, Memorial Day off. Through the gateway: tickets.int.test.ts.
const chicago = {
  helpdesk: { tier: 'standard' as const, timeZone: 'America/Chicago', workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] }, holidays: ['2026-05-25'] },
};

let t: TestService;
let practiceId: string;
let otherId: string;
const admin = () => ({ practiceId, role: 'practice-admin' as const });
const staff = () => ({ practiceId, role: 'mso-staff' as const, principalId: 'key-staff-pat' });

beforeAll(async () => {
  t = await testService(helpdesk, { clock: '2026-05-01T15:00:00Z' });
  practiceId = await t.practice({ terms: chicago });
  otherId = await t.practice();
});
afterAll(async () => {
  await t?.close();
});

const newTicket = (overrides: Record<string, unknown> = {}) => ({
  subject: 'Front desk printer jams on every label',
  description: 'The Zebra label printer at reception jams since this morning.',
  priority: 'normal' as const,
  category: 'hardware' as const,
  ...overrides,
});

describe('workflow rules', () => {
  it('refuses moves the workflow does not have with 409, and staff-only moves to the practice with 403', async () => {
    t.clock.set('2026-06-02T14:00:00Z');
    const { id } = await t.call(createTicket, newTicket({ subject: 'VPN drops' }), admin());
    await expect(t.call(changeStatus, { id, status: 'pending-third-party' }, admin())).rejects.toMatchObject({ status: 403 });
    await t.call(changeStatus, { id, status: 'closed' }, staff());
    await expect(t.call(changeStatus, { id, status: 'open' }, staff())).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/closed ticket cannot change/) });
    await expect(t.call(addReply, { id, body: 'still broken' }, admin())).rejects.toMatchObject({ status: 409 });
    expect(await t.call(getTicket, { id }, staff())).toMatchObject({ status: 'closed', closedAt: '2026-06-02T14:00:00.000Z' });
  });

  it('reopens a resolved ticket when the practice replies, and the resolution clock runs again', async () => {
    t.clock.set('2026-06-02T15:00:00Z');
    const { id } = await t.call(createTicket, newTicket({ subject: 'Scanner driver' }), admin());
    t.clock.set('2026-06-02T16:00:00Z');
    await t.call(changeStatus, { id, status: 'resolved' }, staff());
    t.clock.set('2026-06-03T14:00:00Z');
    await t.call(addReply, { id, body: 'It is back.' }, admin());
    const reopened = await t.call(getTicket, { id }, admin());
    expect(reopened.status).toBe('open');
    // 1 h used; 23 h left from Wednesday 09:00 CDT: Wed 8 h, Thu 9 h, Fri 6 h: Friday 14:00 CDT.
    expect(reopened.sla).toMatchObject({ clock: 'running', resolvedAt: null, resolutionDueAt: '2026-06-05T19:00:00.000Z', elapsedMinutes: 60 });
  });

  it('assigns a person of the staff directory, and re-targets the SLA on a priority change', async () => {
    t.clock.set('2026-06-04T14:00:00Z'); // Thursday 09:00 CDT
    const created = await t.call(createTicket, newTicket({ subject: 'Email bounces', category: 'software', priority: 'low' }), admin());
    const { id } = created;
    expect(created.sla.firstResponseDueAt).toBe('2026-06-04T22:00:00.000Z'); // 8 h: 17:00 CDT
    const [pat, sam] = [randomUUID(), randomUUID()];
    for (const [personId, displayName] of [[pat, 'Pat Morgan'], [sam, 'Sam Patel']] as const) {
      await t.deliver(staffMemberChanged, { personId, displayName, employments: [{ employmentId: randomUUID(), employer: 'mso', title: 'IT technician', department: 'IT', startDate: '2025-01-06', endDate: null }] });
    }
    expect((await t.call(assignTicket, { id, assignee: pat }, staff())).assignee).toBe(pat);
    expect(await t.call(assignTicket, { id, assignee: sam }, staff())).toMatchObject({ assignee: sam, assigneeName: 'Sam Patel' });
    await expect(t.call(assignTicket, { id, assignee: pat }, admin())).rejects.toMatchObject({ status: 403 });

    t.clock.set('2026-06-04T14:30:00Z');
    const raised = await t.call(updateTicket, { id, priority: 'high' }, staff());
    // high: 2 h to first response from the opening at 09:00 (the 30 minutes used count): 11:00 CDT.
    expect(raised).toMatchObject({ priority: 'high', sla: { policy: { firstResponseMinutes: 120 }, firstResponseDueAt: '2026-06-04T16:00:00.000Z' } });
    const changes = (await t.call(getHistory, { id }, staff())).items.map((e) => [e.action, e.changes]);
    expect(changes).toContainEqual(['updated', { priority: ['low', 'high'] }]);
    expect(changes).toContainEqual(['assigned', { assignee: [pat, sam] }]);
  });

  it('links tickets to assets of the practice only', async () => {
    const asset = await t.call(createAsset, { name: 'Reception PC', type: 'desktop', serialNumber: 'PC-100' }, admin());
    const linked = await t.call(createTicket, newTicket({ assetId: asset.id }), admin());
    expect(linked.assetId).toBe(asset.id);
    expect((await t.call(getAsset, { id: asset.id }, admin())).openTickets).toBe(1);
    await expect(t.call(createTicket, newTicket({ assetId: asset.id }), { practiceId: otherId, role: 'practice-admin' })).rejects.toMatchObject({
      status: 422,
      errors: [expect.objectContaining({ path: '/assetId' })],
    });
  });
});

describe('closing', () => {
  it('closes tickets resolved a week ago that nobody reopened', async () => {
    t.clock.set('2026-06-15T14:00:00Z');
    const { id } = await t.call(createTicket, newTicket({ subject: 'Password expired' }), admin());
    await t.call(changeStatus, { id, status: 'resolved' }, staff());
    t.clock.set('2026-06-22T15:00:00Z');
    await t.runJob('auto-close');
    expect(await t.call(getTicket, { id }, admin())).toMatchObject({ status: 'closed', closedAt: '2026-06-22T15:00:00.000Z' });
    const last = (await t.call(getHistory, { id }, staff())).items.at(-1);
    expect(last).toMatchObject({ action: 'status-changed', actor: { role: 'system' }, changes: { status: ['resolved', 'closed'] } });
  });
});
