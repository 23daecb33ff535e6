import { createHash, randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Acknowledgment, ClaimRejection, ClaimStatus, importAcknowledgment } from '@mso/contracts/billing';
import { tenantWhere, type Db, type Handler } from '@mso/kit';
import { parse277, parse999, segments, type Parse277Result, type Parse999Result } from '@mso/x12';
import { acknowledgments, batchClaims, claimBatches, claims } from '../../db/schema.js';
import { decide277, rejectionOf277, rejectionOf999 } from '../../domain/edi/acknowledgment.js';
import { readX12, toEdiWarning } from '../../domain/edi/x12-problems.js';
import { assertTransition } from '../../domain/claim-status.js';
import type { Actor, ClaimRow } from '../claim-store.js';
import { iso, isUniqueViolation, unprocessable } from '../common.js';
import { appendHistory, rowsOf, uuidArray } from './history.js';

// POST /v1/billing/acknowledgments: a clearinghouse's 999 (per transaction set of a batch) or a
// payer's 277CA (per claim, by patient control number) moves claims to accepted or rejected, each
// change in the claim's history. The same file twice (SHA-256 of its bytes) answers the first result.

type Outcome = Pick<Acknowledgment, 'moved' | 'unchanged' | 'unmatched'>;

/** ST01 of the first transaction set: which reader the file needs. */
function transactionType(bytes: Uint8Array): string | null {
  const found = readX12('acknowledgment', () => {
    for (const s of segments(bytes)) if (s.id === 'ST') return s.elements[0] ?? '';
    return null;
  });
  return found;
}

/** A claim an acknowledgment moves: decided first, all written at once (`saveMoves`). */
interface Move {
  row: ClaimRow;
  to: 'accepted' | 'rejected';
  rejection: ClaimRejection | null;
  payerClaimControlNumber: string | null;
  note: string;
}

interface Work extends Outcome {
  /** By claim id: a claim the file names twice moves once. */
  moves: Map<string, Move>;
}

function moveClaim(work: Work, row: ClaimRow, to: 'accepted' | 'rejected', rejection: ClaimRejection | null, extra: { payerClaimControlNumber?: string | undefined }, source: string): void {
  const earlier = work.moves.get(row.id);
  if (row.status !== 'submitted' || earlier) {
    const status = (earlier?.to ?? row.status) as ClaimStatus;
    work.unchanged.push({ claimId: row.id, patientControlNumber: row.patientControlNumber, status, reason: `the claim is ${status}, not waiting for an acknowledgment` });
    return;
  }
  assertTransition('submitted', to, to);
  work.moves.set(row.id, { row, to, rejection: to === 'rejected' ? rejection : null, payerClaimControlNumber: extra.payerClaimControlNumber ?? null, note: rejection ? rejection.message : `accepted (${source})` });
  work.moved.push({ claimId: row.id, patientControlNumber: row.patientControlNumber, from: 'submitted', to, codes: rejection?.codes ?? [] });
}

/**
 * Writes the moves: one update per 5,000 claims (their new values in one JSON document keyed by claim
 * id, the claims found by primary key), and their history entries. The claims were read `for update`.
 */
async function saveMoves(tx: Db, practiceId: string, moves: readonly Move[], actor: Actor): Promise<void> {
  const at = actor.at.toISOString();
  for (let i = 0; i < moves.length; i += 5000) {
    const part = moves.slice(i, i + 5000);
    const changes = JSON.stringify(
      Object.fromEntries(
        part.map((m) => [
          m.row.id,
          {
            status: m.to,
            rejection: m.rejection,
            first: m.row.acceptedOnFirstSubmission ?? (m.row.submissionCount <= 1 ? m.to === 'accepted' : false),
            payerNumber: m.payerClaimControlNumber,
            version: m.row.version,
          },
        ]),
      ),
    );
    const updated = rowsOf(
      await tx.execute(sql`with d as (select ${changes}::jsonb as doc)
        update ${claims} c set (status, rejection, accepted_on_first_submission, payer_claim_control_number) = (
            select v ->> 'status', nullif(v -> 'rejection', 'null'::jsonb), (v ->> 'first')::boolean, coalesce(v ->> 'payerNumber', c.payer_claim_control_number)
            from (select doc -> c.id::text as v from d) one),
          version = c.version + 1, updated_at = ${at}::timestamptz
        where c.practice_id = ${practiceId}::uuid and c.id = any(${uuidArray(part.map((m) => m.row.id))})
          and c.version = (select (doc -> c.id::text ->> 'version')::int from d)
        returning c.id`),
    );
    if (updated.length !== part.length) throw new ProblemError('conflict', 'a claim of the file changed meanwhile: send the file again');
  }
  await appendHistory(tx, practiceId, moves.map((m) => ({ claimId: m.row.id, action: m.to, from: 'submitted', to: m.to, note: m.note })), actor);
}

async function apply999(tx: Db, practiceId: string, ack: Parse999Result, actor: Actor): Promise<Outcome> {
  const out: Work = { moved: [], unchanged: [], unmatched: [], moves: new Map() };
  const at = iso(actor.at);
  const groupNumbers = [...new Set(ack.groups.map((g) => Number(g.groupControlNumber)).concat(ack.transactionSets.map((s) => Number(s.groupControlNumber))))].filter(Number.isSafeInteger);
  const batches = groupNumbers.length
    ? await tx.select({ id: claimBatches.id, controlNumber: claimBatches.controlNumber }).from(claimBatches).where(tenantWhere(claimBatches.practiceId, practiceId, inArray(claimBatches.controlNumber, groupNumbers)))
    : [];
  const batchOf = new Map(batches.map((b) => [String(b.controlNumber), b.id]));
  const membersOf = async (batchId: string, transactionControlNumber?: string) => {
    const members = await tx
      .select({ claimId: batchClaims.claimId })
      .from(batchClaims)
      .where(tenantWhere(batchClaims.practiceId, practiceId, eq(batchClaims.batchId, batchId), transactionControlNumber ? eq(batchClaims.transactionControlNumber, transactionControlNumber) : undefined));
    if (!members.length) return [];
    return tx
      .select()
      .from(claims)
      .where(tenantWhere(claims.practiceId, practiceId, inArray(claims.id, members.map((m) => m.claimId))))
      .for('update');
  };
  const key = (n: string) => String(Number(n));

  for (const set of ack.transactionSets) {
    const batchId = batchOf.get(key(set.groupControlNumber));
    if (!batchId) {
      out.unmatched.push({ reference: `AK102 ${set.groupControlNumber} / AK202 ${set.controlNumber}`, message: 'no batch of the practice has this group control number' });
      continue;
    }
    // Batches number their transaction sets 0001, 0002, ...; a 999 may drop the zeros.
    const rows = await membersOf(batchId, /^\d{1,4}$/.test(set.controlNumber) ? set.controlNumber.padStart(4, '0') : set.controlNumber);
    if (!rows.length) out.unmatched.push({ reference: `AK102 ${set.groupControlNumber} / AK202 ${set.controlNumber}`, message: 'the batch has no transaction set with this control number' });
    for (const row of rows) {
      if (row.batchId !== batchId) {
        out.unchanged.push({ claimId: row.id, patientControlNumber: row.patientControlNumber, status: row.status as ClaimStatus, reason: 'the claim was sent again in a later batch' });
      } else if (set.status === 'rejected') {
        moveClaim(out, row, 'rejected', rejectionOf999(set, row.patientControlNumber, at), {}, '999');
      } else {
        out.unchanged.push({ claimId: row.id, patientControlNumber: row.patientControlNumber, status: row.status as ClaimStatus, reason: `999 ${set.status}: waiting for the payer's 277CA` });
      }
    }
  }
  // A group rejected as a whole (AK9 R) without transaction set loops rejects every claim of the batch.
  for (const group of ack.groups) {
    if (group.status !== 'rejected' || ack.transactionSets.some((s) => key(s.groupControlNumber) === key(group.groupControlNumber))) continue;
    const batchId = batchOf.get(key(group.groupControlNumber));
    if (!batchId) {
      out.unmatched.push({ reference: `AK102 ${group.groupControlNumber}`, message: 'no batch of the practice has this group control number' });
      continue;
    }
    const rejection: ClaimRejection = { source: '999', codes: [`AK9:${group.code}`, ...group.syntaxErrors.map((c) => `AK9:${c}`)], segment: null, message: `999 rejected functional group ${group.groupControlNumber}`, at };
    for (const row of await membersOf(batchId)) {
      if (row.batchId === batchId) moveClaim(out, row, 'rejected', rejection, {}, '999');
    }
  }
  await saveMoves(tx, practiceId, [...out.moves.values()], actor);
  return { moved: out.moved, unchanged: out.unchanged, unmatched: out.unmatched };
}

async function apply277(tx: Db, practiceId: string, ack: Parse277Result, actor: Actor): Promise<Outcome> {
  const out: Work = { moved: [], unchanged: [], unmatched: [], moves: new Map() };
  const at = iso(actor.at);
  const pcns = [...new Set(ack.claims.map((c) => c.patientControlNumber))];
  const rows = pcns.length ? await tx.select().from(claims).where(tenantWhere(claims.practiceId, practiceId, inArray(claims.patientControlNumber, pcns))).for('update') : [];
  const byPcn = new Map(rows.map((r) => [r.patientControlNumber, r]));
  for (const c of ack.claims) {
    const row = byPcn.get(c.patientControlNumber);
    if (!row) {
      out.unmatched.push({ reference: `TRN02 ${c.patientControlNumber}`, message: 'no claim of the practice has this patient control number' });
      continue;
    }
    const decision = decide277(c);
    if (decision.to === null) {
      out.unchanged.push({ claimId: row.id, patientControlNumber: row.patientControlNumber, status: row.status as ClaimStatus, reason: decision.reason });
      continue;
    }
    moveClaim(out, row, decision.to, decision.to === 'rejected' ? rejectionOf277(c, at) : null, { payerClaimControlNumber: c.payerClaimControlNumber }, '277CA');
  }
  await saveMoves(tx, practiceId, [...out.moves.values()], actor);
  return { moved: out.moved, unchanged: out.unchanged, unmatched: out.unmatched };
}

export const importAcknowledgmentHandler: Handler<typeof importAcknowledgment> = async (_input, ctx) => {
  const bytes = ctx.body?.bytes;
  if (!bytes?.length) throw unprocessable([{ path: '/body', message: 'send the 999 or 277CA file as the request body (Content-Type: application/edi-x12)' }]);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const first = async () => {
    const [row] = await ctx.db.select({ result: acknowledgments.result }).from(acknowledgments).where(tenantWhere(acknowledgments.practiceId, ctx.practiceId, eq(acknowledgments.sha256, sha256)));
    return row?.result ?? null;
  };
  const previous = await first();
  if (previous) {
    ctx.status(200);
    return previous;
  }
  const type = transactionType(bytes);
  const kind = type === '999' ? '999' : type === '277' ? '277CA' : null;
  if (!kind) throw new ProblemError('unprocessable', `ST01 is '${type ?? '(no ST segment)'}': send a 999 or a 277CA`, [{ path: '/body', message: 'ST01 must be 999 or 277' }]);
  const parsed: { kind: '999'; ack: Parse999Result } | { kind: '277CA'; ack: Parse277Result } =
    kind === '999' ? { kind, ack: readX12('999', () => parse999(bytes)) } : { kind, ack: readX12('277CA', () => parse277(bytes)) };
  const now = ctx.clock.now();
  const actor: Actor = { by: ctx.principal.id, at: now };
  try {
    return await ctx.transaction(async ({ db }) => {
      const outcome = parsed.kind === '999' ? await apply999(db, ctx.practiceId, parsed.ack, actor) : await apply277(db, ctx.practiceId, parsed.ack, actor);
      const result: Acknowledgment = { id: randomUUID(), kind, ...outcome, warnings: parsed.ack.warnings.map(toEdiWarning), createdAt: iso(now) };
      await db.insert(acknowledgments).values({ id: result.id, practiceId: ctx.practiceId, kind, sha256, file: bytes, result, createdAt: now, createdBy: actor.by });
      return result;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const again = await first();
    if (!again) throw error;
    ctx.status(200);
    return again;
  }
};

