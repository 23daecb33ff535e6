import { and, asc, eq, inArray, type Column, type SQL } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import { providerCredentialsChanged, type Credential, type Enrollment, type Provider, type createProvider, type getProvider, type listProviders } from '@mso/contracts/hr';
import type { Db, HandlerContext, TransactionContext } from '@mso/kit';
import { isValidNpi } from '@mso/x12';
import { notFound } from '../../domain/problems.js';
import { credentials, enrollments, providers } from '../../db/schema.js';
import { practiceOfRequest, withCaller, type Caller } from '../access.js';
import { findPerson } from '../people/people.js';

type ProviderRow = typeof providers.$inferSelect;
type CredentialRow = typeof credentials.$inferSelect;
type EnrollmentRow = typeof enrollments.$inferSelect;

export const credentialView = (c: CredentialRow): Credential => ({
  id: c.id,
  providerId: c.providerId,
  kind: c.kind as Credential['kind'],
  state: c.state,
  number: c.number,
  issuer: c.issuer,
  carrier: c.carrier,
  limits: c.limits ?? null,
  issuedOn: c.issuedOn,
  expiresOn: c.expiresOn,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export const enrollmentView = (e: EnrollmentRow): Enrollment => ({
  id: e.id,
  providerId: e.providerId,
  payerId: e.payerId,
  effectiveFrom: e.effectiveFrom,
  effectiveTo: e.effectiveTo,
  createdAt: e.createdAt.toISOString(),
});

/** The caller's practice filter on a practice table: a practice key's own, none for MSO keys. */
export const ownRows = (caller: Caller, column: Column, ...conditions: (SQL | undefined)[]) =>
  and(caller.practiceId ? eq(column, caller.practiceId) : undefined, ...conditions)!;

export async function findProvider(db: Db, caller: Caller, id: string): Promise<ProviderRow> {
  const [row] = await db.select().from(providers).where(ownRows(caller, providers.practiceId, eq(providers.id, id))).limit(1);
  if (!row) throw notFound('provider');
  return row;
}

async function providerViews(db: Db, rows: ProviderRow[]): Promise<Provider[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const creds = await db.select().from(credentials).where(inArray(credentials.providerId, ids)).orderBy(asc(credentials.kind), asc(credentials.createdAt));
  const enrolled = await db.select().from(enrollments).where(inArray(enrollments.providerId, ids)).orderBy(asc(enrollments.payerId), asc(enrollments.effectiveFrom));
  return rows.map((p) => ({
    id: p.id,
    practiceId: p.practiceId,
    personId: p.personId,
    npi: p.npi,
    taxonomy: p.taxonomy,
    credentials: creds.filter((c) => c.providerId === p.id).map(credentialView),
    enrollments: enrolled.filter((e) => e.providerId === p.id).map(enrollmentView),
    createdAt: p.createdAt.toISOString(),
  }));
}

/**
 * `hr.provider.credentials-changed`, in the transaction of the change: the provider's whole current
 * set of licences and enrollments (no personal data), so a consumer replaces its view.
 */
export async function announceCredentials(tx: TransactionContext, provider: ProviderRow): Promise<void> {
  const licences = await tx.db
    .select({ state: credentials.state, from: credentials.issuedOn, to: credentials.expiresOn })
    .from(credentials)
    .where(and(eq(credentials.providerId, provider.id), eq(credentials.kind, 'state-licence')))
    .orderBy(asc(credentials.state), asc(credentials.issuedOn));
  const enrolled = await tx.db
    .select({ payerId: enrollments.payerId, from: enrollments.effectiveFrom, to: enrollments.effectiveTo })
    .from(enrollments)
    .where(eq(enrollments.providerId, provider.id))
    .orderBy(asc(enrollments.payerId), asc(enrollments.effectiveFrom));
  await tx.emit(
    providerCredentialsChanged,
    { npi: provider.npi, practiceId: provider.practiceId, licences: licences.map((l) => ({ state: l.state ?? '', from: l.from, to: l.to })), enrollments: enrolled },
    { subject: provider.id, practiceId: provider.practiceId },
  );
}

export async function createProviderHandler(input: InputOf<typeof createProvider>, ctx: HandlerContext): Promise<OutputOf<typeof createProvider>> {
  if (!isValidNpi(input.npi)) throw new ProblemError('validation-failed', 'npi fails its check digit', [{ path: '/npi', message: 'fails the NPI check digit' }]);
  return withCaller(ctx, 'hr.provider-create', async (tx, caller) => {
    const practiceId = await practiceOfRequest(ctx, caller, input.practiceId);
    if (!(await findPerson(tx.db, caller, input.personId))) throw new ProblemError('not-found', 'no such person', [{ path: '/personId', message: 'is not a person you may see' }]);
    const [row] = await tx.db
      .insert(providers)
      .values({ id: crypto.randomUUID(), practiceId, personId: input.personId, npi: input.npi, taxonomy: input.taxonomy, createdAt: ctx.clock.now() })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ProblemError('conflict', 'the practice has a provider with this NPI', [{ path: '/npi', message: 'is on file for this practice' }]);
    return (await providerViews(tx.db, [row]))[0]!;
  });
}

export async function getProviderHandler(input: InputOf<typeof getProvider>, ctx: HandlerContext): Promise<OutputOf<typeof getProvider>> {
  return withCaller(ctx, 'hr.provider-get', async (tx, caller) => (await providerViews(tx.db, [await findProvider(tx.db, caller, input.id)]))[0]!);
}

export async function listProvidersHandler(input: InputOf<typeof listProviders>, ctx: HandlerContext): Promise<OutputOf<typeof listProviders>> {
  return withCaller(ctx, 'hr.provider-list', async (tx, caller) => {
    const practiceId = await practiceOfRequest(ctx, caller, input.practiceId);
    const rows = await tx.db.select().from(providers).where(eq(providers.practiceId, practiceId)).orderBy(asc(providers.createdAt), asc(providers.id));
    return providerViews(tx.db, rows);
  });
}
