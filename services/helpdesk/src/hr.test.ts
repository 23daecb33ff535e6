import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { listTickets } from '@mso/contracts/helpdesk';
import { employeeHired, employeeTerminated } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { helpdesk } from './service.js';

// HR events in embedded mode (`mso start`: PGlite, one connection, and the in-memory bus): the
// consumer reads the practice's agreement inside its transaction, through that transaction.
let t: TestService;
let practiceId: string;

beforeAll(async () => {
  t = await testService(helpdesk, { clock: '2026-03-02T15:00:00Z' });
  practiceId = await t.practice({ services: ['helpdesk', 'hr'] });
});
afterAll(async () => {
  await t?.close();
});

const rowsOf = async <T>(query: SQL) => ((await t.database!.db.execute(query)) as unknown as { rows: T[] }).rows;
const ticketsOf = async (id: string) => (await t.call(listTickets, { limit: 200 }, { practiceId: id, role: 'mso-staff' })).items;
const hire = (id: string, displayName: string) =>
  t.deliver(employeeHired, { employeeId: randomUUID(), practiceId: id, displayName, jobTitle: 'Medical assistant', startDate: '2026-03-16', systems: ['ehr', 'email'] }, { practiceId: id });

describe('HR events in embedded mode', () => {
  it('opens an onboarding ticket for a new hire', async () => {
    await hire(practiceId, 'Alex Rivera');
    const [ticket] = (await ticketsOf(practiceId)).filter((x) => x.subject.includes('Alex Rivera'));
    expect(ticket).toMatchObject({ subject: 'Onboarding: Alex Rivera (Medical assistant) starts 2026-03-16', priority: 'normal', source: 'hr-onboarding', requester: { id: 'system:hr' } });
    expect(ticket!.description).toContain('- ehr\n- email');
  });

  it('opens an access-removal ticket for a termination', async () => {
    await t.deliver(employeeTerminated, { employeeId: randomUUID(), practiceId, displayName: 'Jordan Lee', lastDay: '2026-03-06', systems: ['vpn'] }, { practiceId });
    expect((await ticketsOf(practiceId)).filter((x) => x.subject.includes('Jordan Lee'))).toMatchObject([{ priority: 'urgent', source: 'hr-offboarding' }]);
  });

  it('asks tenancy for a practice whose announcement has not arrived yet, then opens the ticket', async () => {
    const late = await t.practice({ services: ['helpdesk', 'hr'] });
    // As if tenancy.practice.created had not reached helpdesk yet: the view does not know the practice.
    await t.database!.db.execute(sql`delete from helpdesk.mso_agreements where practice_id = ${late}`);
    await hire(late, 'Casey Kim');
    expect((await ticketsOf(late)).map((x) => x.subject)).toEqual(['Onboarding: Casey Kim (Medical assistant) starts 2026-03-16']);
    expect(await rowsOf(sql`select version from helpdesk.mso_agreements where practice_id = ${late}`)).toEqual([{ version: 1 }]);
  });

  it('opens nothing for a practice without helpdesk in its agreement', async () => {
    const hrOnly = await t.practice({ services: ['hr'] });
    await hire(hrOnly, 'Sam Ortiz');
    expect(await rowsOf(sql`select count(*)::int as n from helpdesk.tickets where practice_id = ${hrOnly}`)).toEqual([{ n: 0 }]);
  });
});
