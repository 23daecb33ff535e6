import { randomUUID } from 'node:crypto';
import { and, eq, gte, isNull, lte, or } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Coverage, createCoverage, getCoverage, listCoverages, updateCoverage } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { coverages, patients, payers } from '../../db/schema.js';
import { coverageProblems, orderClash, type CoverageShape } from '../../domain/master-data.js';
import { iso, notFound, sent, unprocessable } from '../common.js';

type CoverageRow = typeof coverages.$inferSelect;

const toCoverage = (r: CoverageRow): Coverage => ({
  id: r.id,
  practiceId: r.practiceId,
  patientId: r.patientId,
  payerId: r.payerId,
  memberId: r.memberId,
  groupNumber: r.groupNumber,
  relationship: r.relationship as Coverage['relationship'],
  subscriber: r.subscriber ?? null,
  order: r.order as Coverage['order'],
  effectiveFrom: r.effectiveFrom,
  effectiveTo: r.effectiveTo,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

const shape = (r: CoverageRow): CoverageShape & { id: string } => ({ ...toCoverage(r) });

async function loadCoverage(db: Db, practiceId: string, id: string): Promise<CoverageRow> {
  const [row] = await db.select().from(coverages).where(tenantWhere(coverages.practiceId, practiceId, eq(coverages.id, id)));
  if (!row) throw notFound('coverage');
  return row;
}

/** The rules of a coverage, then that no other coverage of the patient holds its order on the same days. */
async function check(db: Db, practiceId: string, patientId: string, candidate: CoverageShape & { id?: string }): Promise<void> {
  const problems = coverageProblems(candidate);
  if (problems.length) throw unprocessable(problems);
  const others = await db.select().from(coverages).where(tenantWhere(coverages.practiceId, practiceId, eq(coverages.patientId, patientId)));
  const clash = orderClash(candidate, others.map(shape));
  if (clash) throw new ProblemError('conflict', `the patient has ${candidate.order} coverage on some of these days already (${clash.id})`, [{ path: '/order', message: `${candidate.order} already held` }]);
}

export const createCoverageHandler: Handler<typeof createCoverage> = async (input, ctx) => {
  const [patient] = await ctx.db.select({ id: patients.id }).from(patients).where(tenantWhere(patients.practiceId, ctx.practiceId, eq(patients.id, input.patientId)));
  const [payer] = await ctx.db.select({ id: payers.id }).from(payers).where(tenantWhere(payers.practiceId, ctx.practiceId, eq(payers.id, input.payerId)));
  const missing = [...(patient ? [] : [{ path: '/patientId', message: 'no such patient' }]), ...(payer ? [] : [{ path: '/payerId', message: 'no such payer' }])];
  if (missing.length) throw unprocessable(missing);
  const candidate: CoverageShape = {
    relationship: input.relationship,
    subscriber: input.subscriber ?? null,
    order: input.order,
    effectiveFrom: input.effectiveFrom,
    effectiveTo: input.effectiveTo ?? null,
  };
  const now = ctx.clock.now();
  // Serializable: two requests adding a primary for the same patient cannot both pass the check.
  const row = await ctx.transaction(
    async (tx) => {
      await check(tx.db, ctx.practiceId, input.patientId, candidate);
      const [inserted] = await tx.db
        .insert(coverages)
        .values({
          id: randomUUID(),
          practiceId: ctx.practiceId,
          patientId: input.patientId,
          payerId: input.payerId,
          memberId: input.memberId,
          groupNumber: input.groupNumber ?? null,
          ...candidate,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      return inserted!;
    },
    { isolation: 'serializable' },
  );
  return toCoverage(row);
};

export const listCoveragesHandler: Handler<typeof listCoverages> = async (input, ctx) => {
  const page = keysetPage(coverages, input, 'asc');
  const rows = await ctx.db
    .select()
    .from(coverages)
    .where(
      tenantWhere(
        coverages.practiceId,
        ctx.practiceId,
        page.where,
        eqIfSet(coverages.patientId, input.patientId),
        eqIfSet(coverages.payerId, input.payerId),
        input.activeOn ? and(lte(coverages.effectiveFrom, input.activeOn), or(isNull(coverages.effectiveTo), gte(coverages.effectiveTo, input.activeOn))) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toCoverage);
};

export const getCoverageHandler: Handler<typeof getCoverage> = async (input, ctx) => toCoverage(await loadCoverage(ctx.db, ctx.practiceId, input.id));

export const updateCoverageHandler: Handler<typeof updateCoverage> = async (input, ctx) => {
  const { id, ...changes } = input;
  const now = ctx.clock.now();
  const row = await ctx.transaction(
    async (tx) => {
      const current = await loadCoverage(tx.db, ctx.practiceId, id);
      const defined = sent(changes);
      // Back to `self`: the separate subscriber goes unless the request says otherwise.
      if (defined.relationship === 'self' && changes.subscriber === undefined) defined.subscriber = null;
      const next = { ...shape(current), ...defined };
      await check(tx.db, ctx.practiceId, current.patientId, next);
      const [updated] = await tx.db
        .update(coverages)
        .set({ ...defined, importId: null, updatedAt: now })
        .where(and(eq(coverages.practiceId, ctx.practiceId), eq(coverages.id, id)))
        .returning();
      return updated!;
    },
    { isolation: 'serializable' },
  );
  return toCoverage(row);
};
