// The history of each practice's agreement, kept as tenancy announces new versions: a fee run for a
// past month reads the version in force in that month.
import type { Agreement, ConsumerContext, Db } from '@mso/kit';
import { agreementForMonth } from '../../domain/fees/period.js';
import { feeAgreementVersions } from '../../db/schema.js';

/** Runs in the transaction that records the new version (the kit's agreement view hook). */
export async function recordAgreementVersion(previous: Agreement | null, next: Agreement, ctx: ConsumerContext): Promise<void> {
  const now = ctx.clock.now();
  const versions = previous ? [previous, next] : [next];
  await ctx.db
    .insert(feeAgreementVersions)
    .values(versions.map((a) => ({ practiceId: a.practiceId, version: a.version, effectiveFrom: a.effectiveFrom, agreement: a, recordedAt: now })))
    .onConflictDoNothing();
}

/** The agreements a month is billed under, one per practice, in practice id order. */
export async function agreementsForMonth(db: Db, period: string, current: readonly Agreement[]): Promise<Agreement[]> {
  const rows = await db.select({ agreement: feeAgreementVersions.agreement }).from(feeAgreementVersions);
  const byPractice = new Map<string, { versions: Agreement[]; current: Agreement | null }>();
  const slot = (id: string) => byPractice.get(id) ?? byPractice.set(id, { versions: [], current: null }).get(id)!;
  for (const r of rows) slot(r.agreement.practiceId).versions.push(r.agreement);
  for (const a of current) slot(a.practiceId).current = a;
  return [...byPractice.values()]
    .map((p) => agreementForMonth(period, p.versions, p.current))
    .filter((a): a is Agreement => a !== null)
    .sort((a, b) => (a.practiceId < b.practiceId ? -1 : 1));
}

