import { sql } from 'drizzle-orm';
import type { ClaimStatus } from '@mso/contracts/billing';
import type { Db } from '@mso/kit';
import { claimHistory } from '../../db/schema.js';
import type { Actor } from '../claim-store.js';
import { bulkInsert } from './bulk-insert.js';

/** A PostgreSQL array literal sent as one text parameter (`= any(${uuidArray(ids)})` uses the index). */
export const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

export const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];

/**
 * History entries for many claims at once: the claims' last sequence numbers in one query, the
 * entries in one insert. (Per-row subqueries are planned from statistics that a table filled in the
 * same transaction does not have yet.)
 */
export async function appendHistory(tx: Db, practiceId: string, entries: readonly { claimId: string; action: string; from: ClaimStatus | null; to: ClaimStatus; note: string | null }[], actor: Actor): Promise<void> {
  const last = new Map<string, number>();
  const ids = [...new Set(entries.map((e) => e.claimId))];
  for (let i = 0; i < ids.length; i += 10_000) {
    const rows = rowsOf<{ claim_id: string; seq: number }>(
      await tx.execute(sql`select claim_id, max(seq)::int as seq from ${claimHistory} where practice_id = ${practiceId}::uuid and claim_id = any(${uuidArray(ids.slice(i, i + 10_000))}) group by claim_id`),
    );
    for (const r of rows) last.set(r.claim_id, Number(r.seq));
  }
  await bulkInsert(
    tx,
    claimHistory,
    entries.map((e) => {
      const seq = (last.get(e.claimId) ?? 0) + 1;
      last.set(e.claimId, seq);
      return { id: crypto.randomUUID(), practiceId, claimId: e.claimId, seq, at: actor.at, action: e.action, fromStatus: e.from, toStatus: e.to, by: actor.by, note: e.note };
    }),
  );
}
