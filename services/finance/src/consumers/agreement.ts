// A practice's books open when tenancy announces it (the kit's agreement view hands finance
// `tenancy.practice.created` and `tenancy.agreement.changed`); the fiscal year follows the agreement's finance terms.
import { eq } from 'drizzle-orm';
import type { Agreement, ConsumerContext } from '@mso/kit';
import { entities } from '../db/schema.js';
import { recordAgreementVersion } from '../handlers/fees/agreements.js';
import { ensureEntity } from '../ledger/entities.js';

export async function onAgreementChange(previous: Agreement | null, next: Agreement, ctx: ConsumerContext): Promise<void> {
  // Fee runs bill a month under the version in force then.
  await recordAgreementVersion(previous, next, ctx);
  const fiscalYearStartMonth = next.terms.finance?.fiscalYearStartMonth ?? 1;
  await ensureEntity(ctx.db, next.practiceId, ctx.clock.now(), { fiscalYearStartMonth });
  await ctx.db.update(entities).set({ fiscalYearStartMonth }).where(eq(entities.practiceId, next.practiceId));
}
