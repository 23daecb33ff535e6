import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { createJournalEntry, getJournalEntry, listJournalEntries, reverseJournalEntry } from '@mso/contracts/finance';
import { decodeCursor, encodeCursor, type HandlerContext } from '@mso/kit';
import { reversingLines } from '../../domain/ledger.js';
import { entryLines, getEntry, listEntries } from '../../ledger/entries.js';
import { postEntry } from '../../ledger/post.js';
import { entityOfRequest, notFound, withBooks } from '../books.js';

const keyOf = (ctx: HandlerContext) => {
  if (!ctx.idempotencyKey) throw new ProblemError('idempotency-key-required', 'send an Idempotency-Key');
  return ctx.idempotencyKey;
};

/** A manual entry: balanced, with the accountant's reason; a date in a closed period is refused (409 naming it). */
export async function createJournalEntryHandler(input: InputOf<typeof createJournalEntry>, ctx: HandlerContext): Promise<OutputOf<typeof createJournalEntry>> {
  const entity = await entityOfRequest(ctx, input.entity);
  const key = keyOf(ctx);
  return withBooks(ctx, entity, async (tx) => {
    const posted = await postEntry(tx, {
      entity,
      date: input.date,
      memo: input.memo,
      source: { kind: 'user', id: key, by: ctx.principal.id, reason: input.reason },
      idempotencyKey: `user:${key}`,
      lines: input.lines,
      closedPeriod: 'refuse',
    });
    return (await getEntry(tx.db, entity, posted.entryId))!;
  });
}

export async function getJournalEntryHandler(input: InputOf<typeof getJournalEntry>, ctx: HandlerContext): Promise<OutputOf<typeof getJournalEntry>> {
  const entity = await entityOfRequest(ctx, input.entity);
  const entry = await withBooks(ctx, entity, (tx) => getEntry(tx.db, entity, input.id));
  if (!entry) throw notFound('journal entry');
  return entry;
}

export async function listJournalEntriesHandler(input: InputOf<typeof listJournalEntries>, ctx: HandlerContext): Promise<OutputOf<typeof listJournalEntries>> {
  const entity = await entityOfRequest(ctx, input.entity);
  const after = decodeCursor(input.cursor);
  if (after && !/^[0-9]{1,18}$/.test(after.id)) throw new ProblemError('validation-failed', 'cursor is not one this API returned', [{ path: '/cursor', message: 'invalid cursor' }]);
  const page = await withBooks(ctx, entity, (tx) =>
    listEntries(tx.db, entity, { ...(input.period ? { period: input.period } : {}), limit: input.limit ?? 50, ...(after ? { after: { date: after.createdAt, seq: Number(after.id) } } : {}) }),
  );
  return { items: page.items, nextCursor: page.next ? encodeCursor({ createdAt: page.next.date, id: String(page.next.seq) }) : null };
}

/** A correction: the entry's lines on the other side, on its date (or the one given), moved out of a closed period. */
export async function reverseJournalEntryHandler(input: InputOf<typeof reverseJournalEntry>, ctx: HandlerContext): Promise<OutputOf<typeof reverseJournalEntry>> {
  const entity = await entityOfRequest(ctx, input.entity);
  return withBooks(ctx, entity, async (tx) => {
    const entry = await getEntry(tx.db, entity, input.id);
    if (!entry) throw notFound('journal entry');
    if (entry.reverses) throw new ProblemError('conflict', 'this entry is itself a reversal; post a new entry instead', [{ path: '/id', message: 'is a reversal' }]);
    if (entry.source.kind === 'year-end') throw new ProblemError('conflict', 'a year-end close is not reversed', [{ path: '/id', message: 'is a year-end close' }]);
    if (entry.reversedBy) throw new ProblemError('conflict', `entry ${entry.id} was reversed by ${entry.reversedBy}`, [{ path: '/id', message: 'already reversed' }]);
    const posted = await postEntry(tx, {
      entity,
      date: input.date ?? entry.date,
      memo: `Reversal of ${entry.id}: ${entry.memo}`,
      source: { kind: 'reversal', id: entry.id, by: ctx.principal.id, reason: input.reason },
      idempotencyKey: `reversal:${entry.id}`,
      lines: reversingLines(await entryLines(tx.db, entry.id)),
      reverses: entry.id,
    });
    return (await getEntry(tx.db, entity, posted.entryId))!;
  });
}
