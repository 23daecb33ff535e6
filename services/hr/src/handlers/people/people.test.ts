import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { addEmployment, createPerson, getEmployment, getPerson, listPeople, updateEmployment, updatePerson } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { hr } from '../../service.js';

let t: TestService;
let practiceA: string;
let practiceB: string;
let noHr: string;

const mso = { role: 'mso-admin' as const };
const adminOf = (practiceId: string) => ({ practiceId, role: 'practice-admin' as const });

const employment = (employer: string, extra: object = {}) => ({
  employer,
  title: 'Medical assistant',
  department: 'Clinic',
  fte: 1,
  pay: { basis: 'hourly' as const, amountCents: 21_50 },
  startDate: '2026-03-02',
  ...extra,
});
const personBody = (ssn: string, extra: object = {}) => ({
  firstName: 'Dana',
  lastName: 'Reyes',
  ssn,
  dateOfBirth: '1988-04-12',
  homeAddress: { line1: '12 Palm Ave', city: 'Tampa', state: 'FL', postalCode: '33602' },
  ...extra,
});

beforeAll(async () => {
  t = await testService(hr, { clock: '2026-03-02T15:00:00Z' });
  practiceA = await t.practice({ services: ['hr'] });
  practiceB = await t.practice({ services: ['hr'] });
  noHr = await t.practice({ services: ['helpdesk'] });
});
afterAll(() => t.close());

describe('one person, several employments', () => {
  it('matches a person by SSN and date of birth: a practice hire of an MSO employee is one person with two employments', async () => {
    const first = await t.callForReply(createPerson, { ...personBody('123-45-6789'), employment: employment('mso', { title: 'Billing specialist', department: 'Revenue cycle', pay: { basis: 'salary', amountCents: 52_000_00 }, allocations: [{ practiceId: practiceA, percent: 70 }, { practiceId: practiceB, percent: 30 }] }) }, mso);
    expect(first.status).toBe(201);
    const again = await t.callForReply(createPerson, { ...personBody('123456789', { firstName: 'D.' }), employment: employment(practiceA, { fte: 0.5 }) }, adminOf(practiceA));
    expect(again.status).toBe(200);
    expect(again.output.id).toBe(first.output.id);
    // The practice sees its own employment only, and the person as on file.
    expect(again.output).toMatchObject({ firstName: 'Dana', ssnLast4: '6789', employments: [{ employer: practiceA, fte: 0.5 }] });
    const all = await t.call(getPerson, { id: first.output.id }, mso);
    expect(all.employments.map((e) => e.employer).sort()).toEqual(['mso', practiceA].sort());
    // Another practice: 404, as a missing id.
    await expect(t.call(getPerson, { id: first.output.id }, adminOf(practiceB))).rejects.toMatchObject({ status: 404, code: 'not-found' });
    const msoEmployment = all.employments.find((e) => e.employer === 'mso')!;
    await expect(t.call(getEmployment, { id: msoEmployment.id }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
    expect((await t.call(getEmployment, { id: msoEmployment.id }, mso)).allocations).toHaveLength(2);
  });

  it('stores the SSN as its last four digits and a keyed hash only', async () => {
    const rows = await t.database!.db.execute(sql`select ssn_last4, ssn_hash from hr.people`);
    const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: unknown[] }).rows) as { ssn_last4: string; ssn_hash: string }[];
    expect(list.length).toBeGreaterThan(0);
    for (const r of list) {
      expect(r.ssn_hash).not.toContain('123');
      expect(r.ssn_last4).toHaveLength(4);
    }
    const dump = JSON.stringify(await t.database!.db.execute(sql`select * from hr.people`));
    expect(dump).not.toContain('123456789');
    expect(dump).not.toContain('123-45-6789');
  });

  it('refuses the same SSN with another date of birth, and a second open employment at one employer', async () => {
    await expect(t.call(createPerson, { ...personBody('123-45-6789', { dateOfBirth: '1990-01-01' }), employment: employment(practiceB) }, adminOf(practiceB))).rejects.toMatchObject({ status: 409 });
    await expect(t.call(createPerson, { ...personBody('123-45-6789'), employment: employment(practiceA) }, adminOf(practiceA))).rejects.toMatchObject({ status: 409 });
  });

  it('keeps practice keys to their own practice and to practices that buy HR', async () => {
    await expect(t.call(createPerson, { ...personBody('222-33-4444'), employment: employment(practiceB) }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(createPerson, { ...personBody('222-33-4444'), employment: employment('mso') }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(listPeople, {}, adminOf(noHr))).rejects.toMatchObject({ status: 403, code: 'service-not-in-agreement' });
    await expect(t.call(createPerson, { ...personBody('222-33-4444'), employment: employment(noHr) }, mso)).rejects.toMatchObject({ code: 'service-not-in-agreement' });
  });

  it('checks allocations: MSO staff only, summing to 100, known practices', async () => {
    const bad = (allocations: object[], employer = 'mso') => t.call(createPerson, { ...personBody('333-44-5555'), employment: employment(employer, { allocations }) }, mso);
    await expect(bad([{ practiceId: practiceA, percent: 50 }])).rejects.toMatchObject({ status: 400, errors: [{ path: '/employment/allocations' }] });
    await expect(bad([{ practiceId: practiceB, percent: 100 }], practiceA)).rejects.toMatchObject({ status: 400 });
    await expect(bad([{ practiceId: noHr, percent: 100 }])).rejects.toMatchObject({ code: 'service-not-in-agreement' });
  });

  it('lists the directory per caller, without personal data', async () => {
    const b = await t.call(createPerson, { ...personBody('444-55-6666', { firstName: 'Lee', lastName: 'Park' }), employment: employment(practiceB) }, adminOf(practiceB));
    const seenByB = await t.call(listPeople, {}, adminOf(practiceB));
    expect(seenByB.items.map((p) => p.id)).toEqual([b.id]);
    expect(JSON.stringify(seenByB)).not.toMatch(/ssn|dateOfBirth|homeAddress|amountCents/);
    const seenByMso = await t.call(listPeople, { employer: 'mso' }, mso);
    expect(seenByMso.items.map((p) => p.lastName)).toEqual(['Reyes']);
    expect((await t.call(listPeople, {}, mso)).items.length).toBeGreaterThanOrEqual(2);
  });

  it('adds and changes employments with a manager the caller may see', async () => {
    const manager = await t.call(createPerson, { ...personBody('555-66-7777', { firstName: 'Sam' }), employment: employment(practiceA, { title: 'Office manager' }) }, adminOf(practiceA));
    const hire = await t.call(createPerson, { ...personBody('666-77-8888', { firstName: 'Ari' }), employment: employment(practiceA, { managerId: manager.id }) }, adminOf(practiceA));
    expect(hire.employments[0]!.managerId).toBe(manager.id);
    const other = await t.call(createPerson, { ...personBody('777-88-9999'), employment: employment(practiceB) }, adminOf(practiceB));
    await expect(t.call(updateEmployment, { id: hire.employments[0]!.id, managerId: other.id }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
    const ended = await t.call(updateEmployment, { id: hire.employments[0]!.id, endDate: '2026-06-30', pay: { basis: 'hourly', amountCents: 23_00 } }, adminOf(practiceA));
    expect(ended).toMatchObject({ endDate: '2026-06-30', pay: { amountCents: 23_00 } });
    await expect(t.call(updateEmployment, { id: hire.employments[0]!.id, endDate: '2026-01-01' }, adminOf(practiceA))).rejects.toMatchObject({ status: 400 });
    // The MSO takes the practice's employee on as well.
    const second = await t.call(addEmployment, { personId: hire.id, ...employment('mso', { fte: 0.2, startDate: '2026-04-01' }) }, mso);
    expect(second.employer).toBe('mso');
    await expect(t.call(addEmployment, { personId: hire.id, ...employment(practiceB) }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
  });

  it('corrects a person once for every employer, only for an employer of theirs', async () => {
    const [dana] = (await t.call(listPeople, { employer: 'mso' }, mso)).items;
    await expect(t.call(updatePerson, { id: dana!.id, lastName: 'X' }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    const moved = await t.call(updatePerson, { id: dana!.id, homeAddress: { line1: '9 Bay St', city: 'Clearwater', state: 'FL', postalCode: '33755' } }, adminOf(practiceA));
    expect(moved).toMatchObject({ lastName: 'Reyes', homeAddress: { city: 'Clearwater' }, employments: [{ employer: practiceA }] });
    expect((await t.call(getPerson, { id: dana!.id }, mso)).homeAddress).toMatchObject({ city: 'Clearwater' });
  });

  it('audits every read and write of personal data, naming ids only', async () => {
    const rows = await t.database!.db.execute(sql`select operation, outcome, resource_ids from hr.mso_audit where access in ('read', 'write') order by at`);
    const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: unknown[] }).rows) as { operation: string; outcome: string }[];
    expect(list.map((r) => r.operation)).toContain('hr.v1.person.get');
    expect(list.some((r) => r.operation === 'hr.v1.person.get' && r.outcome === 'refused')).toBe(true);
    expect(JSON.stringify(list)).not.toContain('Reyes');
  });
});
