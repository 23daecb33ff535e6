import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually as settled, startTestPlatform, type TestPlatform } from '@mso/testing';
import { hr } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL, with helpdesk running: a person HR
// records with an MSO employment becomes someone helpdesk tickets can be assigned to; an id HR does
// not know, or a person whose employment has ended, is refused.

let p: TestPlatform;
let practice: { id: string; key: string };
let staffKey: string;

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', hr, 'helpdesk'], transport: 'real' });
  p.clock.set('2026-05-04T15:00:00Z');
  practice = await p.createPractice({ services: ['hr', 'helpdesk'] });
  const key = await p.request({ method: 'POST', url: '/v1/tenancy/api-keys', body: { role: 'mso-staff', label: 'IT service desk' } });
  staffKey = key.json.key as string;
});
afterAll(async () => {
  await p?.close();
});

/** Reads until `done` holds, publishing the outbox between reads (HR's events reach the other service at once). */
const eventually = <T,>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => settled(read, done, { between: () => p.runtime.host.flushOutbox(), everyMs: 25 });

/** As MSO staff working the practice's tickets. */
const asStaff = (method: string, url: string, body?: unknown) => p.request({ method, url, key: staffKey, headers: { 'x-practice-id': practice.id }, ...(body !== undefined ? { body } : {}) });

/** Polls `read` (events cross the bus asynchronously) until `done` holds; returns the last value. */
type StaffMember = { personId: string; displayName: string };
const assignable = async () => (await asStaff('GET', '/v1/helpdesk/staff')).json.items as StaffMember[];

describe('HR staff as helpdesk assignees', () => {
  it('accepts a person with an MSO employment as assignee, and refuses an unknown id and an ended employment', async () => {
    const created = await p.request({
      method: 'POST',
      url: '/v1/hr/people',
      body: {
        firstName: 'Jamie',
        lastName: 'Reyes',
        ssn: '246-81-3579',
        dateOfBirth: '1990-02-14',
        employment: { employer: 'mso', title: 'IT technician', department: 'IT', fte: 1, pay: { basis: 'salary', amountCents: 6_200_000 }, startDate: '2026-04-01' },
      },
    });
    expect(created.status).toBe(201);
    const personId = created.json.id as string;
    const listed = await eventually(assignable, (items) => items.some((m) => m.personId === personId));
    expect(listed.find((m) => m.personId === personId)).toMatchObject({ displayName: expect.stringContaining('Reyes') });

    const ticket = await p.request({ method: 'POST', url: '/v1/helpdesk/tickets', key: practice.key, body: { subject: 'New laptop', description: 'Set up a laptop.', priority: 'normal', category: 'hardware' } });
    expect(ticket.status).toBe(201);
    const url = `/v1/helpdesk/tickets/${ticket.json.id}/assignment`;
    const assigned = await asStaff('POST', url, { assignee: personId });
    expect(assigned.status).toBe(200);
    expect(assigned.json).toMatchObject({ assignee: personId, assigneeName: expect.stringContaining('Reyes') });

    const unknown = await asStaff('POST', url, { assignee: randomUUID() });
    expect(unknown.status).toBe(422);
    expect(unknown.json.errors).toEqual([expect.objectContaining({ path: '/assignee' })]);

    // HR ends the employment: from the day after, the person is no longer assignable.
    const employmentId = (created.json.employments as { id: string }[])[0]!.id;
    expect((await p.request({ method: 'PATCH', url: `/v1/hr/employments/${employmentId}`, body: { endDate: '2026-05-01' } })).status).toBe(200);
    await eventually(assignable, (items) => !items.some((m) => m.personId === personId));
    expect((await asStaff('POST', url, { assignee: null })).json).toMatchObject({ assignee: null, assigneeName: null });
    const refused = await asStaff('POST', url, { assignee: personId });
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([expect.objectContaining({ path: '/assignee' })]);
  });
});
