import { and, asc, eq, exists, inArray, isNull, type SQL } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { createPerson, getPerson, listPeople, updatePerson } from '@mso/contracts/hr';
import { keysetPage, paginate, type Db, type HandlerContext, type TransactionContext } from '@mso/kit';
import { checkAllocations, checkDates, fteToHundredths, ssnHash, ssnLast4 } from '../../domain/people.js';
import { notFound } from '../../domain/problems.js';
import { employments, people } from '../../db/schema.js';
import { ssnKey } from '../../ssn-key.js';
import { checkEmployer, practiceOfEmployer, withCaller, type Caller } from '../access.js';
import { announcePersonChanged, employmentStarted } from './lifecycle.js';
import { personView, type EmploymentRow, type PersonRow } from './views.js';

/** The employments of a person the caller may see: a practice key's own practice's only. */
export function visibleEmployments(caller: Caller, ...conditions: (SQL | undefined)[]): SQL {
  return and(caller.practiceId ? eq(employments.practiceId, caller.practiceId) : undefined, ...conditions)!;
}

/** A person the caller may see: for a practice key, one its practice employs (another's is 404). */
export async function findPerson(db: Db, caller: Caller, id: string) {
  const seen = caller.practiceId
    ? exists(db.select({ one: employments.id }).from(employments).where(visibleEmployments(caller, eq(employments.personId, people.id))))
    : undefined;
  const [row] = await db.select().from(people).where(and(eq(people.id, id), seen)).limit(1);
  return row ?? null;
}

export async function employmentsOf(db: Db, caller: Caller, personId: string): Promise<EmploymentRow[]> {
  return db.select().from(employments).where(visibleEmployments(caller, eq(employments.personId, personId))).orderBy(asc(employments.startDate), asc(employments.id));
}

/** The manager named must be a person the caller may see. */
export async function checkManager(db: Db, caller: Caller, managerId: string | null | undefined, path: string) {
  if (!managerId) return;
  if (!(await findPerson(db, caller, managerId))) throw new ProblemError('not-found', 'no such manager', [{ path, message: 'is not a person you may see' }]);
}

export interface EmploymentInput {
  employer: string;
  title: string;
  department: string;
  fte: number;
  pay: { basis: string; amountCents: number };
  startDate: string;
  endDate?: string | undefined;
  managerId?: string | undefined;
  allocations?: { practiceId: string; percent: number }[] | undefined;
  systems?: string[] | undefined;
}

/**
 * Checks and inserts an employment of `person`; refuses a second open employment with one employer.
 * Starts its onboarding checklist and announces the hire (lifecycle.ts), in the same transaction.
 */
export async function insertEmployment(ctx: HandlerContext, tx: TransactionContext, caller: Caller, person: PersonRow, input: EmploymentInput, path: string): Promise<EmploymentRow> {
  const { db } = tx;
  const personId = person.id;
  const practiceId = await checkEmployer(ctx, caller, input.employer, `${path}/employer`);
  const allocations = checkAllocations(input.employer.toLowerCase(), input.allocations, `${path}/allocations`);
  for (const a of allocations) await checkEmployer(ctx, { practiceId: null }, a.practiceId, `${path}/allocations`);
  checkDates(input.startDate, input.endDate, `${path}/endDate`);
  await checkManager(db, caller, input.managerId, `${path}/managerId`);
  const sameEmployer = practiceId === null ? isNull(employments.practiceId) : eq(employments.practiceId, practiceId);
  const open = await db.select({ id: employments.id, endDate: employments.endDate }).from(employments).where(and(eq(employments.personId, personId), sameEmployer));
  if (open.some((e) => e.endDate === null || e.endDate >= input.startDate)) {
    throw new ProblemError('conflict', 'the person already has an employment with this employer over that time', [{ path: `${path}/employer`, message: 'overlaps an employment on file' }]);
  }
  const now = ctx.clock.now();
  const [row] = await db
    .insert(employments)
    .values({
      id: crypto.randomUUID(),
      practiceId: practiceOfEmployer(input.employer),
      personId,
      title: input.title,
      department: input.department,
      fteHundredths: fteToHundredths(input.fte),
      payBasis: input.pay.basis,
      payCents: input.pay.amountCents,
      startDate: input.startDate,
      endDate: input.endDate ?? null,
      managerId: input.managerId ?? null,
      allocations,
      systems: input.systems ?? [],
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await employmentStarted(tx, person, row!);
  return row!;
}

/**
 * The match rule: a person is their SSN. The same SSN with the same date of birth is the person on
 * file, and the new employment joins it (200); the same SSN with another date of birth is refused
 * (409) rather than guessed at: one of the two was entered wrong.
 */
export async function createPersonHandler(input: InputOf<typeof createPerson>, ctx: HandlerContext): Promise<OutputOf<typeof createPerson>> {
  return withCaller(ctx, 'hr.person-create', async (tx, caller) => {
    const hash = ssnHash(input.ssn, ssnKey());
    const now = ctx.clock.now();
    const [inserted] = await tx.db
      .insert(people)
      .values({
        id: crypto.randomUUID(),
        firstName: input.firstName,
        lastName: input.lastName,
        email: input.email ?? null,
        ssnLast4: ssnLast4(input.ssn),
        ssnHash: hash,
        dateOfBirth: input.dateOfBirth,
        homeAddress: input.homeAddress ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: people.ssnHash })
      .returning();
    let person = inserted;
    if (!person) {
      const [onFile] = await tx.db.select().from(people).where(eq(people.ssnHash, hash)).limit(1);
      if (!onFile || onFile.dateOfBirth !== input.dateOfBirth) {
        throw new ProblemError('conflict', 'a person with this SSN is on file with other details', [{ path: '/ssn', message: 'matches a person with another date of birth' }]);
      }
      person = onFile;
    }
    await insertEmployment(ctx, tx, caller, person, input.employment, '/employment');
    ctx.status(inserted ? 201 : 200);
    return personView(person, await employmentsOf(tx.db, caller, person.id));
  });
}

export async function getPersonHandler(input: InputOf<typeof getPerson>, ctx: HandlerContext): Promise<OutputOf<typeof getPerson>> {
  return withCaller(ctx, 'hr.person-get', async (tx, caller) => {
    const person = await findPerson(tx.db, caller, input.id);
    if (!person) throw notFound('person');
    return personView(person, await employmentsOf(tx.db, caller, person.id));
  });
}

export async function listPeopleHandler(input: InputOf<typeof listPeople>, ctx: HandlerContext): Promise<OutputOf<typeof listPeople>> {
  return withCaller(ctx, 'hr.person-list', async (tx, caller) => {
    if (input.employer !== undefined) await checkEmployer(ctx, caller, input.employer);
    const employer = input.employer === undefined ? undefined : practiceOfEmployer(input.employer);
    const byEmployer = employer === undefined ? undefined : employer === null ? isNull(employments.practiceId) : eq(employments.practiceId, employer);
    const page = keysetPage({ createdAt: people.createdAt, id: people.id }, input);
    const seen = caller.practiceId || byEmployer ? exists(tx.db.select({ one: employments.id }).from(employments).where(visibleEmployments(caller, eq(employments.personId, people.id), byEmployer))) : undefined;
    const rows = await tx.db.select().from(people).where(and(page.where, seen)).orderBy(...page.orderBy).limit(page.fetch);
    const list = rows.length ? await tx.db.select().from(employments).where(visibleEmployments(caller, inArray(employments.personId, rows.map((r) => r.id)))).orderBy(asc(employments.startDate)) : [];
    return paginate(rows, page.limit, (p) => ({
      id: p.id,
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.email,
      employments: list
        .filter((e) => e.personId === p.id)
        .map((e) => ({ id: e.id, employer: e.practiceId ?? 'mso', title: e.title, department: e.department, startDate: e.startDate, endDate: e.endDate })),
    }));
  });
}

export async function updatePersonHandler(input: InputOf<typeof updatePerson>, ctx: HandlerContext): Promise<OutputOf<typeof updatePerson>> {
  return withCaller(ctx, 'hr.person-update', async (tx, caller) => {
    const person = await findPerson(tx.db, caller, input.id);
    if (!person) throw notFound('person');
    const [updated] = await tx.db
      .update(people)
      .set({
        ...(input.firstName !== undefined ? { firstName: input.firstName } : {}),
        ...(input.lastName !== undefined ? { lastName: input.lastName } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
        ...(input.homeAddress !== undefined ? { homeAddress: input.homeAddress } : {}),
        updatedAt: ctx.clock.now(),
      })
      .where(eq(people.id, person.id))
      .returning();
    if ((input.firstName ?? person.firstName) !== person.firstName || (input.lastName ?? person.lastName) !== person.lastName) await announcePersonChanged(tx, person.id);
    return personView(updated!, await employmentsOf(tx.db, caller, person.id));
  });
}
