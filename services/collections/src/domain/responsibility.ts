// Patient responsibility from billing's adjudications: per claim line and reason (deductible,
// coinsurance, copay). A reversal carries the negated amounts of what it undid, so adding it undoes.
import type { DataOf } from '@mso/contracts';
import type { claimAdjudicated } from '@mso/contracts/billing';

type Adjudication = DataOf<typeof claimAdjudicated>;

export interface ResponsibilityLine {
  /** The claim line; the claim's id for responsibility the payer gave at claim level only. */
  lineId: string;
  reason: string;
  serviceDate: string | null;
  amountCents: number;
}

export interface ResponsibilityChange {
  lines: ResponsibilityLine[];
  /** Σ of the lines: the change of the claim's patient responsibility. */
  totalCents: number;
  insurancePaidCents: number;
  adjustmentCents: number;
  /** Σ line charges of an original posting (a reversal's are not used). */
  chargeCents: number | null;
  serviceDate: string | null;
}

export function responsibilityOf(data: Adjudication): ResponsibilityChange {
  const lines: ResponsibilityLine[] = [];
  const byReason = new Map<string, number>();
  for (const line of data.lines) {
    for (const pr of line.patientResponsibility) {
      if (pr.amountCents === 0) continue;
      lines.push({ lineId: line.lineId, reason: pr.reason, serviceDate: line.serviceDate, amountCents: pr.amountCents });
      byReason.set(pr.reason, (byReason.get(pr.reason) ?? 0) + pr.amountCents);
    }
  }
  // Claim-level responsibility the lines do not carry.
  const claimLevel = new Map<string, number>();
  for (const pr of data.patientResponsibility) claimLevel.set(pr.reason, (claimLevel.get(pr.reason) ?? 0) + pr.amountCents);
  const serviceDate = data.lines.map((l) => l.serviceDate).sort()[0] ?? null;
  for (const [reason, amount] of claimLevel) {
    const rest = amount - (byReason.get(reason) ?? 0);
    if (rest !== 0) lines.push({ lineId: data.claimId, reason, serviceDate, amountCents: rest });
  }
  // One row per line and reason (a payer may repeat a reason on a line).
  const merged = new Map<string, ResponsibilityLine>();
  for (const l of lines) {
    const k = `${l.lineId}|${l.reason}`;
    const m = merged.get(k);
    merged.set(k, m ? { ...m, amountCents: m.amountCents + l.amountCents } : l);
  }
  return {
    lines: [...merged.values()],
    totalCents: lines.reduce((s, l) => s + l.amountCents, 0),
    insurancePaidCents: data.paidCents,
    adjustmentCents: data.adjustments.filter((a) => a.group !== 'PR').reduce((s, a) => s + a.amountCents, 0),
    chargeCents: data.reversal ? null : data.lines.reduce((s, l) => s + l.chargeCents, 0),
    serviceDate,
  };
}
