// Books other services' events through the posting rules (ledger/mapping.ts), one consumer per row,
// each in the inbox transaction: a repeated or redelivered event posts nothing twice. Batched: a
// remittance arrives as thousands of events, and one commit per event cannot keep up with it.
import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@mso/contracts';
import { consume, type ConsumerBinding, type ConsumerContext, type Db } from '@mso/kit';
import { normalizeLines } from '../domain/ledger.js';
import { accounts, journalLines } from '../db/schema.js';
import { rowsOf } from '../ledger/balances.js';
import { practiceOf, type Entity } from '../ledger/entities.js';
import { postingRules, type Booked, type PostingRule } from '../ledger/mapping.js';
import { postEntries, postEntry, type PostEntryInput } from '../ledger/post.js';

export function booked(db: Db, entity: Entity, beforeRead?: (ref: string) => Promise<void>): Booked {
  const practiceId = practiceOf(entity);
  const of = practiceId === null ? sql`practice_id is null` : sql`practice_id = ${practiceId}::uuid`;
  return {
    async creditNet(account, ref) {
      await beforeRead?.(ref);
      const [row] = rowsOf<{ net: string | null }>(
        await db.execute(sql`
          select sum(credit_cents - debit_cents) as net from ${journalLines}
           where account_id = (select id from ${accounts} where ${of} and key = ${account}) and ref = ${ref}`),
      );
      return Number(row?.net ?? 0);
    },
  };
}

/** The idempotency key of an event's entry: the same event posts once, whichever way it arrives again. */
export const eventKey = (event: EventEnvelope) => `event:${event.type}:${event.id}`;

/**
 * Entries gathered in a transaction (a consumer batch shares one) and posted together by
 * `flushPostings`: one set of statements per batch instead of one per event.
 */
const gathered = new WeakMap<Db, PostEntryInput[]>();

/** Posts what the transaction's events gathered (the batch's flush). */
export async function flushPostings(ctx: ConsumerContext): Promise<void> {
  const inputs = gathered.get(ctx.db);
  if (!inputs?.length) return;
  gathered.delete(ctx.db);
  await postEntries(ctx, inputs);
}

/**
 * Books one event by its row; events of no practice are not booked (billing's always name one).
 * `gather`: the entry waits for `flushPostings`, except that a row reading what is booked for a ref
 * gathered before posts the gathered first, so it reads what one-by-one posting would.
 */
export async function bookEvent(rule: PostingRule, event: EventEnvelope, ctx: ConsumerContext, gather = false): Promise<void> {
  const practiceId = event.tenantid ?? ctx.tenant;
  if (!practiceId) {
    ctx.log.warn({ event: 'finance.event-without-practice', type: event.type, id: event.id }, 'event without a practice not booked');
    return;
  }
  const beforeRead = async (ref: string) => {
    if (gathered.get(ctx.db)?.some((p) => p.lines.some((l) => l.ref === ref))) await flushPostings(ctx);
  };
  const lines = await rule.lines(event.data as never, booked(ctx.db, practiceId, gather ? beforeRead : undefined));
  // Nothing to book (all amounts zero, e.g. a denied claim with no payment on a zero ERA).
  if (normalizeLines(lines).lines.length === 0) return;
  const input: PostEntryInput = {
    entity: practiceId,
    date: rule.date(event.data as never, event as never),
    memo: rule.memo(event.data as never),
    source: { kind: 'event', id: event.id },
    idempotencyKey: eventKey(event),
    lines,
  };
  if (!gather) return void (await postEntry(ctx, input));
  const inputs = gathered.get(ctx.db) ?? [];
  inputs.push(input);
  gathered.set(ctx.db, inputs);
}

export const eventConsumers: ConsumerBinding[] = postingRules.map((rule) =>
  consume(rule.event, (event, ctx) => bookEvent(rule, event, ctx, true), { batch: { flush: flushPostings } }),
);
