// Entities and their charts of accounts: created when tenancy announces a practice, or lazily on the
// first posting; the MSO's own books are the entity without a practice (practice_id NULL).
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Column } from 'drizzle-orm';
import { stableId, type Db } from '@mso/kit';
import { chartTemplate } from '../domain/chart.js';
import { accounts, entities } from '../db/schema.js';

/** `'mso'` (the MSO's own books) or a practice id. */
export type Entity = 'mso' | (string & {});

/** The practice column value of an entity: NULL for the MSO. */
export const practiceOf = (entity: Entity): string | null => (entity === 'mso' ? null : entity);
export const entityOf = (practiceId: string | null): Entity => practiceId ?? 'mso';

/** `practice_id IS NOT DISTINCT FROM entity`, the filter of every ledger query. */
export function entityWhere(column: Column, entity: Entity, ...conditions: (SQL | undefined)[]): SQL {
  const practiceId = practiceOf(entity);
  return and(practiceId === null ? isNull(column) : eq(column, practiceId), ...conditions)!;
}

export const accountIdOf = (entity: Entity, code: string) => stableId('finance.account', entity, code);
export const entityIdOf = (entity: Entity) => stableId('finance.entity', entity);

export interface EntitySeed {
  name?: string;
  fiscalYearStartMonth?: number;
}

/** Creates the entity and its template chart unless they exist (safe to repeat, and under races). */
export async function ensureEntity(db: Db, entity: Entity, now: Date | undefined, seed: EntitySeed = {}): Promise<void> {
  const practiceId = practiceOf(entity);
  const at = now ?? sql`now()`;
  await db
    .insert(entities)
    .values({
      id: entityIdOf(entity),
      practiceId,
      name: seed.name ?? (practiceId === null ? 'MSO' : `Practice ${practiceId}`),
      fiscalYearStartMonth: seed.fiscalYearStartMonth ?? 1,
      createdAt: at,
    })
    .onConflictDoNothing();
  await db
    .insert(accounts)
    .values(chartTemplate.map((t) => ({ id: accountIdOf(entity, t.code), practiceId, key: t.key, code: t.code, name: t.name, type: t.type, normalSide: t.normalSide, system: t.key !== null, createdAt: at })))
    .onConflictDoNothing();
}

export async function findEntity(db: Db, entity: Entity) {
  const [row] = await db.select().from(entities).where(entityWhere(entities.practiceId, entity)).limit(1);
  return row ?? null;
}
