import { randomBytes, randomUUID } from 'node:crypto';
import { asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { ProblemError } from '@mso/contracts';
import type { ClaimStatus } from '@mso/contracts/billing';
import { tenantWhere, type Db } from '@mso/kit';
import { claimAdjudications, claimHistory, claimLines, claims } from '../../db/schema.js';
import { transitionAllowed, type PostingClaim, type PostingRecord } from '../../domain/remittance/posting.js';
import { deniedLinesOf } from '../../domain/remittance/records.js';
import type { ClaimLineRow, ClaimRow } from '../claim-store.js';

// Bulk loads and writes of a posting: a remittance of 10,000 claims is a few statements, not 10,000
// round trips. Everything here runs in the caller's transaction.

/** Rows per statement: keeps every statement's parameters well under PostgreSQL's 65,535. */
const CHUNK = 1000;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// What posting reads of a claim and its lines: not their details, diagnoses or findings, which a
// 10,000-claim file would otherwise hold in memory for nothing.
const postingClaimColumns = {
  id: claims.id,
  practiceId: claims.practiceId,
  patientControlNumber: claims.patientControlNumber,
  patientId: claims.patientId,
  payerId: claims.payerId,
  status: claims.status,
  version: claims.version,
  chargeCents: claims.chargeCents,
  paidCents: claims.paidCents,
  adjustmentCents: claims.adjustmentCents,
  patientResponsibilityCents: claims.patientResponsibilityCents,
  forwardedTo: claims.forwardedTo,
  payerClaimControlNumber: claims.payerClaimControlNumber,
};
const postingLineColumns = {
  id: claimLines.id,
  claimId: claimLines.claimId,
  lineNumber: claimLines.lineNumber,
  procedureCode: claimLines.procedureCode,
  modifiers: claimLines.modifiers,
  serviceDate: claimLines.serviceDate,
  lineControlNumber: claimLines.lineControlNumber,
  chargeCents: claimLines.chargeCents,
  paidCents: claimLines.paidCents,
  adjustmentCents: claimLines.adjustmentCents,
  patientResponsibilityCents: claimLines.patientResponsibilityCents,
  denied: claimLines.denied,
};
export type PostingClaimRow = Pick<ClaimRow, keyof typeof postingClaimColumns>;
export type PostingLineRow = Pick<ClaimLineRow, keyof typeof postingLineColumns>;

export interface LoadedClaim {
  row: PostingClaimRow;
  lines: PostingLineRow[];
  state: PostingClaim;
}

/** The practice's claims with these patient control numbers, their lines, locked for the posting. */
export async function loadClaimsForPosting(tx: Db, practiceId: string, patientControlNumbers: readonly string[], options: { postingsOf?: ReadonlySet<string> } = {}): Promise<Map<string, LoadedClaim>> {
  const rows: PostingClaimRow[] = [];
  for (const part of chunks([...new Set(patientControlNumbers)], 5000)) {
    rows.push(...(await tx.select(postingClaimColumns).from(claims).where(tenantWhere(claims.practiceId, practiceId, inArray(claims.patientControlNumber, part))).for('update')));
  }
  return withLinesAndPostings(tx, practiceId, rows, (row) => options.postingsOf?.has(row.patientControlNumber) ?? false);
}

/** One claim by id, locked, with its lines and every posting not reversed (manual postings and matches). */
export async function loadClaimForPosting(tx: Db, practiceId: string, claimId: string): Promise<LoadedClaim | undefined> {
  const rows = await tx.select(postingClaimColumns).from(claims).where(tenantWhere(claims.practiceId, practiceId, eq(claims.id, claimId))).for('update');
  return (await withLinesAndPostings(tx, practiceId, rows, () => true)).values().next().value;
}

async function withLinesAndPostings(tx: Db, practiceId: string, rows: PostingClaimRow[], needsPostings: (row: PostingClaimRow) => boolean): Promise<Map<string, LoadedClaim>> {
  const lines = new Map<string, PostingLineRow[]>();
  for (const part of chunks(rows.map((r) => r.id), 5000)) {
    const found = await tx.select(postingLineColumns).from(claimLines).where(tenantWhere(claimLines.practiceId, practiceId, inArray(claimLines.claimId, part))).orderBy(asc(claimLines.claimId), asc(claimLines.lineNumber));
    for (const l of found) (lines.get(l.claimId) ?? lines.set(l.claimId, []).get(l.claimId)!).push(l);
  }
  const postings = await loadOpenPostings(tx, practiceId, rows.filter(needsPostings).map((r) => r.id));
  const out = new Map<string, LoadedClaim>();
  for (const row of rows) {
    const claimLinesOf = lines.get(row.id) ?? [];
    const state: PostingClaim = {
      id: row.id,
      status: row.status as ClaimStatus,
      chargeCents: row.chargeCents,
      paidCents: row.paidCents,
      adjustmentCents: row.adjustmentCents,
      patientResponsibilityCents: row.patientResponsibilityCents,
      forwardedTo: row.forwardedTo,
      payerClaimControlNumber: row.payerClaimControlNumber,
      lines: claimLinesOf.map((l) => ({
        id: l.id,
        lineNumber: l.lineNumber,
        procedureCode: l.procedureCode,
        modifiers: l.modifiers,
        serviceDate: l.serviceDate,
        lineControlNumber: l.lineControlNumber,
        chargeCents: l.chargeCents,
        paidCents: l.paidCents,
        adjustmentCents: l.adjustmentCents,
        patientResponsibilityCents: l.patientResponsibilityCents,
        denied: l.denied,
      })),
      postings: (postings.get(row.id) ?? []).map((p) => ({ ...p, deniedLineIds: deniedLinesOf(p, claimLinesOf) })),
    };
    out.set(row.patientControlNumber, { row, lines: claimLinesOf, state });
  }
  return out;
}

/** Postings of these claims that no reversal undid, oldest first. */
async function loadOpenPostings(tx: Db, practiceId: string, claimIds: readonly string[]): Promise<Map<string, Omit<PostingRecord, 'deniedLineIds'>[]>> {
  const out = new Map<string, Omit<PostingRecord, 'deniedLineIds'>[]>();
  for (const part of chunks(claimIds, 5000)) {
    const rows = await tx
      .select()
      .from(claimAdjudications)
      .where(
        tenantWhere(
          claimAdjudications.practiceId,
          practiceId,
          inArray(claimAdjudications.claimId, part),
          eq(claimAdjudications.reversal, false),
          sql`not exists (select 1 from ${claimAdjudications} r where r.practice_id = ${practiceId} and r.reverses_id = ${claimAdjudications.id})`,
        ),
      )
      .orderBy(asc(claimAdjudications.postedAt), asc(claimAdjudications.id));
    for (const a of rows) {
      const record = {
        id: a.id,
        source: a.source as PostingRecord['source'],
        statusCode: a.statusCode,
        reversal: a.reversal,
        reversesId: a.reversesId,
        payerClaimControlNumber: a.payerClaimControlNumber,
        paidCents: a.paidCents,
        patientResponsibilityCents: a.patientResponsibilityCents,
        adjustments: a.adjustments,
        lines: a.lines,
        remarks: a.remarks,
      };
      (out.get(a.claimId) ?? out.set(a.claimId, []).get(a.claimId)!).push(record);
    }
  }
  return out;
}

export interface PostedClaim {
  loaded: LoadedClaim;
  /** The state after every posting of this operation to the claim. */
  state: PostingClaim;
  /** History entries, in order: one per posting or reversal. */
  history: { action: string; from: ClaimStatus; to: ClaimStatus; note: string | null }[];
}

export interface PostingContext {
  practiceId: string;
  remittanceId: string | null;
  paymentDate: string;
  at: Date;
  by: string;
}

/**
 * Writes the postings: adjudication records, the claims' and lines' new totals and statuses (one
 * bumped version each), and their history. Refuses (409) a status change the machine does not allow.
 */
export async function savePostings(tx: Db, ctx: PostingContext, posted: readonly PostedClaim[], records: readonly { claimId: string; record: PostingRecord }[]): Promise<void> {
  for (const p of posted) {
    for (const h of p.history) {
      if (!transitionAllowed(h.from, h.to)) throw new ProblemError('conflict', `claim ${p.loaded.row.patientControlNumber}: cannot post to a claim that is ${h.from} (it would become ${h.to})`);
    }
  }
  await insertRows(
    tx,
    claimAdjudications,
    records.map(({ claimId, record: r }) => ({
        id: r.id,
        practiceId: ctx.practiceId,
        claimId,
        source: r.source,
        remittanceId: ctx.remittanceId,
        statusCode: r.statusCode,
        reversal: r.reversal,
        reversesId: r.reversesId,
        payerClaimControlNumber: r.payerClaimControlNumber,
        paidCents: r.paidCents,
        patientResponsibilityCents: r.patientResponsibilityCents,
        adjustments: r.adjustments,
        lines: r.lines,
        remarks: r.remarks,
        paymentDate: ctx.paymentDate,
        postedAt: ctx.at,
        postedBy: ctx.by,
      })),
  );
  await withoutNestedLoops(tx, async () => {
  for (const part of chunks(posted)) {
    const values = part.map((p) => ({
      id: p.state.id,
      version: p.loaded.row.version,
      status: p.state.status,
      paid: p.state.paidCents,
      adj: p.state.adjustmentCents,
      pr: p.state.patientResponsibilityCents,
      forwarded: p.state.forwardedTo,
      pccn: p.state.payerClaimControlNumber,
    }));
    const updated = rowsOf(
      await tx.execute(sql`
        update ${claims} as c set status = v.status, paid_cents = v.paid, adjustment_cents = v.adj, patient_responsibility_cents = v.pr,
          forwarded_to = v.forwarded, payer_claim_control_number = v.pccn, version = c.version + 1, updated_at = ${ctx.at.toISOString()}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, version int, status text, paid bigint, adj bigint, pr bigint, forwarded text, pccn text)
        where c.practice_id = ${ctx.practiceId} and c.id = v.id and c.version = v.version
        returning c.id`),
    );
    if (updated.length !== part.length) throw new ProblemError('conflict', 'a claim changed while the remittance posted: post it again');
  }
  const lineValues = posted.flatMap((p) => {
    const before = new Map(p.loaded.lines.map((l) => [l.id, l]));
    return p.state.lines
      .filter((l) => {
        const b = before.get(l.id)!;
        return b.paidCents !== l.paidCents || b.adjustmentCents !== l.adjustmentCents || b.patientResponsibilityCents !== l.patientResponsibilityCents || b.denied !== l.denied;
      })
      .map((l) => ({ id: l.id, paid: l.paidCents, adj: l.adjustmentCents, pr: l.patientResponsibilityCents, denied: l.denied }));
  });
  for (const part of chunks(lineValues)) {
    await tx.execute(sql`
      update ${claimLines} as l set paid_cents = v.paid, adjustment_cents = v.adj, patient_responsibility_cents = v.pr, denied = v.denied
      from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as v(id uuid, paid bigint, adj bigint, pr bigint, denied boolean)
      where l.practice_id = ${ctx.practiceId} and l.id = v.id`);
  }
  });
  const lastSeq = new Map<string, number>();
  for (const part of chunks(posted.map((p) => p.state.id), 5000)) {
    const rows = await tx
      .select({ claimId: claimHistory.claimId, seq: sql<number>`max(${claimHistory.seq})`.mapWith(Number) })
      .from(claimHistory)
      .where(tenantWhere(claimHistory.practiceId, ctx.practiceId, inArray(claimHistory.claimId, part)))
      .groupBy(claimHistory.claimId);
    for (const r of rows) lastSeq.set(r.claimId, r.seq);
  }
  const history = posted.flatMap((p) =>
    p.history.map((h, i) => ({
      id: randomUUID(),
      practiceId: ctx.practiceId,
      claimId: p.state.id,
      seq: (lastSeq.get(p.state.id) ?? 0) + i + 1,
      at: ctx.at,
      action: h.action,
      fromStatus: h.from,
      toStatus: h.to,
      by: ctx.by,
      note: h.note,
    })),
  );
  await insertRows(tx, claimHistory, history);
}

/**
 * Runs bulk `UPDATE ... FROM jsonb_to_recordset(...)` statements with hash joins. Right after many
 * claims arrive (an 837P import), the statistics and the tenant wall's filter make the planner expect
 * one claim row and pick a nested loop that rescans the 1,000 values for every claim of the practice
 * (seconds per statement); a hash join is right at every size. Set for this transaction's statements
 * until restored (a failure rolls the setting back with the statements).
 */
export async function withoutNestedLoops(tx: Db, fn: () => Promise<void>): Promise<void> {
  const [before] = rowsOf<{ setting: string }>(await tx.execute(sql`select current_setting('enable_nestloop') as setting, set_config('enable_nestloop', 'off', true)`));
  await fn();
  await tx.execute(sql`select set_config('enable_nestloop', ${before!.setting}, true)`);
}

/**
 * A multi-row INSERT of many rows as one parameter: the rows as JSON, unpacked by PostgreSQL
 * (`jsonb_to_recordset`), 2,000 per statement. Several times faster than binding every value of a
 * wide row as its own parameter. Columns are those the first row sets.
 */
export async function insertRows<T extends PgTable>(tx: Db, table: T, rows: readonly T['$inferInsert'][]): Promise<void> {
  if (!rows.length) return;
  const first = rows[0] as Record<string, unknown>;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => first[key] !== undefined);
  const names = sql.raw(columns.map(([, c]) => `"${c.name}"`).join(', '));
  const types = sql.raw(columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(', '));
  for (const part of chunks(rows, 2000)) {
    const json = JSON.stringify(part.map((row) => Object.fromEntries(columns.map(([key, c]) => [c.name, (row as Record<string, unknown>)[key] ?? null]))));
    await tx.execute(sql`insert into ${table} (${names}) select ${names} from jsonb_to_recordset(${json}::jsonb) as v(${types})`);
  }
}

/** The rows of `db.execute` on either driver (postgres.js answers an array, PGlite `{ rows }`). */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

/**
 * Ids that sort in the order they are drawn (time first, as UUIDv7): postings written in one
 * operation share their `postedAt`, and the claim lists them by (postedAt, id).
 */
export function orderedIds(at: Date): () => string {
  const ms = at.getTime().toString(16).padStart(12, '0');
  const tail = randomBytes(2).toString('hex').slice(0, 3);
  let n = 0;
  return () => {
    const c = (n++).toString(16).padStart(15, '0');
    return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${c.slice(0, 3)}-8${c.slice(3, 6)}-${c.slice(6, 15)}${tail}`;
  };
}
