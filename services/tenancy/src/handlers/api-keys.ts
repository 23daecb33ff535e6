import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { createMsoApiKey, createPracticeApiKey, revokeApiKey } from '@mso/contracts/tenancy';
import { hashApiKey, newApiKeySecret, type Handler, type HandlerContext } from '@mso/kit';
import { apiKeys, practices } from '../db/schema.js';
import { publishApiKey } from './entitlements.js';

async function issueKey(ctx: HandlerContext, role: string, label: string, practiceId: string | null) {
  const secret = newApiKeySecret();
  const row = {
    id: randomUUID(),
    keyHash: hashApiKey(secret),
    role,
    label,
    practiceId,
    createdAt: ctx.clock.now(),
    revokedAt: null,
  };
  await ctx.acrossPractices('api key issued', (all) => all.db.insert(apiKeys).values(row));
  await publishApiKey(ctx, row);
  return { id: row.id, key: secret, role, label, practiceId, createdAt: row.createdAt.toISOString() };
}

export const createPracticeApiKeyHandler: Handler<typeof createPracticeApiKey> = async (input, ctx) => {
  const [practice] = await ctx.db.select({ id: practices.id }).from(practices).where(eq(practices.id, input.practiceId));
  if (!practice) throw new ProblemError('not-found', 'no such practice');
  return issueKey(ctx, input.role, input.label, input.practiceId);
};

export const createMsoApiKeyHandler: Handler<typeof createMsoApiKey> = async (input, ctx) =>
  issueKey(ctx, input.role, input.label, null);

export const revokeApiKeyHandler: Handler<typeof revokeApiKey> = async (input, ctx) => {
  const now = ctx.clock.now();
  const [row] = await ctx.acrossPractices('api key revoked', (all) => all.db.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, input.keyId)).returning());
  if (!row) throw new ProblemError('not-found', 'no such API key');
  await publishApiKey(ctx, row);
  return { id: row.id, revokedAt: (row.revokedAt ?? now).toISOString() };
};
