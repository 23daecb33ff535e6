import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { ClaimStatus, createClaimFromEncounter, getClaim, listClaims, updateClaim } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { claimLines, claims, coverages, encounters, feeEntries, feeSchedules, providers } from '../../db/schema.js';
import { claimTotals, planLines, priceCharges, type ChargeShape } from '../../domain/claim-build.js';
import { duplicateKeyOf, lineControlNumber, newPatientControlNumber } from '../../domain/claim-keys.js';
import { editableStatuses } from '../../domain/claim-status.js';
import { coveragesOn, lookupFee, type FieldProblem } from '../../domain/master-data.js';
import { changeClaim, insertClaim, loadClaim, loadClaimLines, loadClaimRow, toClaimSummary, type ClaimRow, type NewClaimLineRow } from '../claim-store.js';
import { isUniqueViolation, unprocessable } from '../common.js';
import { loadCharges, loadEncounterRow } from './encounters.js';
import { claimWork, findingsNote, scrubStoredClaim, statusAfterScrub } from './lifecycle.js';

type CoverageRow = typeof coverages.$inferSelect;

/** The coverage billed: the one named, else the encounter's, else the patient's primary on the date of service. */
async function coverageToBill(db: Db, practiceId: string, patientId: string, named: string | null, dateOfService: string): Promise<CoverageRow> {
  const rows = await db.select().from(coverages).where(tenantWhere(coverages.practiceId, practiceId, eq(coverages.patientId, patientId)));
  if (named) {
    const found = rows.find((c) => c.id === named);
    if (!found) throw unprocessable([{ path: '/coverageId', message: "no such coverage of the encounter's patient" }]);
    return found;
  }
  const primary = coveragesOn(
    rows.map((c) => ({ ...c, order: c.order as 'primary' | 'secondary' | 'tertiary', relationship: c.relationship as 'self' })),
    dateOfService,
  )[0];
  if (!primary) throw unprocessable([{ path: '/coverageId', message: `the patient has no coverage in effect on ${dateOfService}: add one or name the coverage to bill` }]);
  return rows.find((c) => c.id === primary.id)!;
}

/** The unit fee of each code from the payer's schedule, else the default one (one query for the schedules, one for their entries). */
async function feesFor(db: Db, practiceId: string, payerId: string, codes: readonly string[]) {
  const schedules = await db.select().from(feeSchedules).where(tenantWhere(feeSchedules.practiceId, practiceId, or(eq(feeSchedules.payerId, payerId), isNull(feeSchedules.payerId))));
  const entries = schedules.length && codes.length
    ? await db.select().from(feeEntries).where(tenantWhere(feeEntries.practiceId, practiceId, inArray(feeEntries.scheduleId, schedules.map((s) => s.id)), inArray(feeEntries.code, [...new Set(codes)])))
    : [];
  const own = schedules.find((s) => s.payerId === payerId)?.id;
  const fallback = schedules.find((s) => s.payerId === null)?.id;
  return (code: string, modifiers: readonly string[], day: string) =>
    lookupFee(entries.filter((e) => e.scheduleId === own), entries.filter((e) => e.scheduleId === fallback), code, modifiers, day)?.entry.chargeCents;
}

/**
 * Inserts the claim under a fresh patient control number, retrying with another on the (unlikely)
 * clash with one the practice has: a savepoint keeps the transaction usable after the refused insert.
 */
async function insertWithNewPcn(db: Db, practiceId: string, build: (pcn: string) => Parameters<typeof insertClaim>[2], lines: (pcn: string) => NewClaimLineRow[], actor: Parameters<typeof insertClaim>[4]): Promise<ClaimRow> {
  for (let attempt = 1; ; attempt++) {
    const pcn = newPatientControlNumber((n) => randomBytes(n));
    try {
      return await db.transaction((sp) => insertClaim(sp, practiceId, build(pcn), lines(pcn), actor));
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

export const createClaimFromEncounterHandler: Handler<typeof createClaimFromEncounter> = async (input, ctx) => {
  const work = await claimWork(ctx);
  const claimId = await ctx.transaction(async (tx) => {
    const encounter = await loadEncounterRow(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    if (encounter.status !== 'open') throw new ProblemError('conflict', `the encounter is billed already (claim ${encounter.claimId})`);
    const charges = await loadCharges(tx.db, ctx.practiceId, [encounter.id]);
    if (!charges.length) throw unprocessable([{ path: '/charges', message: 'the encounter has no charges to bill' }]);
    const coverage = await coverageToBill(tx.db, ctx.practiceId, encounter.patientId, input.coverageId ?? encounter.coverageId, encounter.dateOfService);

    const feeOf = await feesFor(tx.db, ctx.practiceId, coverage.payerId, charges.map((c) => c.procedureCode));
    const priced = priceCharges(charges as ChargeShape[], feeOf);
    if (priced.problems.length) throw unprocessable(priced.problems);
    const totals = claimTotals(priced.lines, encounter.dateOfService);
    const parties = { patientId: encounter.patientId, billingProviderId: encounter.billingProviderId, renderingProviderId: encounter.renderingProviderId };

    const row = await insertWithNewPcn(
      tx.db,
      ctx.practiceId,
      (pcn) => ({
        patientControlNumber: pcn,
        status: 'draft',
        frequencyCode: '1',
        payerClaimControlNumber: null,
        encounterId: encounter.id,
        importId: null,
        ...parties,
        coverageId: coverage.id,
        payerId: coverage.payerId,
        referringProvider: encounter.referringProvider ?? null,
        placeOfService: encounter.placeOfService,
        diagnoses: encounter.diagnoses,
        ...totals,
        priorAuthorization: encounter.priorAuthorization,
        findings: [],
        duplicateKey: duplicateKeyOf({ ...parties, lines: priced.lines }),
        details: {},
      }),
      (pcn) =>
        priced.lines.map((l) => ({
          lineNumber: l.lineNumber,
          procedureCode: l.procedureCode,
          modifiers: [...l.modifiers],
          units: l.units,
          chargeCents: l.chargeCents,
          diagnosisPointers: [...l.diagnosisPointers],
          serviceDate: l.serviceDate,
          placeOfService: l.placeOfService,
          renderingProviderId: l.renderingProviderId,
          lineControlNumber: lineControlNumber(pcn, l.lineNumber),
          details: {},
        })),
      work.actor,
    );
    await tx.db
      .update(encounters)
      .set({ status: 'billed', claimId: row.id, coverageId: coverage.id, updatedAt: work.actor.at })
      .where(and(eq(encounters.practiceId, ctx.practiceId), eq(encounters.id, encounter.id)));
    const findings = await scrubStoredClaim(tx.db, row, work.today, { terms: work.terms, practiceState: work.practiceState });
    await changeClaim(tx.db, row, { to: statusAfterScrub('draft', findings), action: 'scrubbed', note: findingsNote(findings), set: { findings } }, work.actor);
    return row.id;
  });
  return loadClaim(ctx.db, ctx.practiceId, claimId);
};

export const getClaimHandler: Handler<typeof getClaim> = async (input, ctx) => loadClaim(ctx.db, ctx.practiceId, input.id);

export const listClaimsHandler: Handler<typeof listClaims> = async (input, ctx) => {
  const page = keysetPage(claims, input, 'desc');
  const rows = await ctx.db
    .select()
    .from(claims)
    .where(
      tenantWhere(
        claims.practiceId,
        ctx.practiceId,
        page.where,
        eqIfSet(claims.status, input.status),
        eqIfSet(claims.payerId, input.payerId),
        eqIfSet(claims.patientId, input.patientId),
        eqIfSet(claims.encounterId, input.encounterId),
        eqIfSet(claims.patientControlNumber, input.patientControlNumber),
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toClaimSummary);
};

/** Providers and coverage an edit names must be this practice's, and the coverage the claim's patient's. */
async function editProblems(db: Db, row: ClaimRow, input: { coverageId?: string | undefined; billingProviderId?: string | undefined; renderingProviderId?: string | null | undefined; lines?: readonly { renderingProviderId?: string | null | undefined }[] | undefined }) {
  const problems: FieldProblem[] = [];
  let coverage: CoverageRow | undefined;
  if (input.coverageId) {
    [coverage] = await db.select().from(coverages).where(tenantWhere(coverages.practiceId, row.practiceId, eq(coverages.id, input.coverageId)));
    if (!coverage || coverage.patientId !== row.patientId) problems.push({ path: '/coverageId', message: "no such coverage of the claim's patient" });
  }
  const named = [
    { path: '/billingProviderId', id: input.billingProviderId },
    { path: '/renderingProviderId', id: input.renderingProviderId },
    ...(input.lines ?? []).map((l, i) => ({ path: `/lines/${i}/renderingProviderId`, id: l.renderingProviderId })),
  ].filter((p): p is { path: string; id: string } => !!p.id);
  if (named.length) {
    const found = new Set((await db.select({ id: providers.id }).from(providers).where(tenantWhere(providers.practiceId, row.practiceId, inArray(providers.id, [...new Set(named.map((p) => p.id))])))).map((p) => p.id));
    for (const p of named) if (!found.has(p.id)) problems.push({ path: p.path, message: 'no such provider' });
  }
  return { problems, coverage };
}

/** Writes the edited lines: removed ones go, kept ones are renumbered (through negative numbers, so the unique line number never clashes midway), new ones are added. */
async function saveLines(db: Db, row: ClaimRow, plan: ReturnType<typeof planLines>): Promise<void> {
  const where = (extra: ReturnType<typeof eq>) => and(eq(claimLines.practiceId, row.practiceId), eq(claimLines.claimId, row.id), extra);
  if (plan.removed.length) await db.delete(claimLines).where(where(inArray(claimLines.id, plan.removed)));
  await db.update(claimLines).set({ lineNumber: sql`-${claimLines.lineNumber}` }).where(where(sql`true`));
  for (const u of plan.upserts.filter((u) => u.id)) {
    await db.update(claimLines).set({ ...u.line, lineNumber: u.lineNumber, lineControlNumber: u.lineControlNumber }).where(where(eq(claimLines.id, u.id!)));
  }
  const added = plan.upserts.filter((u) => !u.id);
  if (added.length) {
    await db.insert(claimLines).values(
      added.map((u) => ({
        ...u.line,
        id: randomUUID(),
        practiceId: row.practiceId,
        claimId: row.id,
        lineNumber: u.lineNumber,
        lineControlNumber: u.lineControlNumber,
        paidCents: 0,
        adjustmentCents: 0,
        patientResponsibilityCents: 0,
        denied: false,
        details: {},
      })),
    );
  }
}

export const updateClaimHandler: Handler<typeof updateClaim> = async (input, ctx) => {
  const work = await claimWork(ctx);
  const { id, version, lines, note, coverageId: _coverageId, ...fields } = input;
  await ctx.transaction(async (tx) => {
    const row = await loadClaimRow(tx.db, ctx.practiceId, id, { forUpdate: true });
    if (version !== undefined && version !== row.version) throw new ProblemError('conflict', `the claim is at version ${row.version}, not ${version}: load it again`);
    if (!editableStatuses.includes(row.status as ClaimStatus)) throw new ProblemError('conflict', `a ${row.status} claim cannot be edited${row.status === 'submitted' ? '' : ': correct it first (POST .../correct)'}`);
    const { problems, coverage } = await editProblems(tx.db, row, { ...input });
    const plan = lines ? planLines(row.patientControlNumber, await loadClaimLines(tx.db, ctx.practiceId, row.id), lines) : null;
    if (plan) problems.push(...plan.problems);
    if (problems.length) throw unprocessable(problems);

    if (plan) await saveLines(tx.db, row, plan);
    const stored = await loadClaimLines(tx.db, ctx.practiceId, row.id);
    const parties = {
      patientId: row.patientId,
      billingProviderId: fields.billingProviderId ?? row.billingProviderId,
      renderingProviderId: fields.renderingProviderId === undefined ? row.renderingProviderId : fields.renderingProviderId,
    };
    const edited: ClaimRow = {
      ...row,
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      ...parties,
      ...(coverage ? { coverageId: coverage.id, payerId: coverage.payerId } : {}),
      ...claimTotals(stored, row.serviceDateFrom),
      duplicateKey: duplicateKeyOf({ ...parties, lines: stored }),
    };
    const findings = await scrubStoredClaim(tx.db, edited, work.today, { terms: work.terms, practiceState: work.practiceState, lines: new Map([[row.id, stored]]) });
    const { id: _id, practiceId: _p, version: _v, createdAt: _c, updatedAt: _u, status: _s, ...set } = edited;
    await changeClaim(tx.db, row, { to: statusAfterScrub(row.status as ClaimStatus, findings), action: 'edited', note: note ?? findingsNote(findings), set: { ...set, findings } }, work.actor);
  });
  return loadClaim(ctx.db, ctx.practiceId, id);
};
