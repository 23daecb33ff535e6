import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential, completeTask, createPerson, createProvider, credentialExpired, credentialExpiring, listTasks, updateCredential } from '@mso/contracts/hr';
import { jsonWithoutIds, testService, validNpi, type TestService } from '@mso/testing';
import { hr } from '../service.js';

// The job runs at 06:00 in the practice's zone; the harness runs it for the clock's time.
let t: TestService;
let practiceId: string;
let other: string;
let providerId: string;

const adminOf = (id: string) => ({ practiceId: id, role: 'practice-admin' as const });

beforeAll(async () => {
  t = await testService(hr, { clock: '2026-09-01T11:00:00Z' });
  practiceId = await t.practice({ services: ['hr'], timeZone: 'America/Chicago' });
  other = await t.practice({ services: ['hr'] });
  const person = await t.call(
    createPerson,
    { firstName: 'Omar', lastName: 'Haddad', ssn: '111-22-3333', dateOfBirth: '1982-02-02', employment: { employer: practiceId, title: 'Physician', department: 'Internal medicine', fte: 1, pay: { basis: 'salary', amountCents: 250_000_00 }, startDate: '2026-01-05' } },
    adminOf(practiceId),
  );
  providerId = (await t.call(createProvider, { personId: person.id, npi: validNpi(55_555_555), taxonomy: '207R00000X' }, adminOf(practiceId))).id;
});
afterAll(() => t.close());

/** Sets the clock to 06:00 Chicago (CDT, UTC-5) on `date` and runs the job. */
async function runOn(date: string) {
  t.clock.set(`${date}T11:00:00Z`);
  await t.runJob('credential-expiry');
}

const notices = async () => [
  ...(await t.events(credentialExpiring)).map((e) => `${e.data.kind} ${e.data.daysBefore}`),
  ...(await t.events(credentialExpired)).map((e) => `${e.data.kind} expired`),
];

describe('credential expiry notices', () => {
  it('announces 90, 60, 30 and 7 days before and on the day, each once, with a task each', async () => {
    const licence = await t.call(addCredential, { providerId, kind: 'state-licence', state: 'TX', number: 'Q1234', issuedOn: '2024-12-31', expiresOn: '2026-12-31' }, adminOf(practiceId));
    await runOn('2026-10-01'); // 91 days before
    expect(await notices()).toEqual([]);
    await runOn('2026-10-02');
    await runOn('2026-10-02'); // a second run of the same day (another copy, a retry) adds nothing
    await runOn('2026-10-03');
    expect(await notices()).toEqual(['state-licence 90']);
    for (const day of ['2026-11-01', '2026-11-02', '2026-12-01', '2026-12-24', '2026-12-25', '2026-12-31', '2027-01-01', '2027-01-02']) await runOn(day);
    expect(await notices()).toEqual(['state-licence 90', 'state-licence 60', 'state-licence 30', 'state-licence 7', 'state-licence expired']);
    const [first] = await t.events(credentialExpiring);
    expect(first!.data).toMatchObject({ credentialId: licence.id, providerId, practiceId, state: 'TX', expiresOn: '2026-12-31', daysBefore: 90 });
    expect(jsonWithoutIds(await t.events(credentialExpiring))).not.toMatch(/Haddad|3333|1982/);
    const open = await t.call(listTasks, { status: 'open' }, adminOf(practiceId));
    expect(open.items.map((task) => [task.kind, task.team, task.credentialId, task.dueOn])).toEqual([
      ...Array.from({ length: 4 }, () => ['credential-expiring', 'credentialing', licence.id, '2026-12-31']),
      ['credential-expired', 'credentialing', licence.id, '2026-12-31'],
    ]);
    expect(open.items[0]!.title).toContain('expires on 2026-12-31 (in 90 days)');
    // Another practice sees none of them; completing one closes it.
    expect((await t.call(listTasks, {}, adminOf(other))).items).toEqual([]);
    await expect(t.call(completeTask, { id: open.items[0]!.id }, adminOf(other))).rejects.toMatchObject({ status: 404 });
    expect(await t.call(completeTask, { id: open.items[0]!.id }, adminOf(practiceId))).toMatchObject({ status: 'done' });
    expect((await t.call(listTasks, { status: 'open' }, { role: 'mso-staff' })).items).toHaveLength(4);
  });

  it('reads the day in the practice zone: 22:30 in Chicago is still the day before', async () => {
    const dea = await t.call(addCredential, { providerId, kind: 'dea', state: 'TX', number: 'BH7654321', issuedOn: '2024-01-01', expiresOn: '2027-04-30' }, adminOf(practiceId));
    const mine = async () => (await t.events(credentialExpiring)).filter((e) => e.data.credentialId === dea.id).map((e) => e.data.daysBefore);
    t.clock.set('2027-01-30T04:30:00Z'); // Jan 30 in UTC, 22:30 on Jan 29 in Chicago: 91 days before
    await t.runJob('credential-expiry');
    expect(await mine()).toEqual([]);
    t.clock.set('2027-01-30T12:00:00Z'); // 06:00 on Jan 30 in Chicago: 90 days before
    await t.runJob('credential-expiry');
    const before = await mine();
    expect(before).toEqual([90]);
  });

  it('announces only the tightest threshold for a credential recorded late, and arms again on renewal', async () => {
    t.clock.set('2027-03-01T12:00:00Z');
    const caqh = await t.call(addCredential, { providerId, kind: 'caqh-attestation', issuedOn: '2026-11-15' }, adminOf(practiceId)); // due 2027-03-15
    await runOn('2027-03-02');
    const mine = async () => (await t.events(credentialExpiring)).filter((e) => e.data.credentialId === caqh.id).map((e) => `${e.data.expiresOn} ${e.data.daysBefore}`);
    expect(await mine()).toEqual(['2027-03-15 30']);
    await runOn('2027-03-08');
    expect(await mine()).toEqual(['2027-03-15 30', '2027-03-15 7']);
    // A new attestation: due 120 days later, the notices start over for that date.
    await t.call(updateCredential, { id: caqh.id, issuedOn: '2027-03-09' }, adminOf(practiceId)); // due 2027-07-07
    await runOn('2027-04-09'); // 89 days before
    expect(await mine()).toEqual(['2027-03-15 30', '2027-03-15 7', '2027-07-07 90']);
  });
});
