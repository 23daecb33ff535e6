import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { createProvider, getProvider, listProviders, Provider, updateProvider } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { providers } from '../../db/schema.js';
import { npiProblem } from '../../domain/master-data.js';
import { iso, isUniqueViolation, notFound, sent, unprocessable } from '../common.js';

type ProviderRow = typeof providers.$inferSelect;

const toProvider = (r: ProviderRow): Provider => ({
  id: r.id,
  practiceId: r.practiceId,
  kind: r.kind as Provider['kind'],
  npi: r.npi,
  taxonomyCode: r.taxonomyCode,
  name: r.name,
  firstName: r.firstName,
  address: r.address ?? null,
  taxId: r.taxId,
  active: r.active,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

const npiTaken = (kind: string, npi: string) => new ProblemError('conflict', `a ${kind} provider with NPI ${npi} exists already in this practice`, [{ path: '/npi', message: 'already registered' }]);

function checkNpi(npi: string | undefined): void {
  const problem = npi === undefined ? null : npiProblem(npi);
  if (problem) throw unprocessable([{ path: '/npi', message: problem }]);
}

async function loadProvider(db: Db, practiceId: string, id: string): Promise<ProviderRow> {
  const [row] = await db.select().from(providers).where(tenantWhere(providers.practiceId, practiceId, eq(providers.id, id)));
  if (!row) throw notFound('provider');
  return row;
}

export const createProviderHandler: Handler<typeof createProvider> = async (input, ctx) => {
  checkNpi(input.npi);
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .insert(providers)
    .values({
      id: randomUUID(),
      practiceId: ctx.practiceId,
      kind: input.kind,
      npi: input.npi,
      taxonomyCode: input.taxonomyCode,
      name: input.name,
      firstName: input.firstName ?? null,
      address: input.address ?? null,
      taxId: input.taxId ?? null,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: [providers.practiceId, providers.kind, providers.npi] })
    .returning();
  if (!row) throw npiTaken(input.kind, input.npi);
  return toProvider(row);
};

export const listProvidersHandler: Handler<typeof listProviders> = async (input, ctx) => {
  const page = keysetPage(providers, input, 'asc');
  const rows = await ctx.db
    .select()
    .from(providers)
    .where(tenantWhere(providers.practiceId, ctx.practiceId, page.where, eqIfSet(providers.kind, input.kind), eqIfSet(providers.npi, input.npi), eqIfSet(providers.active, input.active)))
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toProvider);
};

export const getProviderHandler: Handler<typeof getProvider> = async (input, ctx) => toProvider(await loadProvider(ctx.db, ctx.practiceId, input.id));

export const updateProviderHandler: Handler<typeof updateProvider> = async (input, ctx) => {
  const { id, ...changes } = input;
  checkNpi(changes.npi);
  const current = await loadProvider(ctx.db, ctx.practiceId, id);
  try {
    const [row] = await ctx.db
      .update(providers)
      .set({ ...sent(changes), updatedAt: ctx.clock.now() })
      .where(and(eq(providers.practiceId, ctx.practiceId), eq(providers.id, id)))
      .returning();
    return toProvider(row!);
  } catch (error) {
    if (isUniqueViolation(error)) throw npiTaken(changes.kind ?? current.kind, changes.npi ?? current.npi);
    throw error;
  }
};
