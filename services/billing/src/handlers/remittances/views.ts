import { asc, eq, gte, inArray, lte } from 'drizzle-orm';
import type { getRemittance, listRemittances, listUnmatchedRemittances, Remittance, RemittanceSummary, UnmatchedRemittance } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { remittanceClaims, remittanceProviderAdjustments, remittances } from '../../db/schema.js';
import { iso, notFound } from '../common.js';

type RemittanceRow = typeof remittances.$inferSelect;
type RemittanceClaimRow = typeof remittanceClaims.$inferSelect;

export async function loadRemittanceRow(db: Db, practiceId: string, id: string): Promise<RemittanceRow> {
  const [row] = await db.select().from(remittances).where(tenantWhere(remittances.practiceId, practiceId, eq(remittances.id, id)));
  if (!row) throw notFound('remittance');
  return row;
}

/** A posted remittance as the API shows it: its claims in file order (with later manual matches) and its PLB. */
export async function loadRemittance(db: Db, practiceId: string, id: string): Promise<Remittance> {
  const row = await loadRemittanceRow(db, practiceId, id);
  const [claimRows, plb] = await Promise.all([
    db
      .select({
        id: remittanceClaims.id,
        patientControlNumber: remittanceClaims.patientControlNumber,
        claimId: remittanceClaims.claimId,
        state: remittanceClaims.state,
        statusCode: remittanceClaims.statusCode,
        chargeCents: remittanceClaims.chargeCents,
        paidCents: remittanceClaims.paidCents,
        patientResponsibilityCents: remittanceClaims.patientResponsibilityCents,
        adjustments: remittanceClaims.adjustments,
      })
      .from(remittanceClaims)
      .where(tenantWhere(remittanceClaims.practiceId, practiceId, eq(remittanceClaims.remittanceId, id)))
      .orderBy(asc(remittanceClaims.seq)),
    db.select().from(remittanceProviderAdjustments).where(tenantWhere(remittanceProviderAdjustments.practiceId, practiceId, eq(remittanceProviderAdjustments.remittanceId, id))).orderBy(asc(remittanceProviderAdjustments.seq)),
  ]);
  return {
    ...toSummary(row, plb),
    claims: claimRows.map((c) => ({
      patientControlNumber: c.patientControlNumber,
      claimId: c.claimId,
      state: c.state as Remittance['claims'][number]['state'],
      unmatchedId: c.state === 'posted' ? null : c.id,
      statusCode: c.statusCode,
      chargeCents: c.chargeCents,
      paidCents: c.paidCents,
      patientResponsibilityCents: c.patientResponsibilityCents,
      adjustments: c.adjustments,
    })),
    warnings: row.warnings,
  };
}

function toSummary(row: RemittanceRow, plb: (typeof remittanceProviderAdjustments.$inferSelect)[]): RemittanceSummary {
  return {
    id: row.id,
    traceNumber: row.traceNumber,
    paymentAmountCents: row.paymentAmountCents,
    paymentMethod: row.paymentMethod,
    paymentDate: row.paymentDate,
    payer: { name: row.payerName, id: row.payerIdentifier },
    payerId: row.payerId,
    claimCount: row.claimCount,
    matchedClaimCount: row.matchedClaimCount,
    unmatchedClaimCount: row.claimCount - row.matchedClaimCount,
    claimPaymentCents: row.claimPaymentCents,
    providerAdjustments: plb.map((a) => ({ reason: a.reason, reference: a.reference, amountCents: a.amountCents })),
    postedAt: iso(row.createdAt),
    postedBy: row.postedBy,
  };
}

export const getRemittanceHandler: Handler<typeof getRemittance> = (input, ctx) => loadRemittance(ctx.db, ctx.practiceId, input.id);

export const listRemittancesHandler: Handler<typeof listRemittances> = async (input, ctx) => {
  const page = keysetPage(remittances, input, 'desc');
  const rows = await ctx.db
    .select()
    .from(remittances)
    .where(
      tenantWhere(
        remittances.practiceId,
        ctx.practiceId,
        page.where,
        eqIfSet(remittances.traceNumber, input.traceNumber),
        eqIfSet(remittances.payerId, input.payerId),
        input.paymentDateFrom ? gte(remittances.paymentDate, input.paymentDateFrom) : undefined,
        input.paymentDateTo ? lte(remittances.paymentDate, input.paymentDateTo) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  const ids = rows.map((r) => r.id);
  const plb = ids.length
    ? await ctx.db.select().from(remittanceProviderAdjustments).where(tenantWhere(remittanceProviderAdjustments.practiceId, ctx.practiceId, inArray(remittanceProviderAdjustments.remittanceId, ids))).orderBy(asc(remittanceProviderAdjustments.seq))
    : [];
  return paginate(rows, page.limit, (r) => toSummary(r, plb.filter((a) => a.remittanceId === r.id)));
};

export function toUnmatched(row: RemittanceClaimRow, remittance: RemittanceRow): UnmatchedRemittance {
  const era = (row.era ?? { services: [] }) as { services?: { procedure: { code: string; modifiers: string[] }; serviceDate?: string; chargeCents: number; paidCents: number }[] };
  return {
    id: row.id,
    remittanceId: row.remittanceId,
    traceNumber: remittance.traceNumber,
    paymentDate: remittance.paymentDate,
    payer: { name: remittance.payerName, id: remittance.payerIdentifier },
    reason: (row.unmatchedReason ?? 'no-claim') as UnmatchedRemittance['reason'],
    status: row.state === 'matched' ? 'matched' : 'open',
    patientControlNumber: row.patientControlNumber,
    statusCode: row.statusCode,
    payerClaimControlNumber: row.payerClaimControlNumber,
    chargeCents: row.chargeCents,
    paidCents: row.paidCents,
    patientResponsibilityCents: row.patientResponsibilityCents,
    adjustments: row.adjustments,
    patient: row.patient ?? null,
    services: (era.services ?? []).map((s) => ({ procedureCode: s.procedure.code, modifiers: s.procedure.modifiers, serviceDate: s.serviceDate ?? null, chargeCents: s.chargeCents, paidCents: s.paidCents })),
    claimId: row.state === 'matched' ? row.claimId : null,
    matchedAt: row.matchedAt ? iso(row.matchedAt) : null,
    matchedBy: row.matchedBy,
    createdAt: iso(row.createdAt),
  };
}

export const listUnmatchedRemittancesHandler: Handler<typeof listUnmatchedRemittances> = async (input, ctx) => {
  const page = keysetPage(remittanceClaims, input, 'asc');
  const rows = await ctx.db
    .select({ claim: remittanceClaims, remittance: remittances })
    .from(remittanceClaims)
    .innerJoin(remittances, eq(remittances.id, remittanceClaims.remittanceId))
    .where(
      tenantWhere(
        remittanceClaims.practiceId,
        ctx.practiceId,
        eq(remittances.practiceId, ctx.practiceId),
        eq(remittanceClaims.state, input.status === 'matched' ? 'matched' : 'unmatched'),
        page.where,
        eqIfSet(remittanceClaims.remittanceId, input.remittanceId),
        eqIfSet(remittanceClaims.patientControlNumber, input.patientControlNumber),
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(
    rows.map((r) => ({ ...r, id: r.claim.id, createdAt: r.claim.createdAt })),
    page.limit,
    (r) => toUnmatched(r.claim, r.remittance),
  );
};
