import { eq, sql } from 'drizzle-orm';
import { getPractice } from '@mso/contracts/tenancy';
import type { Agreement } from '@mso/contracts/tenancy';
import type { BaseContext, Db } from '@mso/kit';
import { policyFromTerms, type Policy } from '../domain/policy.js';
import { practices } from './schema.js';

export type PracticeRow = typeof practices.$inferSelect;

export interface PracticeSettings {
  row: PracticeRow;
  policy: Policy;
}

const settingsOf = (row: PracticeRow): PracticeSettings => ({ row, policy: policyFromTerms(row.terms) });

/**
 * Records what an agreement says, unless a newer version is known already (events may arrive out of
 * order or twice). Returns the row when it changed.
 */
export async function saveAgreement(db: Db, agreement: Agreement, at: Date): Promise<PracticeRow | undefined> {
  const values = {
    practiceId: agreement.practiceId,
    entitled: agreement.services.includes('helpdesk'),
    agreementVersion: agreement.version,
    terms: agreement.terms.helpdesk ?? null,
    updatedAt: at,
  };
  const [row] = await db
    .insert(practices)
    .values(values)
    .onConflictDoUpdate({
      target: practices.practiceId,
      set: { entitled: values.entitled, agreementVersion: values.agreementVersion, terms: sql`excluded.terms`, updatedAt: at },
      where: sql`${practices.agreementVersion} < excluded.agreement_version`,
    })
    .returning();
  return row;
}

export async function findPractice(db: Db, practiceId: string): Promise<PracticeSettings | undefined> {
  const [row] = await db.select().from(practices).where(eq(practices.practiceId, practiceId));
  return row && settingsOf(row);
}

/**
 * The practice's settings. Learned from tenancy events; when a request or event arrives before the
 * practice's first event did, asked of tenancy once over the bus.
 */
export async function practiceSettings(ctx: Pick<BaseContext, 'call' | 'clock'> & { db: Db }, practiceId: string): Promise<PracticeSettings> {
  const known = await findPractice(ctx.db, practiceId);
  if (known) return known;
  const practice = await ctx.call(getPractice, { practiceId }, { practiceId: null });
  await saveAgreement(ctx.db, practice.agreement, ctx.clock.now());
  const saved = await findPractice(ctx.db, practiceId);
  if (!saved) throw new Error('practice settings vanished');
  return saved;
}

/** Takes the next ticket number (locks the practice row until the transaction ends). */
export async function nextTicketNumber(db: Db, practiceId: string): Promise<number> {
  const [row] = await db
    .update(practices)
    .set({ nextTicketNumber: sql`${practices.nextTicketNumber} + 1` })
    .where(eq(practices.practiceId, practiceId))
    .returning({ next: practices.nextTicketNumber });
  if (!row) throw new Error('practice settings missing');
  return row.next - 1;
}
