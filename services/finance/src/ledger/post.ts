// The one way anything reaches the books. Balanced (here, and again by the database at commit),
// idempotent by key, never into a closed period, balances kept in the same transaction.
import { sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Clock, Db } from '@mso/kit';
import { isAccountKey, type AccountKey } from '../domain/chart.js';
import { isDate, normalizeLines, postingDate, type CollectionFlow, type Line } from '../domain/ledger.js';
import { accountBalances, accounts, journalEntries, journalLines, periods } from '../db/schema.js';
import { rowsOf } from './balances.js';
import { ensureEntity, practiceOf, type Entity } from './entities.js';

export type SourceKind = 'event' | 'user' | 'fee-run' | 'year-end' | 'reversal';

export interface EntrySource {
  kind: SourceKind;
  /** The event id, fee run id, the user's request, the reversed entry. */
  id: string;
  /** The user who posted it (manual entries). */
  by?: string;
  /** Why (manual entries and reversals). */
  reason?: string;
}

export interface EntryLineInput {
  /** A system account key (`cash`, `insurance-ar`, ...), or an account id or code of the entity's chart. */
  account: AccountKey | (string & {});
  debitCents?: number;
  creditCents?: number;
  memo?: string;
  /** What the line is about, e.g. a claim id (AR aging groups by it). */
  ref?: string;
  /** The cash flow the line counts in for net collections. */
  flow?: CollectionFlow;
}

export interface PostEntryInput {
  entity: Entity;
  /** The source's business date, YYYY-MM-DD. */
  date: string;
  memo: string;
  source: EntrySource;
  /** The same key for the same entity posts once, however often it is asked. */
  idempotencyKey: string;
  lines: EntryLineInput[];
  /** A date in a closed period: `shift` (default) posts on the first day of the next open period; `refuse` answers 409. */
  closedPeriod?: 'shift' | 'refuse';
  /** The entry this one reverses (at most one reversal each). */
  reverses?: string;
  /** When it was posted; default the transaction's clock, else the database's time. */
  postedAt?: Date;
}

export interface PostEntryResult {
  entryId: string;
  /** false: an entry with this idempotency key was posted before (its result is returned). */
  posted: boolean;
  period: string;
  /** The closed period the date fell in, when the entry moved to the next open one. */
  shiftedFrom?: string;
}

/** A transaction handle (`ctx.transaction`'s, a consumer's context, `acrossPractices`' transaction). */
export interface PostingTx {
  readonly db: Db;
  readonly clock?: Clock;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Posts a journal entry for one entity; the caller's transaction holds it all (nothing half-posted).
 * Three statements (look up, entry, lines with balances); many entries at once: `postEntries`.
 */
export async function postEntry(tx: PostingTx, input: PostEntryInput): Promise<PostEntryResult> {
  const { db } = tx;
  const practiceId = practiceOf(input.entity);
  if (!isDate(input.date)) throw new ProblemError('unprocessable', '/date: must be a calendar date YYYY-MM-DD', [{ path: '/date', message: 'must be a calendar date YYYY-MM-DD' }]);
  if (!input.idempotencyKey) throw new ProblemError('unprocessable', '/idempotencyKey: is required', [{ path: '/idempotencyKey', message: 'is required' }]);
  const { lines, problems } = normalizeLines(input.lines);
  if (problems.length) throw new ProblemError('unprocessable', `${problems[0]!.path}: ${problems[0]!.message}`, problems);

  let found = await lookUp(db, input.entity, input.date, input.idempotencyKey, lines);
  if (found.existing) return found.existing;
  if (lines.some((l) => isAccountKey(l.account) && !found.accounts.some((a) => a.key === l.account))) {
    // The entity's first posting: its books open now.
    await ensureEntity(db, input.entity, tx.clock?.now());
    found = await lookUp(db, input.entity, input.date, input.idempotencyKey, lines);
  }
  const accountIds = accountIdsOf(lines, found.accounts);
  const target = postingDate(input.date, new Set(found.closed));
  if (target.shiftedFrom && input.closedPeriod === 'refuse') {
    throw new ProblemError('conflict', `period ${target.shiftedFrom} is closed`, [{ path: '/date', message: `period ${target.shiftedFrom} is closed` }], { period: target.shiftedFrom });
  }
  if (target.shiftedFrom) await db.execute(sql`select pg_advisory_xact_lock_shared(${periodLockKey(input.entity, target.period)})`);

  const entryId = crypto.randomUUID();
  const postedAt = input.postedAt ?? tx.clock?.now();
  const inserted = rowsOf<{ id: string }>(
    await db.execute(sql`
      insert into ${journalEntries} (id, practice_id, date, period, shifted_from, source_date, memo, source_kind, source_id, source_by, source_reason, idempotency_key, reverses, posted_at)
      values (${entryId}, ${practiceId}, ${target.date}, ${target.period}, ${target.shiftedFrom ?? null}, ${input.date}, ${input.memo}, ${input.source.kind}, ${input.source.id},
              ${input.source.by ?? null}, ${input.source.reason ?? null}, ${input.idempotencyKey}, ${input.reverses ?? null}, ${postedAt ? postedAt.toISOString() : sql`now()`})
      on conflict do nothing returning id`),
  );
  if (inserted.length === 0) {
    // Another transaction posted the same key first (or the reversed entry has its reversal).
    const raced = await lookUp(db, input.entity, input.date, input.idempotencyKey, lines);
    if (raced.existing) return raced.existing;
    throw new ProblemError('conflict', input.reverses ? `entry ${input.reverses} is reversed already` : 'the entry was posted concurrently; try again');
  }

  const sums = new Map<string, { debit: number; credit: number }>();
  lines.forEach((l, i) => {
    const s = sums.get(accountIds[i]!) ?? { debit: 0, credit: 0 };
    s.debit += l.debitCents;
    s.credit += l.creditCents;
    sums.set(accountIds[i]!, s);
  });
  const lineRows = lines.map(
    (l, i) =>
      sql`(${crypto.randomUUID()}::uuid, ${entryId}::uuid, ${practiceId}::uuid, ${i + 1}::int, ${accountIds[i]!}::uuid, ${target.date}::date, ${target.period}, ${l.debitCents}::bigint, ${l.creditCents}::bigint, ${l.ref ?? null}, ${l.flow ?? null}, ${l.memo ?? null})`,
  );
  // Balances in account order, so two postings never wait on each other's rows in a cycle.
  const balanceRows = [...sums]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([accountId, s]) => sql`(${practiceId}::uuid, ${accountId}::uuid, ${target.period}, ${s.debit}::bigint, ${s.credit}::bigint)`);
  await db.execute(sql`
    with lines as (
      insert into ${journalLines} (id, entry_id, practice_id, line_no, account_id, date, period, debit_cents, credit_cents, ref, flow, memo)
      values ${sql.join(lineRows, sql`, `)}
    )
    insert into ${accountBalances} as b (practice_id, account_id, period, debit_cents, credit_cents)
    values ${sql.join(balanceRows, sql`, `)}
    on conflict (account_id, period) do update
      set debit_cents = b.debit_cents + excluded.debit_cents, credit_cents = b.credit_cents + excluded.credit_cents`);
  return { entryId, posted: true, period: target.period, ...(target.shiftedFrom ? { shiftedFrom: target.shiftedFrom } : {}) };
}

interface Found {
  existing: PostEntryResult | null;
  accounts: { id: string; key: string | null; code: string }[];
  closed: string[];
}

/**
 * One statement: holds the date's month against a concurrent close (shared advisory lock), and reads
 * the entry posted before with this key, the accounts the lines name, and the closed months from the
 * date's on. (A close that commits while this waits for the lock is still refused by the database's
 * open-period trigger.)
 */
async function lookUp(db: Db, entity: Entity, date: string, key: string, lines: readonly Line[]): Promise<Found> {
  const practiceId = practiceOf(entity);
  const of = (table: string) => (practiceId === null ? sql.raw(`${table}.practice_id is null`) : sql`${sql.raw(table)}.practice_id = ${practiceId}::uuid`);
  const refs = [...new Set(lines.map((l) => (uuidPattern.test(l.account) ? l.account.toLowerCase() : l.account)))];
  const [row] = rowsOf<{ existing: { id: string; period: string; shifted_from: string | null } | null; accounts: Found['accounts'] | null; closed: string[] | null }>(
    await db.execute(sql`
      select pg_advisory_xact_lock_shared(${periodLockKey(entity, date.slice(0, 7))})::text as locked,
        (select json_build_object('id', e.id, 'period', e.period, 'shifted_from', e.shifted_from) from ${journalEntries} e where ${of('e')} and e.idempotency_key = ${key}) as existing,
        (select json_agg(json_build_object('id', a.id, 'key', a.key, 'code', a.code)) from ${accounts} a
          where ${of('a')} and (a.key in ${refs} or a.id::text in ${refs} or a.code in ${refs})) as accounts,
        (select json_agg(p.period) from ${periods} p where ${of('p')} and p.period >= ${date.slice(0, 7)}) as closed`),
  );
  const e = row?.existing;
  return {
    existing: e ? { entryId: e.id, posted: false, period: e.period, ...(e.shifted_from ? { shiftedFrom: e.shifted_from } : {}) } : null,
    accounts: row?.accounts ?? [],
    closed: row?.closed ?? [],
  };
}

/** The account id of each line: a system key, an account id or a code of the entity's chart; else 422 naming the line. */
function accountIdsOf(lines: readonly Line[], found: Found['accounts']): string[] {
  const byKey = new Map(found.filter((a) => a.key).map((a) => [a.key!, a.id]));
  const byId = new Set(found.map((a) => a.id));
  const byCode = new Map(found.map((a) => [a.code, a.id]));
  const problems: { path: string; message: string }[] = [];
  const out = lines.map((l, i) => {
    const id = isAccountKey(l.account) ? byKey.get(l.account) : uuidPattern.test(l.account) && byId.has(l.account.toLowerCase()) ? l.account.toLowerCase() : byCode.get(l.account);
    if (!id) problems.push({ path: `/lines/${i}/account`, message: 'no such account in this entity' });
    return id ?? '';
  });
  if (problems.length) throw new ProblemError('unprocessable', `${problems[0]!.path}: ${problems[0]!.message}`, problems);
  return out;
}

/** The advisory lock a posting holds shared and a period close holds exclusively. */
export function periodLockKey(entity: Entity, period: string) {
  return sql`hashtextextended(${`finance.period:${entity}:${period}`}, 0)`;
}

/**
 * Posts many entries in the caller's transaction with the same results as `postEntry` for each in
 * turn (a key seen before, or earlier in the list, returns its first entry with `posted: false`).
 * A fixed number of statements per entity however many entries: one look-up for every key, one
 * insert of the entries, one of their lines with the balances summed per account and month.
 */
export async function postEntries(tx: PostingTx, inputs: readonly PostEntryInput[]): Promise<PostEntryResult[]> {
  const results: PostEntryResult[] = new Array<PostEntryResult>(inputs.length);
  const byEntity = new Map<Entity, number[]>();
  inputs.forEach((input, i) => byEntity.set(input.entity, [...(byEntity.get(input.entity) ?? []), i]));
  for (const [entity, indexes] of byEntity) {
    const posted = await postForEntity(tx, entity, indexes.map((i) => inputs[i]!));
    indexes.forEach((i, n) => (results[i] = posted[n]!));
  }
  return results;
}

async function postForEntity(tx: PostingTx, entity: Entity, inputs: readonly PostEntryInput[]): Promise<PostEntryResult[]> {
  const { db } = tx;
  const practiceId = practiceOf(entity);
  const normalised = inputs.map((input) => {
    if (!isDate(input.date)) throw new ProblemError('unprocessable', '/date: must be a calendar date YYYY-MM-DD', [{ path: '/date', message: 'must be a calendar date YYYY-MM-DD' }]);
    if (!input.idempotencyKey) throw new ProblemError('unprocessable', '/idempotencyKey: is required', [{ path: '/idempotencyKey', message: 'is required' }]);
    const { lines, problems } = normalizeLines(input.lines);
    if (problems.length) throw new ProblemError('unprocessable', `${problems[0]!.path}: ${problems[0]!.message}`, problems);
    return lines;
  });
  const keys = [...new Set(inputs.map((i) => i.idempotencyKey))];
  const months = [...new Set(inputs.map((i) => i.date.slice(0, 7)))].sort();
  const allLines = normalised.flat();
  let found = await lookUpMany(db, entity, months, keys, allLines);
  if (allLines.some((l) => isAccountKey(l.account) && !found.accounts.some((a) => a.key === l.account)) && inputs.some((i) => !found.existing.has(i.idempotencyKey))) {
    // The entity's first posting: its books open now.
    await ensureEntity(db, entity, tx.clock?.now());
    found = await lookUpMany(db, entity, months, keys, allLines);
  }

  interface Pending { at: number; input: PostEntryInput; lines: Line[]; accountIds: string[]; target: ReturnType<typeof postingDate>; entryId: string }
  const results: PostEntryResult[] = new Array<PostEntryResult>(inputs.length);
  const firstOfKey = new Map<string, number>();
  const pending: Pending[] = [];
  const closed = new Set(found.closed);
  inputs.forEach((input, at) => {
    const existing = found.existing.get(input.idempotencyKey);
    if (existing) return void (results[at] = existing);
    const first = firstOfKey.get(input.idempotencyKey);
    if (first !== undefined) return; // filled in from the first once it is posted
    firstOfKey.set(input.idempotencyKey, at);
    const lines = normalised[at]!;
    const accountIds = accountIdsOf(lines, found.accounts);
    const target = postingDate(input.date, closed);
    if (target.shiftedFrom && input.closedPeriod === 'refuse') {
      throw new ProblemError('conflict', `period ${target.shiftedFrom} is closed`, [{ path: '/date', message: `period ${target.shiftedFrom} is closed` }], { period: target.shiftedFrom });
    }
    pending.push({ at, input, lines, accountIds, target, entryId: crypto.randomUUID() });
  });
  const shiftedInto = [...new Set(pending.filter((p) => p.target.shiftedFrom).map((p) => p.target.period))].sort();
  if (shiftedInto.length) {
    await db.execute(sql`select ${sql.join(shiftedInto.map((period) => sql`pg_advisory_xact_lock_shared(${periodLockKey(entity, period)})`), sql`, `)}`);
  }

  if (pending.length) {
    // Entries and lines go as one JSON parameter each: a batch's thousands of lines as bound
    // parameters cost more to build, send and parse than to insert (and would need chunks under
    // PostgreSQL's 65,535). The entries in the list's order (their `seq` is the posting order).
    const entryRows = pending.map(({ input, target, entryId }) => ({
      id: entryId,
      date: target.date,
      period: target.period,
      shifted_from: target.shiftedFrom ?? null,
      source_date: input.date,
      memo: input.memo,
      source_kind: input.source.kind,
      source_id: input.source.id,
      source_by: input.source.by ?? null,
      source_reason: input.source.reason ?? null,
      idempotency_key: input.idempotencyKey,
      reverses: input.reverses ?? null,
      posted_at: (input.postedAt ?? tx.clock?.now())?.toISOString() ?? null,
    }));
    const inserted = new Set(
      rowsOf<{ id: string }>(
        await db.execute(sql`
          insert into ${journalEntries} (id, practice_id, date, period, shifted_from, source_date, memo, source_kind, source_id, source_by, source_reason, idempotency_key, reverses, posted_at)
          select x.id, ${practiceId}::uuid, x.date, x.period, x.shifted_from, x.source_date, x.memo, x.source_kind, x.source_id, x.source_by, x.source_reason, x.idempotency_key, x.reverses, coalesce(x.posted_at, now())
            from jsonb_to_recordset(${JSON.stringify(entryRows)}::jsonb) as x(id uuid, date date, period text, shifted_from text, source_date date, memo text, source_kind text, source_id text,
                 source_by text, source_reason text, idempotency_key text, reverses uuid, posted_at timestamptz)
          on conflict do nothing returning id`),
      ).map((r) => r.id),
    );
    const lineRows: object[] = [];
    for (const p of pending) {
      if (!inserted.has(p.entryId)) continue;
      p.lines.forEach((l, i) => {
        lineRows.push({ entry_id: p.entryId, line_no: i + 1, account_id: p.accountIds[i]!, date: p.target.date, period: p.target.period, debit_cents: l.debitCents, credit_cents: l.creditCents, ref: l.ref ?? null, flow: l.flow ?? null, memo: l.memo ?? null });
      });
      results[p.at] = { entryId: p.entryId, posted: true, period: p.target.period, ...(p.target.shiftedFrom ? { shiftedFrom: p.target.shiftedFrom } : {}) };
    }
    if (lineRows.length) {
      // One statement: the lines, and the balances summed per account and month, upserted in account
      // order so that two postings never wait on each other's rows in a cycle.
      await db.execute(sql`
        with input as materialized (
          select * from jsonb_to_recordset(${JSON.stringify(lineRows)}::jsonb)
            as x(entry_id uuid, line_no int, account_id uuid, date date, period text, debit_cents bigint, credit_cents bigint, ref text, flow text, memo text)
        ), lines as (
          insert into ${journalLines} (id, entry_id, practice_id, line_no, account_id, date, period, debit_cents, credit_cents, ref, flow, memo)
          select gen_random_uuid(), entry_id, ${practiceId}::uuid, line_no, account_id, date, period, debit_cents, credit_cents, ref, flow, memo from input
        )
        insert into ${accountBalances} as b (practice_id, account_id, period, debit_cents, credit_cents)
        select ${practiceId}::uuid, account_id, period, sum(debit_cents), sum(credit_cents) from input group by account_id, period order by account_id, period
        on conflict (account_id, period) do update
          set debit_cents = b.debit_cents + excluded.debit_cents, credit_cents = b.credit_cents + excluded.credit_cents`);
    }
    // Not inserted: another transaction posted the key first (or the reversed entry has its
    // reversal); postEntry answers those as it would alone.
    for (const p of pending) if (!inserted.has(p.entryId)) results[p.at] = await postEntry(tx, p.input);
  }
  inputs.forEach((input, at) => {
    if (!results[at]) results[at] = { ...results[firstOfKey.get(input.idempotencyKey)!]!, posted: false };
  });
  return results;
}

interface FoundMany {
  existing: Map<string, PostEntryResult>;
  accounts: Found['accounts'];
  closed: string[];
}

/** `lookUp` for many keys: the months' shared locks (in order), the entries of any of the keys, the accounts, the closed months. */
async function lookUpMany(db: Db, entity: Entity, months: readonly string[], keys: readonly string[], lines: readonly Line[]): Promise<FoundMany> {
  const practiceId = practiceOf(entity);
  const of = (table: string) => (practiceId === null ? sql.raw(`${table}.practice_id is null`) : sql`${sql.raw(table)}.practice_id = ${practiceId}::uuid`);
  const refs = [...new Set(lines.map((l) => (uuidPattern.test(l.account) ? l.account.toLowerCase() : l.account)))];
  const accountsOf = refs.length
    ? sql`(select json_agg(json_build_object('id', a.id, 'key', a.key, 'code', a.code)) from ${accounts} a where ${of('a')} and (a.key in ${refs} or a.id::text in ${refs} or a.code in ${refs}))`
    : sql`null::json`;
  const [row] = rowsOf<{ existing: { id: string; key: string; period: string; shifted_from: string | null }[] | null; accounts: Found['accounts'] | null; closed: string[] | null }>(
    await db.execute(sql`
      select ${sql.join(months.map((m) => sql`pg_advisory_xact_lock_shared(${periodLockKey(entity, m)})::text`), sql`, `)},
        (select json_agg(json_build_object('id', e.id, 'key', e.idempotency_key, 'period', e.period, 'shifted_from', e.shifted_from)) from ${journalEntries} e
          where ${of('e')} and e.idempotency_key = any(array(select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb)))) as existing,
        ${accountsOf} as accounts,
        (select json_agg(p.period) from ${periods} p where ${of('p')} and p.period >= ${months[0]!}) as closed`),
  );
  return {
    existing: new Map((row?.existing ?? []).map((e) => [e.key, { entryId: e.id, posted: false, period: e.period, ...(e.shifted_from ? { shiftedFrom: e.shifted_from } : {}) }])),
    accounts: row?.accounts ?? [],
    closed: row?.closed ?? [],
  };
}
