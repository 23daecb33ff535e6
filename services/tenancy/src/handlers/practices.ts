import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, or, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import {
  agreementChanged,
  practiceCreated,
  type Agreement,
  type AgreementInput,
  type Practice,
  type createPractice,
  type getPractice,
  type listPractices,
  type putAgreement,
} from '@mso/contracts/tenancy';
import { decodeCursor, paginate, preparedQuery, type Db, type Handler, type HandlerContext } from '@mso/kit';
import { agreements, practices } from '../db/schema.js';
import { checkAgreement, servicesOf } from '../domain/agreement.js';
import { npiProblem } from '../domain/npi.js';
import { defaultTimeZone } from '../domain/time-zone.js';
import { publishEntitlement } from './entitlements.js';
import { registry } from './registry.js';

type PracticeRow = typeof practices.$inferSelect;
type AgreementRow = typeof agreements.$inferSelect;

export function toAgreement(row: AgreementRow, state: string): Agreement {
  const check = checkAgreement(
    { model: row.model as Agreement['model'], services: row.services, fees: row.fees, ownership: row.ownership, terms: row.terms },
    state,
  );
  return {
    id: row.id,
    practiceId: row.practiceId,
    version: row.version,
    model: row.model as Agreement['model'],
    services: row.services as Agreement['services'],
    fees: row.fees,
    ownership: row.ownership,
    terms: row.terms as Agreement['terms'],
    timeZone: row.timeZone ?? defaultTimeZone(state),
    state,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
    warnings: check.warnings,
    createdAt: row.createdAt.toISOString(),
  };
}

function toPractice(row: PracticeRow, agreement: AgreementRow): Practice {
  return {
    id: row.id,
    name: row.name,
    npi: row.npi,
    taxId: row.taxId,
    state: row.state,
    agreement: toAgreement(agreement, row.state),
    createdAt: row.createdAt.toISOString(),
  };
}

export async function currentAgreement(db: Db, practiceId: string): Promise<AgreementRow | undefined> {
  const [row] = await db.select().from(agreements).where(eq(agreements.practiceId, practiceId)).orderBy(desc(agreements.version)).limit(1);
  return row;
}

function today(ctx: HandlerContext): string {
  return ctx.clock.now().toISOString().slice(0, 10);
}

function rejectAgreement(input: AgreementInput, state: string, prefix: string): void {
  const { errors } = checkAgreement(input, state, prefix);
  if (errors.length) throw new ProblemError('unprocessable', `${errors[0]!.path}: ${errors[0]!.message}`, errors);
}

function agreementRow(practiceId: string, version: number, input: AgreementInput, ctx: HandlerContext): AgreementRow {
  return {
    id: randomUUID(),
    practiceId,
    version,
    model: input.model,
    services: servicesOf(input),
    fees: input.fees ?? [],
    ownership: input.ownership ?? [],
    terms: input.terms ?? {},
    timeZone: input.timeZone ?? null,
    effectiveFrom: input.effectiveFrom ?? today(ctx),
    effectiveTo: input.effectiveTo ?? null,
    createdAt: ctx.clock.now(),
  };
}

export const createPracticeHandler: Handler<typeof createPractice> = async (input, ctx) => {
  // Every problem at once: the NPI and the agreement's model rules.
  const npi = npiProblem(input.npi);
  const errors = [...(npi ? [{ path: '/npi', message: npi }] : []), ...checkAgreement(input.agreement, input.state, '/agreement').errors];
  if (errors.length) throw new ProblemError('unprocessable', `${errors[0]!.path}: ${errors[0]!.message}`, errors);
  const practice: PracticeRow = {
    id: randomUUID(),
    name: input.name,
    npi: input.npi,
    taxId: input.taxId,
    state: input.state,
    createdAt: ctx.clock.now(),
  };
  const agreement = agreementRow(practice.id, 1, input.agreement, ctx);
  const result = await ctx.acrossPractices('practice.create: a new practice and its first agreement', (all) => all.transaction(async (tx) => {
    const inserted = await tx.db.insert(practices).values(practice).onConflictDoNothing({ target: practices.npi }).returning({ id: practices.id });
    if (inserted.length === 0) throw new ProblemError('conflict', `a practice with NPI ${input.npi} exists already`, [{ path: '/npi', message: 'already registered' }]);
    await tx.db.insert(agreements).values(agreement);
    const out = toPractice(practice, agreement);
    await tx.emit(practiceCreated, { practice: out }, { subject: practice.id, practiceId: practice.id });
    return out;
  }));
  await publishEntitlement(ctx, agreement);
  return result;
};

export const getPracticeHandler: Handler<typeof getPractice> = async (input, ctx) => {
  // A practice key sees only its own practice; any other id answers exactly like a missing one.
  if (ctx.principal.practiceId && ctx.principal.practiceId !== input.practiceId) {
    throw new ProblemError('not-found', 'no such practice');
  }
  const [row] = await registry(ctx, 'practice.get', (scope) => practiceById(scope.db).execute({ id: input.practiceId }));
  if (!row) throw new ProblemError('not-found', 'no such practice');
  return toPractice(row.practices, row.latest);
};

/** One round trip: the practice by primary key with its latest agreement version. */
const practiceById = preparedQuery((db) => {
  const latest = db
    .select()
    .from(agreements)
    .where(eq(agreements.practiceId, practices.id))
    .orderBy(desc(agreements.version))
    .limit(1)
    .as('latest');
  return db
    .select()
    .from(practices)
    .innerJoinLateral(latest, sql`true`)
    .where(eq(practices.id, sql.placeholder('id')))
    .prepare('tenancy_practice_by_id');
});

export const listPracticesHandler: Handler<typeof listPractices> = async (input, ctx) => {
  const limit = input.limit ?? 50;
  const after = decodeCursor(input.cursor);
  const where = after
    ? or(gt(practices.createdAt, new Date(after.createdAt)), and(eq(practices.createdAt, new Date(after.createdAt)), gt(practices.id, after.id)))
    : undefined;
  const rows = await ctx.db.select().from(practices).where(where).orderBy(asc(practices.createdAt), asc(practices.id)).limit(limit + 1);
  const withAgreements = await ctx.acrossPractices('practice.list', (all) =>
    Promise.all(rows.map(async (r) => ({ row: r, agreement: (await currentAgreement(all.db, r.id))! }))),
  );
  return paginate(
    withAgreements.map((x) => ({ ...x, id: x.row.id, createdAt: x.row.createdAt })),
    limit,
    (x) => toPractice(x.row, x.agreement),
  );
};

export const putAgreementHandler: Handler<typeof putAgreement> = async (input, ctx) => {
  const { practiceId, ...agreementInput } = input;
  const [practice] = await ctx.db.select().from(practices).where(eq(practices.id, practiceId));
  if (!practice) throw new ProblemError('not-found', 'no such practice');
  rejectAgreement(agreementInput, practice.state, '');
  const agreement = await ctx.acrossPractices('agreement.put', (all) => all.transaction(async (tx) => {
    // Lock the practice row so two concurrent changes get consecutive versions.
    await tx.db.select({ id: practices.id }).from(practices).where(eq(practices.id, practiceId)).for('update');
    const previous = await currentAgreement(tx.db, practiceId);
    const row = agreementRow(practiceId, (previous?.version ?? 0) + 1, agreementInput, ctx);
    await tx.db.insert(agreements).values(row);
    const out = toAgreement(row, practice.state);
    await tx.emit(agreementChanged, { practiceId, agreement: out, previousServices: (previous?.services ?? []) as Agreement['services'] }, { subject: practiceId, practiceId });
    return row;
  }));
  await publishEntitlement(ctx, agreement);
  return toAgreement(agreement, practice.state);
};
