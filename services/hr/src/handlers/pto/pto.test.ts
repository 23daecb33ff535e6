import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  addEmployment,
  adjustPtoBalance,
  approvePtoRequest,
  cancelPtoRequest,
  createPerson,
  createPtoPolicy,
  createPtoRequest,
  getPtoBalance,
  getPtoRequest,
  listPtoPolicies,
  listPtoRequests,
  ptoBalanceReport,
  rejectPtoRequest,
  updatePtoPolicy,
} from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { hr } from '../../service.js';

let t: TestService;
let practiceId: string;
let other: string;
let managerId: string;
let employeeId: string;
let employment: string;
let msoEmployment: string;
let otherEmployment: string;

const admin = (id = practiceId) => ({ practiceId: id, role: 'practice-admin' as const });
const user = (id = practiceId) => ({ practiceId: id, role: 'practice-user' as const });
const msoAdmin = { role: 'mso-admin' as const };
const job = (employer: string, title = 'Front desk') => ({ employer, title, department: 'Clinic', fte: 1, pay: { basis: 'hourly' as const, amountCents: 21_00 }, startDate: '2026-01-05' });
const person = <E>(n: number, employment: E) => ({ firstName: `First${n}`, lastName: `Last${n}`, ssn: `300-00-00${String(n).padStart(2, '0')}`, dateOfBirth: '1988-08-08', employment });

beforeAll(async () => {
  t = await testService(hr, { clock: '2026-03-10T15:00:00Z' });
  practiceId = await t.practice({ services: ['hr'], timeZone: 'America/Denver' });
  other = await t.practice({ services: ['hr'] });
  managerId = (await t.call(createPerson, person(1, job(practiceId, 'Office manager')), admin())).id;
  const employee = await t.call(createPerson, person(2, { ...job(practiceId), managerId }), admin());
  employeeId = employee.id;
  employment = employee.employments[0]!.id;
  msoEmployment = (await t.call(addEmployment, { personId: employeeId, ...job('mso', 'Billing clerk') }, msoAdmin)).id;
  otherEmployment = (await t.call(createPerson, person(3, job(other)), admin(other))).employments[0]!.id;
  await t.call(createPtoPolicy, { employer: practiceId, leaveType: 'vacation', name: 'Vacation', accrualHoursPerMonth: 6.67, carryOverCapHours: 40, maxBalanceHours: 80 }, admin());
  await t.call(createPtoPolicy, { employer: practiceId, leaveType: 'sick', name: 'Sick leave', accrualHoursPerMonth: 4, allowNegative: true }, admin());
  await t.call(createPtoPolicy, { employer: 'mso', leaveType: 'vacation', name: 'MSO vacation', accrualHoursPerMonth: 10 }, msoAdmin);
  await t.call(createPtoPolicy, { employer: other, leaveType: 'vacation', name: 'Vacation', accrualHoursPerMonth: 8 }, admin(other));
  await t.call(adjustPtoBalance, { employmentId: employment, leaveType: 'vacation', hours: 24, reason: 'Opening balance' }, admin());
});
afterAll(() => t.close());

const balance = async (leaveType = 'vacation', id = employment) => t.call(getPtoBalance, { employmentId: id, leaveType }, admin());
const request = (hours: number, startDate: string, endDate = startDate, leaveType = 'vacation') => t.call(createPtoRequest, { employmentId: employment, leaveType, startDate, endDate, hours }, user());

describe('PTO policies', () => {
  it("keeps one policy per employer and leave type, each employer's own", async () => {
    await expect(t.call(createPtoPolicy, { employer: practiceId, leaveType: 'vacation', name: 'Again', accrualHoursPerMonth: 1 }, admin())).rejects.toMatchObject({ status: 409, errors: [{ path: '/leaveType' }] });
    // A practice key writes for its own practice only; the carry-over cap cannot exceed the maximum.
    await expect(t.call(createPtoPolicy, { employer: 'mso', leaveType: 'sick', name: 'Sick', accrualHoursPerMonth: 1 }, admin())).rejects.toMatchObject({ status: 404 });
    await expect(t.call(createPtoPolicy, { employer: practiceId, leaveType: 'personal', name: 'Personal', accrualHoursPerMonth: 1, carryOverCapHours: 50, maxBalanceHours: 40 }, admin())).rejects.toMatchObject({ status: 400, errors: [{ path: '/carryOverCapHours' }] });
    // Hours take two decimals at most.
    await expect(t.call(createPtoPolicy, { employer: practiceId, leaveType: 'personal', name: 'Personal', accrualHoursPerMonth: 1.005 }, admin())).rejects.toMatchObject({ status: 400 });

    const own = await t.call(listPtoPolicies, {}, user());
    expect(own.items.map((p) => `${p.employer === practiceId ? 'own' : p.employer} ${p.leaveType} ${p.accrualHoursPerMonth}`)).toEqual(['own sick 4', 'own vacation 6.67']);
    await expect(t.call(listPtoPolicies, { employer: 'mso' }, user())).rejects.toMatchObject({ status: 404 });
    const all = await t.call(listPtoPolicies, {}, msoAdmin);
    expect(all.items).toHaveLength(4);
    expect((await t.call(listPtoPolicies, { employer: 'mso' }, msoAdmin)).items.map((p) => p.name)).toEqual(['MSO vacation']);

    const sick = own.items.find((p) => p.leaveType === 'sick')!;
    const updated = await t.call(updatePtoPolicy, { id: sick.id, accrualHoursPerMonth: 4.5, maxBalanceHours: 40 }, admin());
    expect(updated).toMatchObject({ accrualHoursPerMonth: 4.5, maxBalanceHours: 40, carryOverCapHours: null, allowNegative: true, active: true });
    await expect(t.call(updatePtoPolicy, { id: sick.id, name: 'Mine now' }, admin(other))).rejects.toMatchObject({ status: 404 });
  });
});

describe('PTO requests', () => {
  it("is approved by the employment's manager and writes a use entry", async () => {
    const pending = await request(8, '2026-04-06');
    expect(pending).toMatchObject({ status: 'pending', hours: 8, employer: practiceId, decidedBy: null });
    expect(await balance()).toMatchObject({ balanceHours: 24, pendingHours: 8, availableHours: 16 });
    // Keys are not people: a user key names the deciding person, who must be the manager.
    await expect(t.call(approvePtoRequest, { id: pending.id }, user())).rejects.toMatchObject({ status: 403, errors: [{ path: '/decidedBy' }] });
    await expect(t.call(approvePtoRequest, { id: pending.id, decidedBy: crypto.randomUUID() }, user())).rejects.toMatchObject({ status: 403, errors: [{ path: '/decidedBy' }] });
    await expect(t.call(approvePtoRequest, { id: pending.id, decidedBy: employeeId }, admin())).rejects.toMatchObject({ status: 403 });
    await expect(t.call(approvePtoRequest, { id: pending.id, decidedBy: crypto.randomUUID() }, admin())).rejects.toMatchObject({ status: 404, errors: [{ path: '/decidedBy' }] });
    const approved = await t.call(approvePtoRequest, { id: pending.id, decidedBy: managerId }, user());
    expect(approved).toMatchObject({ status: 'approved', decidedBy: managerId, decidedAt: '2026-03-10T15:00:00.000Z' });
    await expect(t.call(approvePtoRequest, { id: pending.id, decidedBy: managerId }, user())).rejects.toMatchObject({ status: 409 });
    const after = await balance();
    expect(after).toMatchObject({ balanceHours: 16, pendingHours: 0, availableHours: 16 });
    expect(after.entries.map((e) => [e.kind, e.hours, e.entryDate, e.requestId])).toEqual([
      ['adjustment', 24, '2026-03-10', null],
      ['use', -8, '2026-04-06', pending.id],
    ]);
  });

  it('refuses a request above the available balance (pending hours count), naming hours', async () => {
    const first = await request(10, '2026-05-04');
    // 16 on the books, 10 pending: 6 available.
    await expect(request(6.01, '2026-05-11')).rejects.toMatchObject({ status: 422, code: 'unprocessable', errors: [{ path: '/hours' }] });
    const fits = await request(6, '2026-05-11');
    // Days already asked for are refused, and so are dates outside the employment.
    await expect(request(1, '2026-05-04')).rejects.toMatchObject({ status: 409, errors: [{ path: '/startDate' }] });
    await expect(request(1, '2025-12-31')).rejects.toMatchObject({ status: 422, errors: [{ path: '/startDate' }] });
    await expect(request(1, '2026-05-20', '2026-05-19')).rejects.toMatchObject({ status: 400, errors: [{ path: '/endDate' }] });
    await expect(request(1, '2026-05-20', '2026-05-20', 'bereavement')).rejects.toMatchObject({ status: 422, errors: [{ path: '/leaveType' }] });
    // An admin rejects one: nothing is written, its hours are available again.
    expect(await t.call(rejectPtoRequest, { id: first.id }, admin())).toMatchObject({ status: 'rejected', decidedBy: null });
    expect(await balance()).toMatchObject({ balanceHours: 16, pendingHours: 6, availableHours: 10 });
    await expect(t.call(cancelPtoRequest, { id: first.id }, user())).rejects.toMatchObject({ status: 409 });
    await t.call(cancelPtoRequest, { id: fits.id }, user());
    expect(await balance()).toMatchObject({ balanceHours: 16, pendingHours: 0 });
  });

  it('gives the hours back with a reversing entry when an approved request is cancelled', async () => {
    const r = await request(4, '2026-06-01');
    await t.call(approvePtoRequest, { id: r.id }, admin());
    expect((await balance()).balanceHours).toBe(12);
    expect(await t.call(cancelPtoRequest, { id: r.id }, user())).toMatchObject({ status: 'cancelled', cancelledAt: '2026-03-10T15:00:00.000Z' });
    const after = await balance();
    expect(after.balanceHours).toBe(16);
    expect(after.entries.slice(-2).map((e) => [e.kind, e.hours, e.requestId])).toEqual([
      ['use', -4, r.id],
      ['use-reversal', 4, r.id],
    ]);
    expect(await t.call(getPtoRequest, { id: r.id }, user())).toMatchObject({ status: 'cancelled' });
    // The ledger refuses a change to an entry, even from inside the database.
    const changed = await t.database!.db.execute(sql`update hr.pto_entries set hundredths = 0`).catch((e: unknown) => e as Error);
    expect(String((changed as Error & { cause?: unknown }).cause ?? changed)).toMatch(/immutable/);
    expect((await balance()).balanceHours).toBe(16);
  });

  it('lets a balance go below zero when the policy allows negative', async () => {
    const r = await request(12, '2026-07-06', '2026-07-07', 'sick');
    await t.call(approvePtoRequest, { id: r.id, decidedBy: managerId }, user());
    expect(await balance('sick')).toMatchObject({ balanceHours: -12, availableHours: -12 });
    // Adjustments: signed, with a reason; taking the vacation balance below zero is refused.
    await expect(t.call(adjustPtoBalance, { employmentId: employment, leaveType: 'vacation', hours: -16.5, reason: 'Correction' }, admin())).rejects.toMatchObject({ status: 422, errors: [{ path: '/hours' }] });
    await expect(t.call(adjustPtoBalance, { employmentId: employment, leaveType: 'vacation', hours: 0, reason: 'Nothing' }, admin())).rejects.toMatchObject({ status: 400 });
    expect((await t.call(adjustPtoBalance, { employmentId: employment, leaveType: 'vacation', hours: -1.25, reason: 'Correction', entryDate: '2026-03-01' }, admin())).balanceHours).toBe(14.75);
  });

  it("lists a manager's waiting requests", async () => {
    const r = await request(2, '2026-08-03');
    const waiting = await t.call(listPtoRequests, { managerId, status: 'pending' }, user());
    expect(waiting.items.map((i) => i.id)).toEqual([r.id]);
    expect((await t.call(listPtoRequests, { managerId, status: 'pending' }, user(other))).items).toEqual([]);
    await t.call(cancelPtoRequest, { id: r.id }, user());
  });
});

describe('who sees what', () => {
  it("answers 404 for another practice's or the MSO's employment to a practice key", async () => {
    const r = await request(1, '2026-09-07');
    await expect(t.call(getPtoBalance, { employmentId: employment, leaveType: 'vacation' }, admin(other))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getPtoBalance, { employmentId: msoEmployment, leaveType: 'vacation' }, admin())).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getPtoRequest, { id: r.id }, user(other))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(approvePtoRequest, { id: r.id }, admin(other))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(cancelPtoRequest, { id: r.id }, user(other))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(createPtoRequest, { employmentId: otherEmployment, leaveType: 'vacation', startDate: '2026-09-07', endDate: '2026-09-07', hours: 1 }, user())).rejects.toMatchObject({ status: 404 });
    await expect(t.call(adjustPtoBalance, { employmentId: msoEmployment, leaveType: 'vacation', hours: 1, reason: 'x' }, admin())).rejects.toMatchObject({ status: 404 });
    // An MSO key sees both employments; a leave type nobody has is 404.
    expect((await t.call(getPtoBalance, { employmentId: msoEmployment, leaveType: 'vacation' }, msoAdmin)).balanceHours).toBe(0);
    expect((await t.call(getPtoBalance, { employmentId: employment, leaveType: 'vacation' }, msoAdmin)).pendingHours).toBe(1);
    await expect(t.call(getPtoBalance, { employmentId: msoEmployment, leaveType: 'sick' }, msoAdmin)).rejects.toMatchObject({ status: 404, errors: [{ path: '/leaveType' }] });
    await t.call(cancelPtoRequest, { id: r.id }, msoAdmin);
  });

  it('reports balances per employer, employment and leave type', async () => {
    await t.call(adjustPtoBalance, { employmentId: otherEmployment, leaveType: 'vacation', hours: 3.5, reason: 'Opening balance' }, admin(other));
    await t.call(adjustPtoBalance, { employmentId: msoEmployment, leaveType: 'vacation', hours: 0.1, reason: 'Opening balance' }, msoAdmin);
    await t.call(adjustPtoBalance, { employmentId: msoEmployment, leaveType: 'vacation', hours: 0.2, reason: 'Opening balance' }, msoAdmin);
    const own = await t.call(ptoBalanceReport, {}, admin());
    expect(own.employers.map((e) => e.employer)).toEqual([practiceId]);
    const [group] = own.employers;
    expect(group!.rows.map((r) => `${r.lastName} ${r.leaveType} ${r.balanceHours}`)).toEqual(['Last1 sick 0', 'Last1 vacation 0', 'Last2 sick -12', 'Last2 vacation 14.75']);
    expect(group!.totals).toEqual([
      { leaveType: 'sick', balanceHours: -12, pendingHours: 0 },
      { leaveType: 'vacation', balanceHours: 14.75, pendingHours: 0 },
    ]);
    await expect(t.call(ptoBalanceReport, { employer: other }, admin())).rejects.toMatchObject({ status: 404 });

    const all = await t.call(ptoBalanceReport, { leaveType: 'vacation' }, msoAdmin);
    expect(all.employers[0]!.employer).toBe('mso');
    expect(all.employers.map((e) => e.employer).slice(1).sort()).toEqual([practiceId, other].sort());
    // 0.1 + 0.2 summed as hundredths: exactly 0.3.
    expect(all.employers[0]!.totals).toEqual([{ leaveType: 'vacation', balanceHours: 0.3, pendingHours: 0 }]);
    expect(all.employers.find((e) => e.employer === other)!.rows.map((r) => r.balanceHours)).toEqual([3.5]);
  });
});
