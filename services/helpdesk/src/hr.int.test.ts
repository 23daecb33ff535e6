import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { eventually, HelpdeskPlatform, type Practice } from '../test/platform.js';

let h: HelpdeskPlatform;
let practice: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-03-02T15:00:00Z');
  practice = await h.practice({ services: ['helpdesk', 'hr'] });
});
afterAll(async () => {
  await h?.close();
});

/** Publishes an event as the HR service would (CloudEvents envelope on its stream). */
async function publishHr(type: 'hr.employee.hired' | 'hr.employee.terminated', practiceId: string, data: Record<string, unknown>, id = randomUUID()) {
  const envelope = {
    specversion: '1.0',
    id,
    source: 'mso/hr',
    type,
    time: h.clock.now().toISOString(),
    subject: data.employeeId,
    datacontenttype: 'application/json',
    dataschemaversion: 1,
    tenantid: practiceId,
    data: { practiceId, ...data },
  };
  await h.p.runtime.bus.publish({ id, subject: `evt.${type}`, data: new TextEncoder().encode(JSON.stringify(envelope)) });
}

const ticketsOf = async (p: Practice) => (await h.as(p)('GET', '/v1/helpdesk/tickets?limit=200')).json.items as { subject: string; priority: string; source: string; description: string; requester: { id: string } }[];
const withSubject = (text: string) => async () => (await ticketsOf(practice)).filter((t) => t.subject.includes(text));

describe('HR events', () => {
  it('opens an onboarding ticket for a new hire', async () => {
    await publishHr('hr.employee.hired', practice.id, { employeeId: randomUUID(), displayName: 'Alex Rivera', jobTitle: 'Medical assistant', startDate: '2026-03-16', systems: ['ehr', 'email'] });
    const [ticket] = await eventually(withSubject('Alex Rivera'), (t) => t.length > 0);
    expect(ticket).toMatchObject({ subject: 'Onboarding: Alex Rivera (Medical assistant) starts 2026-03-16', priority: 'normal', source: 'hr-onboarding', requester: { id: 'system:hr' } });
    expect(ticket!.description).toContain('- ehr\n- email');
  });

  it('opens an urgent access-removal ticket for a termination, listing the assets to collect, once per employee', async () => {
    await h.as(practice)('POST', '/v1/helpdesk/assets', { name: 'Front desk laptop', type: 'laptop', serialNumber: 'FD-77', assignedTo: 'Jordan Lee' });
    const employeeId = randomUUID();
    const data = { employeeId, displayName: 'Jordan Lee', lastDay: '2026-03-06', systems: ['ehr', 'vpn'] };
    const eventId = randomUUID();
    await publishHr('hr.employee.terminated', practice.id, data, eventId);
    await publishHr('hr.employee.terminated', practice.id, data, eventId); // a retry of the same event
    await publishHr('hr.employee.terminated', practice.id, data); // the same fact, sent again
    await publishHr('hr.employee.terminated', practice.id, { employeeId: randomUUID(), displayName: 'Sam Ortiz', lastDay: '2026-03-06', systems: [] });
    // Events of one type are handled in order: once the last one is in, the others were handled.
    await eventually(withSubject('Sam Ortiz'), (t) => t.length > 0);
    const tickets = await withSubject('Jordan Lee')();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ subject: 'Remove access: Jordan Lee, last day 2026-03-06', priority: 'urgent', source: 'hr-offboarding' });
    expect(tickets[0]!.description).toContain('Front desk laptop (serial FD-77)');
    expect(tickets[0]!.description).toContain('- vpn');
  });

  it('opens nothing for a practice without helpdesk in its agreement', async () => {
    const hrOnly = await h.practice({ services: ['hr'] });
    await publishHr('hr.employee.hired', hrOnly.id, { employeeId: randomUUID(), displayName: 'Casey Kim', jobTitle: 'Biller', startDate: '2026-04-01', systems: [] });
    await publishHr('hr.employee.hired', practice.id, { employeeId: randomUUID(), displayName: 'Marker Person', jobTitle: 'Nurse', startDate: '2026-04-01', systems: [] });
    await eventually(withSubject('Marker Person'), (t) => t.length > 0);
    const rows = await h.p.runtime.database!.db.execute(sql`select count(*)::int as n from helpdesk.tickets where practice_id = ${hrOnly.id}`);
    expect((rows as unknown as { n: number }[])[0]!.n).toBe(0);
  });
});
