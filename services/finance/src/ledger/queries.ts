// Reads of the posted ledger that other parts of the service build on.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@mso/kit';
import { collectionFlows } from '../domain/ledger.js';
import { journalLines } from '../db/schema.js';

/**
 * A practice's net collections in a period (YYYY-MM), in cents, from its posted ledger: claim payments
 * (reversals subtracted) and patient payments, less refunds and recoupments. PLB interest is interest
 * income, not collections. Entries count in the period they posted in (a shifted entry in the later one).
 */
export async function netCollections(db: Db, practiceId: string, period: string): Promise<number> {
  const [row] = await db
    .select({ cents: sql<string | null>`sum(${journalLines.creditCents} - ${journalLines.debitCents})` })
    .from(journalLines)
    .where(and(eq(journalLines.practiceId, practiceId), eq(journalLines.period, period), inArray(journalLines.flow, [...collectionFlows])));
  return Number(row?.cents ?? 0);
}
