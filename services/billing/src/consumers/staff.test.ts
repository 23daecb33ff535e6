import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { listWorkStaff } from '@mso/contracts/billing';
import { staffMemberChanged } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { billing } from '../service.js';

// HR's staff directory in billing (who work items can be assigned to): the kit's view (`staffDirectory`), kept through the inbox.
// Assignment itself: work.test.ts.
let t: TestService;
beforeAll(async () => {
  t = await testService(billing, { clock: '2026-06-01T15:00:00Z' });
});
afterAll(async () => {
  await t?.close();
});

const employment = (endDate: string | null = null) => ({ employmentId: randomUUID(), employer: 'mso', title: 'Biller', department: 'Revenue cycle', startDate: '2025-01-06', endDate });
const rowOf = async (personId: string) =>
  ((await t.database!.db.execute(sql`select display_name as "name", employments->0->>'endDate' as "endDate" from billing.mso_staff_members where person_id = ${personId}`)) as unknown as { rows: unknown[] }).rows;

describe('the staff directory', () => {
  it('keeps the latest announcement of each person, once per event id', async () => {
    const personId = randomUUID();
    const id = randomUUID();
    await t.deliver(staffMemberChanged, { personId, displayName: 'Pat Morgan', employments: [employment()] }, { id });
    await t.deliver(staffMemberChanged, { personId, displayName: 'Pat Morgan', employments: [employment()] }, { id });
    t.clock.set('2026-06-01T15:05:00Z');
    await t.deliver(staffMemberChanged, { personId, displayName: 'Pat Morgan-Lee', employments: [employment('2026-06-30')] });
    expect(await rowOf(personId)).toEqual([{ name: 'Pat Morgan-Lee', endDate: '2026-06-30' }]);
    const inbox = (await t.database!.db.execute(sql`select count(*)::int as n from billing.mso_inbox where event_id = ${id}`)) as unknown as { rows: { n: number }[] };
    expect(inbox.rows).toEqual([{ n: 1 }]);
  });

  it('does not let a redelivered older announcement undo a newer one', async () => {
    const personId = randomUUID();
    t.clock.set('2026-06-02T10:00:00Z');
    await t.deliver(staffMemberChanged, { personId, displayName: 'Dana Cruz', employments: [employment('2026-06-01')] });
    t.clock.set('2026-06-02T09:00:00Z');
    await t.deliver(staffMemberChanged, { personId, displayName: 'Dana Cruz', employments: [employment()] });
    expect(await rowOf(personId)).toEqual([{ name: 'Dana Cruz', endDate: '2026-06-01' }]);
  });

  it("lists who may work the practice's items today: MSO staff and its own, not another practice's", async () => {
    t.clock.set('2026-06-03T15:00:00Z');
    const practiceId = await t.practice({ timeZone: 'America/Chicago' });
    const otherId = await t.practice();
    const [biller, office, elsewhere] = [randomUUID(), randomUUID(), randomUUID()];
    await t.deliver(staffMemberChanged, { personId: biller, displayName: 'Aaron Biller', employments: [employment()] });
    await t.deliver(staffMemberChanged, { personId: office, displayName: 'Abby Office', employments: [{ ...employment(), employer: practiceId, title: 'Office manager' }] });
    await t.deliver(staffMemberChanged, { personId: elsewhere, displayName: 'Abe Elsewhere', employments: [{ ...employment(), employer: otherId }] });
    const list = await t.call(listWorkStaff, {}, { practiceId, role: 'practice-admin' });
    expect(list.asOf).toBe('2026-06-03');
    // Earlier tests' people: one has left (an end date before today), the other is still employed.
    expect(list.items.map((m) => m.displayName)).toEqual(['Aaron Biller', 'Abby Office', 'Pat Morgan-Lee']);
    expect(list.items[1]).toEqual({ personId: office, displayName: 'Abby Office', employments: [{ employer: practiceId, title: 'Office manager', department: 'Revenue cycle', startDate: '2025-01-06', endDate: null }] });
  });
});
