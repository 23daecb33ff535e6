import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@mso/contracts';
import type { Consumer } from '@mso/bus';
import { eventually as settled, jsonWithoutIds, startTestPlatform, type TestPlatform } from '@mso/testing';
import { hr } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL, with helpdesk running: a hire opens an
// onboarding ticket, a termination an urgent access-removal ticket; the checklists and their
// progress; the staff directory entry with every employment of the person.

let p: TestPlatform;
let a: { id: string; key: string };
let hrEvents: Consumer;
const published: EventEnvelope<Record<string, unknown>>[] = [];

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', hr, 'helpdesk'], transport: 'real' });
  p.clock.set('2026-05-04T15:00:00Z');
  a = await p.createPractice({ services: ['hr', 'helpdesk'] });
  hrEvents = await p.runtime.bus.consume({
    producer: 'hr',
    durable: `test-${randomUUID().slice(0, 8)}`,
    filter: 'evt.hr.>',
    handler: async (e) => {
      published.push(JSON.parse(new TextDecoder().decode(e.data)) as EventEnvelope<Record<string, unknown>>);
    },
  });
});
afterAll(async () => {
  await hrEvents?.stop();
  await p?.close();
});

/** Reads until `done` holds, publishing the outbox between reads (HR's events reach the other service at once). */
const eventually = <T,>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => settled(read, done, { between: () => p.runtime.host.flushOutbox(), everyMs: 25 });

/** Polls `read` (events cross the bus asynchronously) until `done` holds; returns the last value. */
type Ticket = { subject: string; priority: string; source: string; description: string };
const tickets = async () => (await p.request({ method: 'GET', url: '/v1/helpdesk/tickets?limit=200', key: a.key })).json.items as Ticket[];
const ticketsAbout = (text: string) => async () => (await tickets()).filter((t) => t.subject.includes(text));

const employment = (employer: string, extra: object = {}) => ({ employer, title: 'Medical assistant', department: 'Clinic', fte: 1, pay: { basis: 'hourly', amountCents: 22_00 }, startDate: '2026-05-11', ...extra });

describe('onboarding and offboarding end to end', () => {
  let employmentId: string;
  let personId: string;

  it('opens an onboarding ticket in helpdesk for a hire and starts the checklist', async () => {
    for (const [kind, tasks] of [
      ['onboarding', [{ title: 'Create EHR account', ownerRole: 'it', dueDays: -2 }, { title: 'HIPAA training', ownerRole: 'employee', dueDays: 7 }, { title: 'Benefits enrollment', ownerRole: 'hr', dueDays: 30 }]],
      ['offboarding', [{ title: 'Revoke EHR access', ownerRole: 'it', dueDays: 0 }, { title: 'Collect badge', ownerRole: 'manager', dueDays: 1 }]],
    ] as const) {
      const created = await p.request({ method: 'POST', url: '/v1/hr/checklist-templates', key: a.key, body: { employer: a.id, kind, name: `Clinic ${kind}`, tasks } });
      expect(created.status).toBe(201);
    }
    const hire = await p.request({
      method: 'POST',
      url: '/v1/hr/people',
      key: a.key,
      body: { firstName: 'Noor', lastName: 'Haddad', ssn: '246-80-1357', dateOfBirth: '1994-02-14', employment: employment(a.id, { systems: ['ehr', 'email'] }) },
    });
    expect(hire.status).toBe(201);
    personId = hire.json.id;
    employmentId = hire.json.employments[0].id;

    const [ticket] = await eventually(ticketsAbout('Noor Haddad'), (t) => t.length > 0);
    expect(ticket).toMatchObject({ subject: 'Onboarding: Noor Haddad (Medical assistant) starts 2026-05-11', priority: 'normal', source: 'hr-onboarding' });
    expect(ticket!.description).toContain('- ehr\n- email');
    expect(jsonWithoutIds(ticket!.description)).not.toMatch(/246-80|1994-02-14|2200/);

    const list = await p.request({ method: 'GET', url: `/v1/hr/checklists?employmentId=${employmentId}`, key: a.key });
    expect(list.json.items).toEqual([expect.objectContaining({ kind: 'onboarding', displayName: 'Noor Haddad', anchorDate: '2026-05-11', progress: { done: 0, total: 3, overdue: 0 } })]);
  });

  it('shows the checklist tasks and progress, with overdue tasks on the clock', async () => {
    const [summary] = (await p.request({ method: 'GET', url: `/v1/hr/checklists?employmentId=${employmentId}&kind=onboarding`, key: a.key })).json.items;
    p.clock.set('2026-05-19T15:00:00Z'); // the EHR account (due 05-09) and the training (due 05-18) are late
    const checklist = await p.request({ method: 'GET', url: `/v1/hr/checklists/${summary.id}`, key: a.key });
    expect(checklist.json.tasks.map((t: { title: string; dueOn: string; overdue: boolean }) => [t.title, t.dueOn, t.overdue])).toEqual([
      ['Create EHR account', '2026-05-09', true],
      ['HIPAA training', '2026-05-18', true],
      ['Benefits enrollment', '2026-06-10', false],
    ]);
    const done = await p.request({ method: 'POST', url: `/v1/hr/checklists/${summary.id}/tasks/${checklist.json.tasks[0].id}/complete`, key: a.key });
    expect(done.status).toBe(200);
    expect(done.json.progress).toEqual({ done: 1, total: 3, overdue: 1 });
    // Another practice's key: 404, as a missing id.
    const b = await p.createPractice({ services: ['hr'] });
    expect((await p.request({ method: 'GET', url: `/v1/hr/checklists/${summary.id}`, key: b.key })).status).toBe(404);
  });

  it('opens an urgent access-removal ticket for a termination and starts offboarding', async () => {
    const ended = await p.request({ method: 'POST', url: `/v1/hr/employments/${employmentId}/terminate`, key: a.key, body: { lastDay: '2026-05-29', reason: 'resignation' } });
    expect(ended.status).toBe(200);
    expect(ended.json.employment.endDate).toBe('2026-05-29');
    const [ticket] = await eventually(ticketsAbout('Remove access: Noor Haddad'), (t) => t.length > 0);
    expect(ticket).toMatchObject({ subject: 'Remove access: Noor Haddad, last day 2026-05-29', priority: 'urgent', source: 'hr-offboarding' });
    expect(ticket!.description).toContain('- ehr\n- email');
    const offboarding = await p.request({ method: 'GET', url: `/v1/hr/checklists/${ended.json.offboardingChecklistId}`, key: a.key });
    expect(offboarding.json).toMatchObject({ kind: 'offboarding', anchorDate: '2026-05-29', progress: { done: 0, total: 2, overdue: 0 } });
    expect((await p.request({ method: 'POST', url: `/v1/hr/employments/${employmentId}/terminate`, key: a.key, body: { lastDay: '2026-05-30', reason: 'other' } })).status).toBe(409);
  });

  it('publishes the directory entry with every employment of the person, the MSO one included', async () => {
    const msoJob = await p.request({ method: 'POST', url: `/v1/hr/people/${personId}/employments`, body: employment('mso', { title: 'Scheduler', department: 'Patient access', startDate: '2026-06-01' }) });
    expect(msoJob.status).toBe(201);
    // The practice's key still sees its own employment only.
    const seenByA = await p.request({ method: 'GET', url: `/v1/hr/people/${personId}`, key: a.key });
    expect(seenByA.json.employments.map((e: { employer: string }) => e.employer)).toEqual([a.id]);
    // A change made with the practice's key: the entry still lists both employments.
    expect((await p.request({ method: 'PATCH', url: `/v1/hr/people/${personId}`, key: a.key, body: { lastName: 'Haddad-Roy' } })).status).toBe(200);
    const latest = async () => published.filter((e) => e.type === 'hr.staff-member.changed' && e.subject === personId).at(-1);
    const entry = await eventually(latest, (e) => (e?.data as { displayName?: string } | undefined)?.displayName === 'Noor Haddad-Roy');
    expect(entry!.tenantid).toBeUndefined();
    const data = entry!.data as { employments: { employer: string; title: string; endDate: string | null }[] };
    expect(data.employments.map((e) => [e.employer, e.title, e.endDate])).toEqual([
      [a.id, 'Medical assistant', '2026-05-29'],
      ['mso', 'Scheduler', null],
    ]);
    expect(jsonWithoutIds(published)).not.toMatch(/246-80|1994-02-14|amountCents|resignation/);
    // No hired event for the MSO employment: the MSO's own staff are not a practice's helpdesk work.
    expect(published.filter((e) => e.type === 'hr.employee.hired').map((e) => (e.data as { employeeId: string }).employeeId)).toEqual([employmentId]);
  });
});
