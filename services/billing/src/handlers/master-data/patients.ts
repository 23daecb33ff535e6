import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { createPatient, getPatient, listPatients, Patient, updatePatient } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { patients } from '../../db/schema.js';
import { iso, notFound, sent, unprocessable } from '../common.js';
import { escapeLike } from './payers.js';

// Demographics are PHI: nothing here logs them, and the problems below name fields, never values.

type PatientRow = typeof patients.$inferSelect;

const toPatient = (r: PatientRow): Patient => ({
  id: r.id,
  practiceId: r.practiceId,
  firstName: r.firstName,
  lastName: r.lastName,
  middleName: r.middleName,
  dateOfBirth: r.dateOfBirth,
  sex: r.sex as Patient['sex'],
  address: r.address,
  phone: r.phone,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

function checkBirthDate(dateOfBirth: string | undefined, today: string): void {
  if (dateOfBirth !== undefined && dateOfBirth > today) throw unprocessable([{ path: '/dateOfBirth', message: 'is in the future' }]);
}

export async function loadPatient(db: Db, practiceId: string, id: string): Promise<PatientRow> {
  const [row] = await db.select().from(patients).where(tenantWhere(patients.practiceId, practiceId, eq(patients.id, id)));
  if (!row) throw notFound('patient');
  return row;
}

export const createPatientHandler: Handler<typeof createPatient> = async (input, ctx) => {
  const now = ctx.clock.now();
  checkBirthDate(input.dateOfBirth, iso(now).slice(0, 10));
  const [row] = await ctx.db
    .insert(patients)
    .values({
      id: randomUUID(),
      practiceId: ctx.practiceId,
      firstName: input.firstName,
      lastName: input.lastName,
      middleName: input.middleName ?? null,
      dateOfBirth: input.dateOfBirth,
      sex: input.sex,
      address: input.address,
      phone: input.phone ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return toPatient(row!);
};

export const listPatientsHandler: Handler<typeof listPatients> = async (input, ctx) => {
  const page = keysetPage(patients, input, 'asc');
  const rows = await ctx.db
    .select()
    .from(patients)
    .where(
      tenantWhere(
        patients.practiceId,
        ctx.practiceId,
        page.where,
        eqIfSet(patients.dateOfBirth, input.dateOfBirth),
        input.lastName ? sql`lower(${patients.lastName}) like ${`${escapeLike(input.lastName.toLowerCase())}%`}` : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toPatient);
};

export const getPatientHandler: Handler<typeof getPatient> = async (input, ctx) => toPatient(await loadPatient(ctx.db, ctx.practiceId, input.id));

export const updatePatientHandler: Handler<typeof updatePatient> = async (input, ctx) => {
  const { id, ...changes } = input;
  const now = ctx.clock.now();
  checkBirthDate(changes.dateOfBirth, iso(now).slice(0, 10));
  await loadPatient(ctx.db, ctx.practiceId, id);
  const [row] = await ctx.db
    .update(patients)
    .set({ ...sent(changes), updatedAt: now })
    .where(and(eq(patients.practiceId, ctx.practiceId), eq(patients.id, id)))
    .returning();
  return toPatient(row!);
};
