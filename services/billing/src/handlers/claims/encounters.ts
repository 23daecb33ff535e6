import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { addCharge, createEncounter, Encounter, getEncounter, listEncounters, NewCharge } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { charges, coverages, encounters, patients, providers } from '../../db/schema.js';
import { withQualifiers } from '../../domain/claim-build.js';
import type { FieldProblem } from '../../domain/master-data.js';
import { iso, notFound, unprocessable } from '../common.js';

export type EncounterRow = typeof encounters.$inferSelect;
export type ChargeRow = typeof charges.$inferSelect;

export async function loadEncounterRow(db: Db, practiceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<EncounterRow> {
  const query = db.select().from(encounters).where(tenantWhere(encounters.practiceId, practiceId, eq(encounters.id, id)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw notFound('encounter');
  return row;
}

export async function loadCharges(db: Db, practiceId: string, encounterIds: readonly string[]): Promise<ChargeRow[]> {
  if (!encounterIds.length) return [];
  return db
    .select()
    .from(charges)
    .where(tenantWhere(charges.practiceId, practiceId, inArray(charges.encounterId, [...encounterIds])))
    .orderBy(asc(charges.createdAt), asc(charges.id));
}

const toCharge = (c: ChargeRow) => ({
  id: c.id,
  procedureCode: c.procedureCode,
  modifiers: c.modifiers,
  units: c.units,
  chargeCents: c.chargeCents,
  diagnosisPointers: c.diagnosisPointers,
  serviceDate: c.serviceDate,
  placeOfService: c.placeOfService,
  renderingProviderId: c.renderingProviderId,
  createdAt: iso(c.createdAt),
});

async function views(db: Db, practiceId: string, rows: readonly EncounterRow[]): Promise<Encounter[]> {
  const all = await loadCharges(
    db,
    practiceId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    practiceId: r.practiceId,
    patientId: r.patientId,
    coverageId: r.coverageId,
    billingProviderId: r.billingProviderId,
    renderingProviderId: r.renderingProviderId,
    referringProvider: r.referringProvider ?? null,
    placeOfService: r.placeOfService,
    dateOfService: r.dateOfService,
    diagnoses: r.diagnoses,
    priorAuthorization: r.priorAuthorization,
    status: r.status as Encounter['status'],
    claimId: r.claimId,
    charges: all.filter((c) => c.encounterId === r.id).map(toCharge),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  }));
}

export const encounterView = async (db: Db, row: EncounterRow) => (await views(db, row.practiceId, [row]))[0]!;

/** The ids a request names must be this practice's records (another practice's id is as unknown as a missing one). */
async function referenceProblems(
  db: Db,
  practiceId: string,
  refs: { patientId?: string | undefined; coverageId?: string | null | undefined; providers: { path: string; id: string | null | undefined }[] },
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (refs.patientId) {
    const [p] = await db.select({ id: patients.id }).from(patients).where(tenantWhere(patients.practiceId, practiceId, eq(patients.id, refs.patientId)));
    if (!p) problems.push({ path: '/patientId', message: 'no such patient' });
  }
  if (refs.coverageId) {
    const [c] = await db.select({ patientId: coverages.patientId }).from(coverages).where(tenantWhere(coverages.practiceId, practiceId, eq(coverages.id, refs.coverageId)));
    if (!c) problems.push({ path: '/coverageId', message: 'no such coverage' });
    else if (refs.patientId && c.patientId !== refs.patientId) problems.push({ path: '/coverageId', message: "the coverage is another patient's" });
  }
  const ids = [...new Set(refs.providers.map((p) => p.id).filter((id): id is string => !!id))];
  if (ids.length) {
    const found = new Set((await db.select({ id: providers.id }).from(providers).where(tenantWhere(providers.practiceId, practiceId, inArray(providers.id, ids)))).map((p) => p.id));
    for (const p of refs.providers) if (p.id && !found.has(p.id)) problems.push({ path: p.path, message: 'no such provider' });
  }
  return problems;
}

/** Pointers must name one of the encounter's diagnoses; caught here so a claim is not built on a typo. */
function pointerProblems(charge: NewCharge, diagnosisCount: number, path: string): FieldProblem[] {
  return charge.diagnosisPointers.flatMap((p, j) => (p >= 1 && p <= diagnosisCount ? [] : [{ path: `${path}/diagnosisPointers/${j}`, message: `names no diagnosis (the encounter has ${diagnosisCount})` }]));
}

const chargeRow = (practiceId: string, encounterId: string, dateOfService: string, c: NewCharge, createdAt: Date) => ({
  id: randomUUID(),
  practiceId,
  encounterId,
  procedureCode: c.procedureCode.trim().toUpperCase(),
  modifiers: (c.modifiers ?? []).map((m) => m.trim().toUpperCase()),
  units: c.units ?? 1,
  chargeCents: c.chargeCents ?? null,
  diagnosisPointers: c.diagnosisPointers,
  serviceDate: c.serviceDate ?? dateOfService,
  placeOfService: c.placeOfService ?? null,
  renderingProviderId: c.renderingProviderId ?? null,
  createdAt,
});

export const createEncounterHandler: Handler<typeof createEncounter> = async (input, ctx) => {
  const newCharges = input.charges ?? [];
  const problems = [
    ...(await referenceProblems(ctx.db, ctx.practiceId, {
      patientId: input.patientId,
      coverageId: input.coverageId,
      providers: [
        { path: '/billingProviderId', id: input.billingProviderId },
        { path: '/renderingProviderId', id: input.renderingProviderId },
        ...newCharges.map((c, i) => ({ path: `/charges/${i}/renderingProviderId`, id: c.renderingProviderId })),
      ],
    })),
    ...newCharges.flatMap((c, i) => pointerProblems(c, input.diagnoses.length, `/charges/${i}`)),
  ];
  if (problems.length) throw unprocessable(problems);
  const now = ctx.clock.now();
  const id = randomUUID();
  const row = await ctx.transaction(async (tx) => {
    const [encounter] = await tx.db
      .insert(encounters)
      .values({
        id,
        practiceId: ctx.practiceId,
        patientId: input.patientId,
        coverageId: input.coverageId ?? null,
        billingProviderId: input.billingProviderId,
        renderingProviderId: input.renderingProviderId ?? null,
        referringProvider: input.referringProvider ?? null,
        placeOfService: input.placeOfService,
        dateOfService: input.dateOfService,
        diagnoses: withQualifiers(input.diagnoses, input.dateOfService),
        priorAuthorization: input.priorAuthorization ?? null,
        status: 'open',
        claimId: null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    // A millisecond apart: the charges keep the order they were sent in.
    if (newCharges.length) await tx.db.insert(charges).values(newCharges.map((c, i) => chargeRow(ctx.practiceId, id, input.dateOfService, c, new Date(now.getTime() + i))));
    return encounter!;
  });
  return encounterView(ctx.db, row);
};

export const getEncounterHandler: Handler<typeof getEncounter> = async (input, ctx) => encounterView(ctx.db, await loadEncounterRow(ctx.db, ctx.practiceId, input.id));

export const listEncountersHandler: Handler<typeof listEncounters> = async (input, ctx) => {
  const page = keysetPage(encounters, input, 'desc');
  const rows = await ctx.db
    .select()
    .from(encounters)
    .where(
      tenantWhere(
        encounters.practiceId,
        ctx.practiceId,
        page.where,
        eqIfSet(encounters.patientId, input.patientId),
        eqIfSet(encounters.status, input.status),
        input.from ? gte(encounters.dateOfService, input.from) : undefined,
        input.to ? lte(encounters.dateOfService, input.to) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  const result = paginate(rows, page.limit, (r) => r);
  return { items: await views(ctx.db, ctx.practiceId, result.items), nextCursor: result.nextCursor };
};

export const addChargeHandler: Handler<typeof addCharge> = async (input, ctx) => {
  const { id, ...charge } = input;
  const now = ctx.clock.now();
  const row = await ctx.transaction(async (tx) => {
    const encounter = await loadEncounterRow(tx.db, ctx.practiceId, id, { forUpdate: true });
    if (encounter.status !== 'open') throw new ProblemError('conflict', `the encounter is billed already (claim ${encounter.claimId}): edit the claim instead`);
    const problems = [
      ...(await referenceProblems(tx.db, ctx.practiceId, { providers: [{ path: '/renderingProviderId', id: charge.renderingProviderId }] })),
      ...pointerProblems(charge, encounter.diagnoses.length, ''),
    ];
    if (problems.length) throw unprocessable(problems);
    // After the encounter's other charges even within the same millisecond: the claim's lines follow this order.
    const last = (await loadCharges(tx.db, ctx.practiceId, [id])).at(-1)?.createdAt.getTime() ?? 0;
    await tx.db.insert(charges).values(chargeRow(ctx.practiceId, id, encounter.dateOfService, charge, new Date(Math.max(now.getTime(), last + 1))));
    const [updated] = await tx.db
      .update(encounters)
      .set({ updatedAt: now })
      .where(and(eq(encounters.practiceId, ctx.practiceId), eq(encounters.id, id)))
      .returning();
    return updated!;
  });
  return encounterView(ctx.db, row);
};
