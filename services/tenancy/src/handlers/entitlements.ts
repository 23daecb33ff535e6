import { eq, desc } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import { entitlementsBucket, kvKeys, type Entitlement, type ResolvedKey, type getEntitlement, type resolveApiKey } from '@mso/contracts/tenancy';
import { loggableError, encodeJson, type BaseContext, type Db, type Handler } from '@mso/kit';
import { agreements, apiKeys } from '../db/schema.js';

type AgreementRow = typeof agreements.$inferSelect;
type ApiKeyRow = typeof apiKeys.$inferSelect;

export function toEntitlement(row: AgreementRow): Entitlement {
  return {
    practiceId: row.practiceId,
    services: row.services as Entitlement['services'],
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
  };
}

export function toResolvedKey(row: ApiKeyRow): ResolvedKey {
  return { keyId: row.id, role: row.role, practiceId: row.practiceId, revoked: row.revokedAt !== null };
}

/**
 * The gateway keeps entitlements and keys in memory, fed by a KV watch: a change written here reaches
 * every gateway within milliseconds, without a restart. The database stays the source of truth; a
 * failed write is repaired by the periodic full sync.
 */
export function publishEntitlement(ctx: BaseContext, row: AgreementRow): Promise<void> {
  return publishEntry(ctx, kvKeys.practice(row.practiceId), toEntitlement(row), { practiceId: row.practiceId });
}

export function publishApiKey(ctx: BaseContext, row: ApiKeyRow): Promise<void> {
  return publishEntry(ctx, kvKeys.apiKey(row.keyHash), toResolvedKey(row), { keyId: row.id });
}

async function publishEntry(ctx: BaseContext, key: string, value: unknown, about: Record<string, string>): Promise<void> {
  try {
    const kv = await ctx.kv(entitlementsBucket);
    await kv.put(key, encodeJson(value));
  } catch (error) {
    ctx.log.warn({ err: loggableError(error), ...about }, 'entitlement entry not published; the periodic sync will retry');
  }
}

/** Writes every practice's entitlement and every key to the KV bucket (start-up and periodic repair). */
export function syncEntitlements(ctx: BaseContext): Promise<void> {
  return ctx.acrossPractices('entitlement sync: every practice and key to the KV bucket', (all) => publishAll(ctx, all.db));
}

async function publishAll(ctx: BaseContext, db: Db): Promise<void> {
  const kv = await ctx.kv(entitlementsBucket);
  const rows = await db
    .selectDistinctOn([agreements.practiceId])
    .from(agreements)
    .orderBy(agreements.practiceId, desc(agreements.version));
  for (const row of rows) await kv.put(kvKeys.practice(row.practiceId), encodeJson(toEntitlement(row)));
  const keys = await db.select().from(apiKeys);
  for (const key of keys) await kv.put(kvKeys.apiKey(key.keyHash), encodeJson(toResolvedKey(key)));
}

export const resolveApiKeyHandler: Handler<typeof resolveApiKey> = (input, ctx) =>
  ctx.acrossPractices('api-key.resolve: the gateway looks up a key', (all) => resolveKey(all.db, input.keyHash));

async function resolveKey(db: Db, keyHash: string) {
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash));
  if (!key) throw new ProblemError('not-found', 'unknown API key');
  let entitlement: Entitlement | null = null;
  if (key.practiceId) {
    const [row] = await db.select().from(agreements).where(eq(agreements.practiceId, key.practiceId)).orderBy(desc(agreements.version)).limit(1);
    entitlement = row ? toEntitlement(row) : null;
  }
  return { key: toResolvedKey(key), entitlement };
}

export const getEntitlementHandler: Handler<typeof getEntitlement> = async (input, ctx) => {
  const [row] = await ctx.acrossPractices('entitlement.get: the gateway looks up a practice', (all) =>
    all.db.select().from(agreements).where(eq(agreements.practiceId, input.practiceId)).orderBy(desc(agreements.version)).limit(1),
  );
  if (!row) throw new ProblemError('not-found', 'no such practice');
  return toEntitlement(row);
};

