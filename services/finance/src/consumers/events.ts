// Books other services' events through the posting rules (ledger/mapping.ts): one consumer per
// producing service takes all of that service's rows, in the order of its stream (so a claim's
// submission comes before its adjudication, and two consumers never contend for the same balances),
// each event in the inbox transaction: a repeated or redelivered event posts nothing twice. Batched:
// a remittance arrives as thousands of events, and one commit per event cannot keep up with it.
import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@mso/contracts';
import { consume, type ConsumerBinding, type ConsumerContext, type Db } from '@mso/kit';
import { isAccountKey } from '../domain/chart.js';
import { normalizeLines } from '../domain/ledger.js';
import { accounts, journalEntries, journalLines } from '../db/schema.js';
import { rowsOf } from '../ledger/balances.js';
import { practiceOf, type Entity } from '../ledger/entities.js';
import { postingRules, type BookedRead, type PostingRule } from '../ledger/mapping.js';
import { postEntries, type PostEntryInput, type PostingTx } from '../ledger/post.js';

/** The idempotency key of an event's entry: the same event posts once, whichever way it arrives again. */
export const eventKey = (event: EventEnvelope) => `event:${event.type}:${event.id}`;

/** An event waiting in its transaction for the batch's flush, with its row and whose books it goes to. */
export interface GatheredEvent {
  rule: PostingRule;
  event: EventEnvelope;
  entity: Entity;
}

/** What the books held before a run of events: the nets their rows read, and which of their entries are posted already. */
export interface BookedBefore {
  /** Σ credits − Σ debits per `account` and `ref` (keyed by {@link readKey}). */
  nets: ReadonlyMap<string, number>;
  /** Idempotency keys among the events' that are posted already. */
  posted: ReadonlySet<string>;
}

export const readKey = (account: string, ref: string) => `${account}\u0000${ref}`;

/**
 * Events gathered in a transaction (a consumer batch shares one) and booked together by
 * `flushPostings`: one set of statements per batch instead of one per event.
 */
const gathered = new WeakMap<Db, GatheredEvent[]>();

/** Gathers one event for its row's entry; an event whose books are unknown (no practice) is not booked. */
export async function gatherEvent(rule: PostingRule, event: EventEnvelope, ctx: ConsumerContext): Promise<void> {
  const entity = rule.entity ? rule.entity(event.data as never) : (event.tenantid ?? ctx.tenant);
  if (!entity) {
    ctx.log.warn({ event: 'finance.event-without-practice', type: event.type, id: event.id }, 'event without a practice not booked');
    return;
  }
  const list = gathered.get(ctx.db) ?? [];
  list.push({ rule, event, entity });
  gathered.set(ctx.db, list);
}

/**
 * Books what the transaction's events gathered (the batch's flush): per entity, one query for what
 * the rows read (when any does), the entries built in the events' order, then `postEntries`. Books
 * other than the transaction's scope (an MSO payroll delivered in a practice's scope) are reached
 * through the recorded MSO-wide path.
 */
export async function flushPostings(ctx: ConsumerContext): Promise<void> {
  const items = gathered.get(ctx.db);
  if (!items?.length) return;
  gathered.delete(ctx.db);
  const scope: Entity = ctx.tenant ?? 'mso';
  const own = items.filter((i) => i.entity === scope);
  const others = items.filter((i) => i.entity !== scope);
  if (own.length) await book({ db: ctx.db, clock: ctx.clock }, own);
  if (others.length) await ctx.acrossPractices('finance.book-event', (all) => all.transaction((tx) => book({ db: tx.db, clock: ctx.clock }, others)));
}

async function book(tx: PostingTx, items: readonly GatheredEvent[]): Promise<void> {
  const byEntity = new Map<Entity, GatheredEvent[]>();
  for (const item of items) {
    const list = byEntity.get(item.entity);
    if (list) list.push(item);
    else byEntity.set(item.entity, [item]);
  }
  const inputs: PostEntryInput[] = [];
  for (const [entity, list] of byEntity) inputs.push(...entriesOf(list, await bookedBefore(tx.db, entity, list)));
  if (inputs.length) await postEntries(tx, inputs);
}

/**
 * The entries of a run of one entity's events, in order, as posting them one by one would build
 * them: a row reading the books sees what the events before it in the run booked. Events whose
 * entry is posted already, and events with nothing to book, give none.
 */
export function entriesOf(items: readonly GatheredEvent[], before: BookedBefore): PostEntryInput[] {
  const nets = new Map(before.nets);
  const out: PostEntryInput[] = [];
  for (const { rule, event, entity } of items) {
    const idempotencyKey = eventKey(event);
    if (before.posted.has(idempotencyKey)) continue;
    const lines = rule.lines(event.data as never, { creditNet: (account, ref) => nets.get(readKey(account, ref)) ?? 0 });
    // Nothing to book (all amounts zero, e.g. a denied claim with no payment on a zero ERA).
    if (normalizeLines(lines).lines.length === 0) continue;
    for (const l of lines) {
      if (l.ref === undefined || !isAccountKey(l.account)) continue;
      const k = readKey(l.account, l.ref);
      nets.set(k, (nets.get(k) ?? 0) + (l.creditCents ?? 0) - (l.debitCents ?? 0));
    }
    out.push({
      entity,
      date: rule.date(event.data as never, event as never),
      memo: rule.memo(event.data as never),
      source: { kind: 'event', id: event.id },
      idempotencyKey,
      lines,
    });
  }
  return out;
}

/** One query for a run of events whose rows read the books: the nets they read and which of them are posted. None when no row reads. */
async function bookedBefore(db: Db, entity: Entity, items: readonly GatheredEvent[]): Promise<BookedBefore> {
  const reads: BookedRead[] = [];
  const keys: string[] = [];
  for (const { rule, event } of items) {
    if (!rule.reads) continue;
    reads.push(...rule.reads(event.data as never));
    keys.push(eventKey(event));
  }
  if (reads.length === 0) return { nets: new Map(), posted: new Set() };
  const practiceId = practiceOf(entity);
  const of = (table: string) => (practiceId === null ? sql.raw(`${table}.practice_id is null`) : sql`${sql.raw(table)}.practice_id = ${practiceId}::uuid`);
  const [row] = rowsOf<{ nets: { account: string; ref: string; net: string }[] | null; posted: string[] | null }>(
    await db.execute(sql`
      select
        (select json_agg(json_build_object('account', n.account, 'ref', n.ref, 'net', n.net)) from (
           select r.account, r.ref, sum(l.credit_cents - l.debit_cents)::text as net
             from (select distinct * from jsonb_to_recordset(${JSON.stringify(reads)}::jsonb) as x(account text, ref text)) r
             join ${accounts} a on a.key = r.account and ${of('a')}
             join ${journalLines} l on l.account_id = a.id and l.ref = r.ref
            group by r.account, r.ref) n) as nets,
        (select json_agg(e.idempotency_key) from ${journalEntries} e
          where ${of('e')} and e.idempotency_key = any(array(select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb)))) as posted`),
  );
  return {
    nets: new Map((row?.nets ?? []).map((n) => [readKey(n.account, n.ref), Number(n.net)])),
    posted: new Set(row?.posted ?? []),
  };
}

/**
 * One consumer per producing service for its rows' events (`finance__<producer>`, the kit's consumer of
 * several events: the producer's other events are skipped), also for a service with one row, so that
 * its durable stays free for other consumers of that event (the fee basis's, handlers/fees).
 */
function consumersOf(rules: readonly PostingRule[]): ConsumerBinding[] {
  const byProducer = new Map<string, PostingRule[]>();
  for (const rule of rules) byProducer.set(rule.event.producer, [...(byProducer.get(rule.event.producer) ?? []), rule]);
  return [...byProducer.values()].map((list) => {
    const ruleOf = new Map(list.map((r) => [r.event.type, r]));
    const handler = (event: EventEnvelope, ctx: ConsumerContext) => gatherEvent(ruleOf.get(event.type)!, event, ctx);
    // Up to 200 events a transaction: a big remittance's thousands of events in fewer, larger statements.
    const options = { batch: { maxEvents: 200, flush: flushPostings } };
    return consume(list.map((r) => r.event), handler, options);
  });
}

export const eventConsumers: ConsumerBinding[] = consumersOf(postingRules);
