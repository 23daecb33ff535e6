import { and, eq, ne } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { addCredential, addEnrollment, CredentialKind, updateCredential, updateEnrollment } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { expiryOf } from '../../domain/credentials.js';
import { invalid, notFound } from '../../domain/problems.js';
import { credentials, enrollments, providers } from '../../db/schema.js';
import { withCaller } from '../access.js';
import { announceCredentials, credentialView, enrollmentView, findProvider, ownRows } from './providers.js';

/** Only licences and enrollments are what billing's view holds; the other kinds announce nothing. */
const announced = (kind: string) => kind === 'state-licence';

export async function addCredentialHandler(input: InputOf<typeof addCredential>, ctx: HandlerContext): Promise<OutputOf<typeof addCredential>> {
  return withCaller(ctx, 'hr.credential-create', async (tx, caller) => {
    const provider = await findProvider(tx.db, caller, input.providerId);
    const expiresOn = expiryOf(input);
    const now = ctx.clock.now();
    const [row] = await tx.db
      .insert(credentials)
      .values({
        id: crypto.randomUUID(),
        practiceId: provider.practiceId,
        providerId: provider.id,
        kind: input.kind,
        state: input.state ?? null,
        number: input.number ?? null,
        issuer: input.issuer ?? null,
        carrier: input.carrier ?? null,
        limits: input.limits ?? null,
        issuedOn: input.issuedOn,
        expiresOn,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (announced(input.kind)) await announceCredentials(tx, provider);
    return credentialView(row!);
  });
}

export async function updateCredentialHandler(input: InputOf<typeof updateCredential>, ctx: HandlerContext): Promise<OutputOf<typeof updateCredential>> {
  return withCaller(ctx, 'hr.credential-update', async (tx, caller) => {
    const [row] = await tx.db.select().from(credentials).where(ownRows(caller, credentials.practiceId, eq(credentials.id, input.id))).for('update').limit(1);
    if (!row) throw notFound('credential');
    const merged = {
      kind: row.kind as CredentialKind,
      state: row.state,
      number: input.number ?? row.number,
      issuer: row.issuer,
      carrier: input.carrier ?? row.carrier,
      limits: input.limits ?? row.limits,
      issuedOn: input.issuedOn ?? row.issuedOn,
      expiresOn: input.expiresOn ?? row.expiresOn,
    };
    const expiresOn = expiryOf(merged);
    const [updated] = await tx.db
      .update(credentials)
      .set({ number: merged.number, carrier: merged.carrier, limits: merged.limits, issuedOn: merged.issuedOn, expiresOn, updatedAt: ctx.clock.now() })
      .where(eq(credentials.id, row.id))
      .returning();
    if (announced(row.kind)) {
      const [provider] = await tx.db.select().from(providers).where(eq(providers.id, row.providerId));
      await announceCredentials(tx, provider!);
    }
    return credentialView(updated!);
  });
}

/** Periods [from, to] (to open when null) overlap. */
const overlaps = (aFrom: string, aTo: string | null, bFrom: string, bTo: string | null) => (aTo === null || bFrom <= aTo) && (bTo === null || aFrom <= bTo);

async function checkNoOverlap(tx: { db: HandlerContext['db'] }, providerId: string, payerId: string, from: string, to: string | null, except?: string) {
  const others = await tx.db
    .select()
    .from(enrollments)
    .where(and(eq(enrollments.providerId, providerId), eq(enrollments.payerId, payerId), except ? ne(enrollments.id, except) : undefined));
  if (others.some((o) => overlaps(o.effectiveFrom, o.effectiveTo, from, to))) {
    throw new ProblemError('conflict', 'the provider has an enrollment with this payer over that time', [{ path: '/effectiveFrom', message: 'overlaps an enrollment on file' }]);
  }
}

export async function addEnrollmentHandler(input: InputOf<typeof addEnrollment>, ctx: HandlerContext): Promise<OutputOf<typeof addEnrollment>> {
  return withCaller(ctx, 'hr.enrollment-create', async (tx, caller) => {
    const provider = await findProvider(tx.db, caller, input.providerId);
    const to = input.effectiveTo ?? null;
    if (to !== null && to < input.effectiveFrom) throw invalid('/effectiveTo', 'is before effectiveFrom');
    await checkNoOverlap(tx, provider.id, input.payerId, input.effectiveFrom, to);
    const [row] = await tx.db
      .insert(enrollments)
      .values({ id: crypto.randomUUID(), practiceId: provider.practiceId, providerId: provider.id, payerId: input.payerId, effectiveFrom: input.effectiveFrom, effectiveTo: to, createdAt: ctx.clock.now() })
      .returning();
    await announceCredentials(tx, provider);
    return enrollmentView(row!);
  });
}

export async function updateEnrollmentHandler(input: InputOf<typeof updateEnrollment>, ctx: HandlerContext): Promise<OutputOf<typeof updateEnrollment>> {
  return withCaller(ctx, 'hr.enrollment-update', async (tx, caller) => {
    const [row] = await tx.db.select().from(enrollments).where(ownRows(caller, enrollments.practiceId, eq(enrollments.id, input.id))).for('update').limit(1);
    if (!row) throw notFound('enrollment');
    const from = input.effectiveFrom ?? row.effectiveFrom;
    const to = input.effectiveTo === undefined ? row.effectiveTo : input.effectiveTo;
    if (to !== null && to < from) throw invalid('/effectiveTo', 'is before effectiveFrom');
    await checkNoOverlap(tx, row.providerId, row.payerId, from, to, row.id);
    const [updated] = await tx.db.update(enrollments).set({ effectiveFrom: from, effectiveTo: to }).where(eq(enrollments.id, row.id)).returning();
    const [provider] = await tx.db.select().from(providers).where(eq(providers.id, row.providerId));
    await announceCredentials(tx, provider!);
    return enrollmentView(updated!);
  });
}
