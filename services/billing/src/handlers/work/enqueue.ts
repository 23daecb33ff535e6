import { randomUUID } from 'node:crypto';
import { eq, gt, inArray, max, sql, type Column } from 'drizzle-orm';
import { tenantWhere, type Db, type JobContext } from '@mso/kit';
import { claimAdjudications, denialItems, workScans } from '../../db/schema.js';
import { denialsOf, resolutionOf, type DenialResolution, type Posting } from '../../domain/work/denials.js';

// Feeding the denial queue from postings. Remittance posting calls `enqueueDenials` in its own
// transaction, so a denial is in the queue the moment it is posted; the `denial-queue` job runs the
// same for every posting since its last scan, so nothing is missed if a posting path does not.

const CHUNK = 1000;
const INSERT_CHUNK = 2000;
/** Unfinished items a later posting can settle. */
const workable = ['open', 'appealed', 'resubmitted'];

export interface EnqueueResult {
  queued: number;
  resolved: number;
}

/**
 * Brings the denial queue of these claims up to date with their postings, in the caller's transaction:
 * queues each denied (or partly denied) line not queued yet and resolves items a later posting or a
 * reversal settled. Idempotent; a few queries per thousand claims. `at` (the items' time) defaults to
 * the newest posting of the claims: the one just posted.
 */
export async function enqueueDenials(tx: Db, practiceId: string, claimIds: readonly string[], at?: Date): Promise<EnqueueResult> {
  const result: EnqueueResult = { queued: 0, resolved: 0 };
  const ids = [...new Set(claimIds)];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = await enqueueChunk(tx, practiceId, ids.slice(i, i + CHUNK), at);
    result.queued += chunk.queued;
    result.resolved += chunk.resolved;
  }
  return result;
}

async function enqueueChunk(tx: Db, practiceId: string, claimIds: string[], atOrLatest: Date | undefined): Promise<EnqueueResult> {
  const [rows, items] = await Promise.all([
    tx.select().from(claimAdjudications).where(tenantWhere(claimAdjudications.practiceId, practiceId, inIds(claimAdjudications.claimId, claimIds))),
    tx
      .select({ id: denialItems.id, claimId: denialItems.claimId, adjudicationId: denialItems.adjudicationId, lineId: denialItems.lineId, lineKey: denialItems.lineKey, status: denialItems.status })
      .from(denialItems)
      .where(tenantWhere(denialItems.practiceId, practiceId, inIds(denialItems.claimId, claimIds))),
  ]);
  if (!rows.length) return { queued: 0, resolved: 0 };
  const at = atOrLatest ?? new Date(rows.reduce((latest, r) => Math.max(latest, r.postedAt.getTime()), 0));
  const reversedIds = new Set(rows.flatMap((r) => (r.reversesId ? [r.reversesId] : [])));
  const byClaim = new Map<string, Posting[]>();
  for (const r of rows) {
    const posting: Posting = {
      id: r.id,
      claimId: r.claimId,
      statusCode: r.statusCode,
      reversal: r.reversal,
      reversed: reversedIds.has(r.id),
      paymentDate: r.paymentDate,
      postedAt: r.postedAt,
      paidCents: r.paidCents,
      adjustments: r.adjustments,
      lines: r.lines,
      remarks: r.remarks,
    };
    byClaim.set(r.claimId, [...(byClaim.get(r.claimId) ?? []), posting]);
  }

  const known = new Set(items.map((i) => `${i.adjudicationId}|${i.lineKey}`));
  const fresh = [...byClaim.values()].flatMap((postings) =>
    postings.flatMap(denialsOf).filter((d) => !known.has(`${d.adjudicationId}|${d.lineId ?? ''}`) && resolutionOf(d, postings) === null),
  );
  // One parameter per chunk (a JSON array of rows) instead of one per value: far fewer binds on a 10,000-claim ERA.
  let queued = 0;
  for (let i = 0; i < fresh.length; i += INSERT_CHUNK) {
    const rows = fresh.slice(i, i + INSERT_CHUNK).map((d) => ({
      id: randomUUID(),
      claim_id: d.claimId,
      line_id: d.lineId,
      line_key: d.lineId ?? '',
      adjudication_id: d.adjudicationId,
      denied_on: d.deniedOn,
      denied_cents: d.deniedCents,
      adjustments: d.adjustments,
      remarks: d.remarks,
    }));
    const inserted = await tx.execute(sql`
      insert into ${denialItems} (id, practice_id, claim_id, line_id, line_key, adjudication_id, denied_on, denied_cents, adjustments, remarks, status, notes, created_at, updated_at)
      select r.id, ${practiceId}::uuid, r.claim_id, r.line_id, r.line_key, r.adjudication_id, r.denied_on, r.denied_cents, r.adjustments, r.remarks, 'open', '[]'::jsonb, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, claim_id uuid, line_id uuid, line_key text, adjudication_id uuid, denied_on date, denied_cents bigint, adjustments jsonb, remarks jsonb)
      on conflict do nothing
      returning id`);
    queued += rowCount(inserted);
  }

  const settled = new Map<DenialResolution, string[]>();
  for (const item of items) {
    if (!workable.includes(item.status)) continue;
    const resolution = resolutionOf(item, byClaim.get(item.claimId) ?? []);
    if (resolution) settled.set(resolution, [...(settled.get(resolution) ?? []), item.id]);
  }
  let resolved = 0;
  for (const [resolution, ids] of settled) {
    const done = await tx
      .update(denialItems)
      .set({ status: 'resolved', resolution, resolvedAt: at, updatedAt: at })
      .where(tenantWhere(denialItems.practiceId, practiceId, inIds(denialItems.id, ids), inArray(denialItems.status, workable)))
      .returning({ id: denialItems.id });
    resolved += done.length;
  }
  return { queued, resolved };
}

/** `column = any(ids)` with the ids as one array parameter: a thousand binds cost more than the query. */
const inIds = (column: Column, ids: readonly string[]) => sql`${column} = any(${`{${ids.join(',')}}`}::uuid[])`;

/** Rows a raw statement returned (postgres.js answers an array, PGlite an object with `rows`). */
function rowCount(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  return (result as { rows?: unknown[] }).rows?.length ?? 0;
}

/** Postings are rescanned this far behind the last scan: a posting committed late with an earlier time is still seen. */
const RESCAN_MS = 60 * 60 * 1000;
const SCAN = 'denial-queue';

/** The `denial-queue` job: every posting of the practice since the last scan (minus the overlap) through `enqueueDenials`. */
export async function runDenialQueue(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  await ctx.transaction(async (tx) => {
    const [scan] = await tx.db.select().from(workScans).where(tenantWhere(workScans.practiceId, practiceId, eq(workScans.name, SCAN)));
    const since = scan ? new Date(scan.through.getTime() - RESCAN_MS) : null;
    const postedSince = since ? gt(claimAdjudications.postedAt, since) : undefined;
    const [claims, [latest]] = await Promise.all([
      tx.db.selectDistinct({ claimId: claimAdjudications.claimId }).from(claimAdjudications).where(tenantWhere(claimAdjudications.practiceId, practiceId, postedSince)),
      tx.db.select({ through: max(claimAdjudications.postedAt) }).from(claimAdjudications).where(tenantWhere(claimAdjudications.practiceId, practiceId)),
    ]);
    const result = await enqueueDenials(tx.db, practiceId, claims.map((c) => c.claimId), ctx.clock.now());
    const through = latest?.through ?? scan?.through;
    if (through) {
      await tx.db
        .insert(workScans)
        .values({ practiceId, name: SCAN, through })
        .onConflictDoUpdate({ target: [workScans.practiceId, workScans.name], set: { through: sql`greatest(${workScans.through}, excluded.through)` } });
    }
    if (result.queued || result.resolved) ctx.log.info({ job: SCAN, ...result }, 'denial queue updated');
  });
}
