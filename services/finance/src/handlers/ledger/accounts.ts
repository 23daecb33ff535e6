import { asc, eq } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { createAccount, listAccounts, listEntities } from '@mso/contracts/finance';
import type { HandlerContext } from '@mso/kit';
import { normalSideOf } from '../../domain/ledger.js';
import { accounts, entities } from '../../db/schema.js';
import { entityOf, entityWhere } from '../../ledger/entities.js';
import { entityOfRequest, withBooks } from '../books.js';

const view = (a: typeof accounts.$inferSelect) => ({
  id: a.id,
  key: a.key,
  code: a.code,
  name: a.name,
  type: a.type as 'asset',
  normalSide: a.normalSide as 'debit',
  system: a.system,
});

export async function listEntitiesHandler(_input: InputOf<typeof listEntities>, ctx: HandlerContext): Promise<OutputOf<typeof listEntities>> {
  const rows = await ctx.acrossPractices('finance.entity-list', (all) => all.db.select().from(entities).orderBy(asc(entities.createdAt)));
  return rows.map((e) => ({ entity: entityOf(e.practiceId), practiceId: e.practiceId, name: e.name, fiscalYearStartMonth: e.fiscalYearStartMonth, createdAt: e.createdAt.toISOString() }));
}

export async function listAccountsHandler(input: InputOf<typeof listAccounts>, ctx: HandlerContext): Promise<OutputOf<typeof listAccounts>> {
  const entity = await entityOfRequest(ctx, input.entity);
  const rows = await withBooks(ctx, entity, (tx) => tx.db.select().from(accounts).where(entityWhere(accounts.practiceId, entity)).orderBy(asc(accounts.code)));
  return { entity, accounts: rows.map(view) };
}

export async function createAccountHandler(input: InputOf<typeof createAccount>, ctx: HandlerContext): Promise<OutputOf<typeof createAccount>> {
  const entity = await entityOfRequest(ctx, input.entity);
  return withBooks(ctx, entity, async (tx) => {
    const [taken] = await tx.db.select({ id: accounts.id }).from(accounts).where(entityWhere(accounts.practiceId, entity, eq(accounts.code, input.code)));
    if (taken) throw new ProblemError('conflict', `account code ${input.code} is in use`, [{ path: '/code', message: 'is in use in this entity' }]);
    const [row] = await tx.db
      .insert(accounts)
      .values({
        id: crypto.randomUUID(),
        practiceId: entity === 'mso' ? null : entity,
        key: null,
        code: input.code,
        name: input.name,
        type: input.type,
        normalSide: input.normalSide ?? normalSideOf[input.type],
        system: false,
        createdAt: ctx.clock.now(),
      })
      .returning();
    return view(row!);
  });
}
