import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ProblemError, type DataOf } from '@mso/contracts';
import { claimSubmitted, maxBulkSubmission, type ClaimStatus, type ScrubFinding, type submitClaims, type SubmitClaimsResult } from '@mso/contracts/billing';
import { tenantWhere, type Db, type Handler } from '@mso/kit';
import { claims, providers } from '../../db/schema.js';
import { canTransition } from '../../domain/claim-status.js';
import { hasErrors } from '../../domain/scrubber/index.js';
import type { ClaimRow } from '../claim-store.js';
import { unprocessable } from '../common.js';
import { appendHistory, uuidArray } from '../edi/history.js';
import { chunks, rowsOf, withoutNestedLoops } from '../remittances/store.js';
import { claimWork, findingsNote, scrubStoredClaims } from './lifecycle.js';

// POST /v1/billing/claims/submissions: the billing team's "submit everything ready". One transaction,
// a fixed number of statements per 1,000 claims: the rows locked by primary key, the batch scrubber
// over all of them, one UPDATE per chunk, the history in one insert, the events with `emitMany`.

const submittable: readonly ClaimStatus[] = ['draft', 'ready'];

const notSubmittable = (status: string): ScrubFinding => ({
  field: '/status',
  code: 'claim-not-submittable',
  severity: 'error',
  message:
    status === 'rejected'
      ? 'the payer rejected this claim: correct it (POST .../correct) and submit the corrected claim'
      : `cannot submit a claim that is ${status}`,
});

async function lockByIds(db: Db, practiceId: string, ids: readonly string[]): Promise<ClaimRow[]> {
  const out: ClaimRow[] = [];
  for (const part of chunks(ids, 5000)) {
    out.push(...(await db.select().from(claims).where(tenantWhere(claims.practiceId, practiceId, sql`${claims.id} = any(${uuidArray(part)})`)).for('update')));
  }
  return out;
}

export const submitClaimsHandler: Handler<typeof submitClaims> = async (input, ctx) => {
  if ((input.claimIds === undefined) === (input.status === undefined)) {
    throw unprocessable([{ path: input.claimIds ? '/status' : '/claimIds', message: 'send either claimIds or status: ready' }]);
  }
  if (input.claimIds && input.payerId) throw unprocessable([{ path: '/payerId', message: 'payerId goes with status: ready, not with claimIds' }]);
  const work = await claimWork(ctx);
  const practiceId = ctx.practiceId;
  const at = work.actor.at;

  return ctx.transaction(async (tx): Promise<SubmitClaimsResult> => {
    const db = tx.db;
    let rows: ClaimRow[];
    if (input.claimIds) {
      const ids = [...new Set(input.claimIds)];
      const byId = new Map((await lockByIds(db, practiceId, ids)).map((r) => [r.id, r]));
      const missing = input.claimIds.map((id, i) => ({ id, i })).filter(({ id }) => !byId.has(id));
      if (missing.length) throw unprocessable(missing.slice(0, 100).map(({ i }) => ({ path: `/claimIds/${i}`, message: 'no claim of the practice has this id' })));
      rows = ids.map((id) => byId.get(id)!);
    } else {
      rows = await db
        .select()
        .from(claims)
        .where(tenantWhere(claims.practiceId, practiceId, eq(claims.status, 'ready'), input.payerId ? eq(claims.payerId, input.payerId) : undefined))
        .orderBy(asc(claims.createdAt), asc(claims.id))
        .limit(maxBulkSubmission)
        .for('update');
    }

    const candidates = rows.filter((r) => submittable.includes(r.status as ClaimStatus));
    const found = await scrubStoredClaims(db, candidates, work.today, { terms: work.terms, practiceState: work.practiceState });
    const result: SubmitClaimsResult = { submitted: [], refused: [] };
    const clean: { row: ClaimRow; findings: ScrubFinding[] }[] = [];
    const backToDraft: { row: ClaimRow; findings: ScrubFinding[] }[] = [];
    for (const row of rows) {
      const findings = found.get(row.id);
      if (!findings) {
        result.refused.push({ id: row.id, patientControlNumber: row.patientControlNumber, findings: [notSubmittable(row.status)] });
      } else if (hasErrors(findings)) {
        result.refused.push({ id: row.id, patientControlNumber: row.patientControlNumber, findings });
        // A ready claim the scrubber now refuses leaves the ready queue, as a scrub would leave it.
        if (row.status === 'ready') backToDraft.push({ row, findings });
      } else {
        result.submitted.push({ id: row.id, patientControlNumber: row.patientControlNumber });
        clean.push({ row, findings });
      }
    }
    if (clean.some(({ row }) => !canTransition(row.status as ClaimStatus, 'submitted'))) throw new ProblemError('conflict', 'a claim cannot be submitted from its status');

    await withoutNestedLoops(db, async () => {
      for (const part of chunks(clean)) {
        const values = part.map(({ row, findings }) => ({ id: row.id, version: row.version, findings }));
        const updated = rowsOf(
          await db.execute(sql`
            update ${claims} as c set status = 'submitted', findings = v.findings, submission_count = c.submission_count + 1,
              first_submitted_at = coalesce(c.first_submitted_at, ${at.toISOString()}::timestamptz), last_submitted_at = ${at.toISOString()}::timestamptz,
              batch_id = null, rejection = null, version = c.version + 1, updated_at = ${at.toISOString()}::timestamptz
            from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, version int, findings jsonb)
            where c.practice_id = ${practiceId} and c.id = v.id and c.version = v.version
            returning c.id`),
        );
        if (updated.length !== part.length) throw new ProblemError('conflict', 'a claim changed meanwhile: load the claims again and retry');
      }
      for (const part of chunks(backToDraft)) {
        const values = part.map(({ row, findings }) => ({ id: row.id, version: row.version, findings }));
        await db.execute(sql`
          update ${claims} as c set status = 'draft', findings = v.findings, version = c.version + 1, updated_at = ${at.toISOString()}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, version int, findings jsonb)
          where c.practice_id = ${practiceId} and c.id = v.id and c.version = v.version`);
      }
    });
    await appendHistory(
      db,
      practiceId,
      [
        ...backToDraft.map(({ row, findings }) => ({ claimId: row.id, action: 'scrubbed', from: row.status as ClaimStatus, to: 'draft' as const, note: findingsNote(findings) })),
        ...clean.map(({ row }) => ({ claimId: row.id, action: 'submitted', from: row.status as ClaimStatus, to: 'submitted' as const, note: row.frequencyCode === '1' ? null : `frequency ${row.frequencyCode}` })),
      ],
      work.actor,
    );

    const renderingIds = [...new Set(clean.map(({ row }) => row.renderingProviderId).filter((id): id is string => !!id))];
    const npiOf = new Map<string, string>();
    for (const part of chunks(renderingIds, 5000)) {
      for (const p of await db.select({ id: providers.id, npi: providers.npi }).from(providers).where(and(eq(providers.practiceId, practiceId), inArray(providers.id, part)))) npiOf.set(p.id, p.npi);
    }
    await tx.emitMany(
      claimSubmitted,
      clean.map(({ row }): { data: DataOf<typeof claimSubmitted>; options: { subject: string; practiceId: string } } => ({
        data: {
          claimId: row.id,
          patientId: row.patientId,
          payerId: row.payerId,
          renderingProviderNpi: row.renderingProviderId ? (npiOf.get(row.renderingProviderId) ?? null) : null,
          serviceDate: row.serviceDateFrom,
          submittedOn: work.today,
          chargeCents: row.chargeCents,
          frequencyCode: row.frequencyCode,
        },
        options: { subject: row.id, practiceId },
      })),
    );
    return result;
  });
};
