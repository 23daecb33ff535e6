// Issues statements (and dunning notices) in the caller's transaction: the document from the account's
// open items, the channel and consent, the quiet-hours hold, the first statement date of the items it
// shows, and the entry in the account's history. A run issues its statements in one batch.
import { randomUUID } from 'node:crypto';
import type { PostalAddress, PracticeProfile, Statement, StatementKind } from '@mso/contracts/collections';
import type { TransactionContext } from '@mso/kit';
import { appendHistory, insurancePendingCents, listOpenItems, type BalanceItem, type Guarantor } from '../../db/accounts.js';
import { setFirstStatementDates, statements, type StatementRow } from '../../db/statements.js';
import { holdUntil } from '../../domain/quiet-hours.js';
import { agingOf, deliveryFor, payByDate, paymentReference, statementLines } from '../../domain/statements.js';

/** The zone of a practice whose agreement names none. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

export const hasContact = (g: Guarantor): boolean => Boolean(g.name && g.mailingAddress);

const postal = (g: Guarantor): PostalAddress | null =>
  g.mailingAddress ? { line1: g.mailingAddress.line1, line2: g.mailingAddress.line2 ?? null, city: g.mailingAddress.city, state: g.mailingAddress.state, postalCode: g.mailingAddress.postalCode } : null;

export interface IssueContext {
  practiceId: string;
  runId: string | null;
  kind: StatementKind;
  /** The practice's business date. */
  date: string;
  now: Date;
  profile: PracticeProfile;
  practiceTimeZone: string;
}

type StatementValues = typeof statements.$inferInsert;

/** The statement a guarantor gets from its open items, or null when nothing is due. */
export function statementValues(c: IssueContext, g: Guarantor, openItems: readonly BalanceItem[], pendingCents: number): StatementValues | null {
  const lines = statementLines(openItems, c.date);
  const amountDueCents = lines.reduce((s, l) => s + l.balanceCents, 0);
  if (amountDueCents <= 0) return null;
  const { channel, consent } = deliveryFor({ preferredChannel: g.preferredChannel, consent: g.consent, email: g.email, phone: g.phone });
  const timeZone = g.timeZone ?? c.practiceTimeZone;
  const queuedUntil = holdUntil(channel, c.now, timeZone);
  const id = randomUUID();
  return {
    id,
    practiceId: c.practiceId,
    runId: c.runId,
    guarantorId: g.id,
    kind: c.kind,
    statementDate: c.date,
    payByDate: payByDate(c.date, c.profile.payWithinDays),
    paymentReference: paymentReference(c.date, id),
    document: {
      practice: c.profile,
      guarantor: { name: g.name ?? '', address: postal(g) },
      lines,
      aging: agingOf(lines, c.date),
      creditCents: g.creditCents,
      insurancePendingCents: pendingCents,
    },
    amountDueCents,
    channel,
    consent,
    timeZone,
    delivery: queuedUntil ? 'queued' : 'sent',
    sentAt: queuedUntil ? null : c.now,
    queuedUntil,
    createdAt: c.now,
  };
}

/**
 * Saves statements of one kind and date (one that already exists for its guarantor, kind and date is
 * left as it was), records the first statement date of what plain statements show, and the history.
 */
export async function saveStatements(tx: TransactionContext, c: IssueContext, values: StatementValues[]): Promise<StatementRow[]> {
  if (values.length === 0) return [];
  const rows = await tx.db.insert(statements).values(values).onConflictDoNothing().returning();
  if (c.kind === 'statement') await setFirstStatementDates(tx.db, c.practiceId, rows.map((r) => r.guarantorId), c.date);
  await appendHistory(
    tx.db,
    ...rows.map((r) => ({
      id: randomUUID(),
      practiceId: c.practiceId,
      guarantorId: r.guarantorId,
      kind: c.kind === 'statement' ? 'statement' : 'dunning-notice',
      on: c.date,
      refId: r.id,
      detail: { kind: c.kind, amountDueCents: r.amountDueCents, channel: r.channel, delivery: r.delivery },
      createdAt: c.now,
    })),
  );
  return rows;
}

/** One guarantor's statement or notice; null when nothing is due or it exists already. */
export async function issueStatement(tx: TransactionContext, c: IssueContext, g: Guarantor): Promise<StatementRow | null> {
  const values = statementValues(c, g, await listOpenItems(tx.db, c.practiceId, g.id), await insurancePendingCents(tx.db, c.practiceId, g.patientId));
  if (!values) return null;
  const [row] = await saveStatements(tx, c, [values]);
  return row ?? null;
}

export const toStatement = (r: StatementRow): Statement => ({
  id: r.id,
  practiceId: r.practiceId,
  runId: r.runId,
  guarantorId: r.guarantorId,
  kind: r.kind,
  statementDate: r.statementDate,
  payByDate: r.payByDate,
  paymentReference: r.paymentReference,
  practice: r.document.practice,
  guarantor: r.document.guarantor,
  lines: r.document.lines,
  amountDueCents: r.amountDueCents,
  aging: r.document.aging,
  creditCents: r.document.creditCents,
  insurancePendingCents: r.document.insurancePendingCents,
  channel: r.channel,
  consent: r.consent,
  timeZone: r.timeZone,
  delivery: r.delivery,
  sentAt: r.sentAt?.toISOString() ?? null,
  queuedUntil: r.queuedUntil?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});
