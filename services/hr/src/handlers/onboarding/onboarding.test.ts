import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addEmployment,
  completeChecklistTask,
  createChecklistTemplate,
  createPerson,
  employeeHired,
  employeeTerminated,
  getChecklist,
  listChecklists,
  listChecklistTemplates,
  listPeople,
  republishStaffDirectory,
  startChecklist,
  staffMemberChanged,
  terminateEmployment,
  updateChecklistTemplate,
  updateEmployment,
  updatePerson,
} from '@mso/contracts/hr';
import { eventually, testService, type TestService } from '@mso/testing';
import { hr } from '../../service.js';

let t: TestService;
let practiceA: string;
let practiceB: string;

const mso = { role: 'mso-admin' as const };
const adminOf = (practiceId: string) => ({ practiceId, role: 'practice-admin' as const });

let ssnSeq = 100;
const employment = (employer: string, extra: object = {}) => ({
  employer,
  title: 'Medical assistant',
  department: 'Clinic',
  fte: 1,
  pay: { basis: 'hourly' as const, amountCents: 21_50 },
  startDate: '2026-03-09',
  ...extra,
});
const personBody = (firstName: string, employmentBody: ReturnType<typeof employment>) => ({
  firstName,
  lastName: 'Okafor',
  ssn: `321-54-${String(ssnSeq++).padStart(4, '0')}`,
  dateOfBirth: '1990-07-01',
  employment: employmentBody,
});

const onboardingTasks = [
  { title: 'Order laptop and badge', ownerRole: 'it' as const, dueDays: -3 },
  { title: 'I-9 verification', ownerRole: 'hr' as const, dueDays: 3 },
  { title: '30-day check-in', ownerRole: 'manager' as const, dueDays: 30 },
];
const offboardingTasks = [
  { title: 'Disable EHR and email accounts', ownerRole: 'it' as const, dueDays: 0 },
  { title: 'Final paycheck', ownerRole: 'payroll' as const, dueDays: 5 },
];

/** Events reach HR's own consumer on the bus; wait for the published list to satisfy `ok`. */
beforeAll(async () => {
  t = await testService(hr, { clock: '2026-03-02T15:00:00Z' });
  practiceA = await t.practice({ services: ['hr', 'helpdesk'] });
  practiceB = await t.practice({ services: ['hr'] });
});
afterAll(() => t.close());

describe('checklist templates', () => {
  it('keeps one onboarding and one offboarding template per employer', async () => {
    const created = await t.call(createChecklistTemplate, { employer: practiceA, kind: 'onboarding', name: 'Clinic onboarding', tasks: onboardingTasks }, adminOf(practiceA));
    expect(created).toMatchObject({ employer: practiceA, kind: 'onboarding', tasks: onboardingTasks });
    await t.call(createChecklistTemplate, { employer: practiceA, kind: 'offboarding', name: 'Clinic offboarding', tasks: offboardingTasks }, adminOf(practiceA));
    await expect(t.call(createChecklistTemplate, { employer: practiceA, kind: 'onboarding', name: 'Again', tasks: onboardingTasks }, mso)).rejects.toMatchObject({ status: 409, errors: [{ path: '/kind' }] });
    await t.call(createChecklistTemplate, { employer: 'mso', kind: 'onboarding', name: 'MSO onboarding', tasks: [{ title: 'Benefits enrollment', ownerRole: 'hr', dueDays: 14 }] }, mso);
    await expect(t.call(createChecklistTemplate, { employer: 'mso', kind: 'onboarding', name: 'Again', tasks: onboardingTasks }, mso)).rejects.toMatchObject({ status: 409 });
  });

  it('keeps practice keys to their own templates', async () => {
    await expect(t.call(createChecklistTemplate, { employer: practiceA, kind: 'onboarding', name: 'X', tasks: onboardingTasks }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    expect((await t.call(listChecklistTemplates, {}, adminOf(practiceB))).items).toEqual([]);
    expect((await t.call(listChecklistTemplates, {}, adminOf(practiceA))).items.map((x) => x.kind).sort()).toEqual(['offboarding', 'onboarding']);
    expect((await t.call(listChecklistTemplates, { employer: 'mso' }, mso)).items.map((x) => x.name)).toEqual(['MSO onboarding']);
    const [mine] = (await t.call(listChecklistTemplates, { kind: 'onboarding' }, adminOf(practiceA))).items;
    await expect(t.call(updateChecklistTemplate, { id: mine!.id, name: 'Mine' }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a task without an owner role or with a due day out of range, naming the field', async () => {
    await expect(
      t.call(createChecklistTemplate, { employer: practiceB, kind: 'onboarding', name: 'X', tasks: [{ title: 'A', ownerRole: 'janitor', dueDays: 1 }] } as never, adminOf(practiceB)),
    ).rejects.toMatchObject({ status: 400, errors: [{ path: '/tasks/0/ownerRole' }] });
    await expect(t.call(createChecklistTemplate, { employer: practiceB, kind: 'onboarding', name: 'X', tasks: [{ title: 'A', ownerRole: 'hr', dueDays: 9999 }] }, adminOf(practiceB))).rejects.toMatchObject({
      status: 400,
      errors: [{ path: '/tasks/0/dueDays' }],
    });
  });
});

describe('a hire', () => {
  it('starts the onboarding checklist from the start date and announces the hire with its systems', async () => {
    const hire = await t.call(createPerson, personBody('Ada', employment(practiceA, { systems: ['ehr', 'email'] })), adminOf(practiceA));
    const e = hire.employments[0]!;
    expect(e.systems).toEqual(['ehr', 'email']);
    const { items } = await t.call(listChecklists, { employmentId: e.id }, adminOf(practiceA));
    expect(items).toEqual([expect.objectContaining({ kind: 'onboarding', displayName: 'Ada Okafor', title: 'Medical assistant', anchorDate: '2026-03-09', status: 'open', progress: { done: 0, total: 3, overdue: 0 } })]);
    const checklist = await t.call(getChecklist, { id: items[0]!.id }, adminOf(practiceA));
    expect(checklist.tasks.map((x) => [x.title, x.ownerRole, x.dueOn])).toEqual([
      ['Order laptop and badge', 'it', '2026-03-06'],
      ['I-9 verification', 'hr', '2026-03-12'],
      ['30-day check-in', 'manager', '2026-04-08'],
    ]);
    const hired = (await t.events(employeeHired)).filter((x) => x.data.employeeId === e.id);
    expect(hired.map((x) => x.data)).toEqual([{ employeeId: e.id, practiceId: practiceA, displayName: 'Ada Okafor', jobTitle: 'Medical assistant', startDate: '2026-03-09', systems: ['ehr', 'email'] }]);
    expect(hired[0]!.tenantid).toBe(practiceA);
    expect(JSON.stringify(hired)).not.toMatch(/amountCents|ssn|1990-07-01/);
    // Another practice: 404, as a missing id.
    await expect(t.call(getChecklist, { id: checklist.id }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    expect((await t.call(listChecklists, {}, adminOf(practiceB))).items).toEqual([]);
  });

  it('shows progress and overdue tasks on the clock, and completes when every task is done', async () => {
    const hire = await t.call(createPerson, personBody('Ben', employment(practiceA)), adminOf(practiceA));
    const [summary] = (await t.call(listChecklists, { employmentId: hire.employments[0]!.id }, mso)).items;
    t.clock.set('2026-03-13T15:00:00Z'); // the laptop (due 03-06) and the I-9 (due 03-12) are late
    let checklist = await t.call(getChecklist, { id: summary!.id }, adminOf(practiceA));
    expect(checklist.progress).toEqual({ done: 0, total: 3, overdue: 2 });
    checklist = await t.call(completeChecklistTask, { id: checklist.id, taskId: checklist.tasks[0]!.id }, adminOf(practiceA));
    expect(checklist.progress).toEqual({ done: 1, total: 3, overdue: 1 });
    expect(checklist.tasks[0]).toMatchObject({ overdue: false, doneAt: '2026-03-13T15:00:00.000Z' });
    // Again: no change.
    expect((await t.call(completeChecklistTask, { id: checklist.id, taskId: checklist.tasks[0]!.id }, adminOf(practiceA))).tasks[0]!.doneAt).toBe('2026-03-13T15:00:00.000Z');
    await expect(t.call(completeChecklistTask, { id: checklist.id, taskId: checklist.tasks[1]!.id }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    await t.call(completeChecklistTask, { id: checklist.id, taskId: checklist.tasks[1]!.id }, adminOf(practiceA));
    const done = await t.call(completeChecklistTask, { id: checklist.id, taskId: checklist.tasks[2]!.id }, mso);
    expect(done).toMatchObject({ status: 'complete', progress: { done: 3, total: 3, overdue: 0 }, completedAt: '2026-03-13T15:00:00.000Z' });
    expect((await t.call(listChecklists, { status: 'open', employmentId: checklist.employmentId }, adminOf(practiceA))).items).toEqual([]);
    t.clock.set('2026-03-02T15:00:00Z');
  });

  it('keeps a template change for the checklists started after it', async () => {
    const [template] = (await t.call(listChecklistTemplates, { employer: practiceA, kind: 'onboarding' }, mso)).items;
    await t.call(updateChecklistTemplate, { id: template!.id, tasks: [{ title: 'Welcome lunch', ownerRole: 'manager', dueDays: 0 }] }, adminOf(practiceA));
    const later = await t.call(createPerson, personBody('Cy', employment(practiceA)), adminOf(practiceA));
    const [checklist] = (await t.call(listChecklists, { employmentId: later.employments[0]!.id }, adminOf(practiceA))).items;
    expect(checklist!.progress.total).toBe(1);
    expect((await t.call(listChecklists, { employer: practiceA, kind: 'onboarding' }, mso)).items.map((c) => c.progress.total).sort()).toEqual([1, 3, 3]);
    await t.call(updateChecklistTemplate, { id: template!.id, tasks: onboardingTasks }, adminOf(practiceA));
  });

  it('starts no checklist without a template, and announces no hire for the MSO (it has no practice for helpdesk)', async () => {
    const atB = await t.call(createPerson, personBody('Dee', employment(practiceB)), adminOf(practiceB));
    expect((await t.call(listChecklists, { employmentId: atB.employments[0]!.id }, mso)).items).toEqual([]);
    expect((await t.events(employeeHired)).some((x) => x.data.employeeId === atB.employments[0]!.id)).toBe(true);
    const atMso = await t.call(createPerson, personBody('Eli', employment('mso', { title: 'Billing specialist' })), mso);
    const msoId = atMso.employments[0]!.id;
    expect((await t.call(listChecklists, { employmentId: msoId }, mso)).items).toEqual([expect.objectContaining({ employer: 'mso', progress: { done: 0, total: 1, overdue: 0 } })]);
    expect((await t.events(employeeHired)).some((x) => x.data.employeeId === msoId)).toBe(false);
    expect((await t.call(listChecklists, { employer: 'mso' }, mso)).items.map((c) => c.employmentId)).toEqual([msoId]);
    await t.call(terminateEmployment, { id: msoId, lastDay: '2026-06-30', reason: 'layoff' }, mso);
    expect((await t.events(employeeTerminated)).some((x) => x.data.employeeId === msoId)).toBe(false);
  });
});

describe('starting a checklist by hand', () => {
  it('starts one for a hire recorded before the template, once, and offboarding only with a last day', async () => {
    const early = await t.call(createPerson, personBody('Ida', employment(practiceB, { startDate: '2026-03-16' })), adminOf(practiceB));
    const employmentId = early.employments[0]!.id;
    await expect(t.call(startChecklist, { employmentId, kind: 'onboarding' }, adminOf(practiceB))).rejects.toMatchObject({ status: 409, errors: [{ path: '/kind' }] });
    await t.call(createChecklistTemplate, { employer: practiceB, kind: 'onboarding', name: 'Onboarding', tasks: onboardingTasks }, adminOf(practiceB));
    const started = await t.call(startChecklist, { employmentId, kind: 'onboarding' }, adminOf(practiceB));
    expect(started).toMatchObject({ kind: 'onboarding', anchorDate: '2026-03-16', progress: { done: 0, total: 3, overdue: 0 } });
    expect(started.tasks[0]!.dueOn).toBe('2026-03-13');
    await expect(t.call(startChecklist, { employmentId, kind: 'onboarding' }, adminOf(practiceB))).rejects.toMatchObject({ status: 409 });
    await expect(t.call(startChecklist, { employmentId, kind: 'offboarding' }, adminOf(practiceB))).rejects.toMatchObject({ status: 409, errors: [{ path: '/kind' }] });
    await expect(t.call(startChecklist, { employmentId, kind: 'onboarding' }, adminOf(practiceA))).rejects.toMatchObject({ status: 404, errors: [{ path: '/employmentId' }] });
  });
});

describe('a termination', () => {
  it('ends the employment on its last day, starts offboarding and announces it, once', async () => {
    const hire = await t.call(createPerson, personBody('Fay', employment(practiceA, { systems: ['ehr', 'vpn'] })), adminOf(practiceA));
    const id = hire.employments[0]!.id;
    const ended = await t.call(terminateEmployment, { id, lastDay: '2026-03-20', reason: 'resignation', note: 'Moving away' }, adminOf(practiceA));
    expect(ended.employment.endDate).toBe('2026-03-20');
    expect(ended.termination).toMatchObject({ lastDay: '2026-03-20', reason: 'resignation', note: 'Moving away' });
    const offboarding = await t.call(getChecklist, { id: ended.offboardingChecklistId! }, adminOf(practiceA));
    expect(offboarding).toMatchObject({ kind: 'offboarding', anchorDate: '2026-03-20' });
    expect(offboarding.tasks.map((x) => x.dueOn)).toEqual(['2026-03-20', '2026-03-25']);
    const terminated = (await t.events(employeeTerminated)).filter((x) => x.data.employeeId === id);
    expect(terminated.map((x) => x.data)).toEqual([{ employeeId: id, practiceId: practiceA, displayName: 'Fay Okafor', lastDay: '2026-03-20', systems: ['ehr', 'vpn'] }]);
    expect(JSON.stringify(terminated)).not.toContain('Moving away');
    await expect(t.call(terminateEmployment, { id, lastDay: '2026-03-21', reason: 'other' }, adminOf(practiceA))).rejects.toMatchObject({ status: 409 });
    await expect(t.call(terminateEmployment, { id, lastDay: '2026-03-21', reason: 'other' }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    // A corrected last day moves the open offboarding tasks; it cannot be removed.
    await t.call(updateEmployment, { id, endDate: '2026-03-27' }, adminOf(practiceA));
    expect((await t.call(getChecklist, { id: offboarding.id }, adminOf(practiceA))).tasks.map((x) => x.dueOn)).toEqual(['2026-03-27', '2026-04-01']);
    await expect(t.call(updateEmployment, { id, endDate: null }, adminOf(practiceA))).rejects.toMatchObject({ status: 409, errors: [{ path: '/endDate' }] });
    expect((await t.events(employeeTerminated)).filter((x) => x.data.employeeId === id)).toHaveLength(1);
  });

  it('treats an end date set on an open employment as a termination, and refuses a last day before the start', async () => {
    const hire = await t.call(createPerson, personBody('Gus', employment(practiceA)), adminOf(practiceA));
    const id = hire.employments[0]!.id;
    await expect(t.call(terminateEmployment, { id, lastDay: '2026-03-01', reason: 'dismissal' }, adminOf(practiceA))).rejects.toMatchObject({ status: 400, errors: [{ path: '/lastDay' }] });
    await t.call(updateEmployment, { id, endDate: '2026-04-30' }, adminOf(practiceA));
    expect((await t.events(employeeTerminated)).filter((x) => x.data.employeeId === id).map((x) => x.data.lastDay)).toEqual(['2026-04-30']);
    expect((await t.call(listChecklists, { employmentId: id, kind: 'offboarding' }, adminOf(practiceA))).items).toHaveLength(1);
  });
});

describe('the staff directory', () => {
  it('publishes every employment of the person on each change, whoever made it', async () => {
    const atMso = await t.call(createPerson, personBody('Hal', employment('mso', { title: 'Coder', department: 'Revenue cycle' })), mso);
    const personId = atMso.id;
    await t.call(addEmployment, { personId, ...employment(practiceA, { title: 'Scribe', startDate: '2026-04-01' }) }, mso);
    // The practice's key sees only its own employment; the directory entry it causes still lists both.
    await t.call(updatePerson, { id: personId, lastName: 'Okafor-Reid' }, adminOf(practiceA));
    const latest = async () => (await t.events(staffMemberChanged)).filter((x) => x.data.personId === personId).at(-1)?.data;
    const entry = await eventually(latest, (d) => d?.displayName === 'Hal Okafor-Reid');
    expect(entry!.employments.map((e) => [e.employer, e.title, e.endDate])).toEqual([
      ['mso', 'Coder', null],
      [practiceA, 'Scribe', null],
    ]);
    expect(JSON.stringify(entry)).not.toMatch(/amountCents|ssn|dateOfBirth|1990-07-01/);
    const practiceEmployment = entry!.employments.find((e) => e.employer === practiceA)!;
    await t.call(terminateEmployment, { id: practiceEmployment.employmentId, lastDay: '2026-05-31', reason: 'end-of-contract' }, adminOf(practiceA));
    const after = await eventually(latest, (d) => d?.employments.some((e) => e.endDate === '2026-05-31') ?? false);
    expect(after!.employments.map((e) => [e.employer, e.endDate])).toEqual([
      ['mso', null],
      [practiceA, '2026-05-31'],
    ]);
    // Platform events: one sequence for every person, in commit order.
    expect((await t.events(staffMemberChanged)).every((x) => x.tenantid === undefined)).toBe(true);
  });

  it("republishes every person's entry for a service that starts keeping the directory late (MSO admins only)", async () => {
    await expect(t.call(republishStaffDirectory, {}, adminOf(practiceA))).rejects.toMatchObject({ status: 403 });
    const everyone = (await t.call(listPeople, { limit: 200 }, mso)).items.map((p) => p.id);
    const before = (await t.events(staffMemberChanged)).length;
    expect(await t.call(republishStaffDirectory, {}, mso)).toEqual({ people: everyone.length });
    const again = await eventually(
      async () => (await t.events(staffMemberChanged)).slice(before),
      (list) => list.length >= everyone.length,
    );
    expect(new Set(again.map((x) => x.data.personId))).toEqual(new Set(everyone));
  });
});
