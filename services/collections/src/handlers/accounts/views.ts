import type { Static } from 'typebox';
import type { Account, Guarantor as GuarantorView, HistoryEntry as HistoryView } from '@mso/contracts/collections';
import { age, agedFrom } from '../../domain/aging.js';
import { openCents, type BalanceItem, type Guarantor, type HistoryEntry } from '../../db/accounts.js';
import { iso } from '../common.js';

export const toGuarantor = (g: Guarantor): Static<typeof GuarantorView> => ({
  id: g.id,
  practiceId: g.practiceId,
  patientId: g.patientId,
  name: g.name,
  mailingAddress: g.mailingAddress ? { ...g.mailingAddress } : null,
  email: g.email,
  phone: g.phone,
  timeZone: g.timeZone,
  preferredChannel: g.preferredChannel,
  consent: g.consent,
  hold: g.hold,
  createdAt: iso(g.createdAt),
  updatedAt: iso(g.updatedAt),
});

export const toHistory = (h: HistoryEntry): Static<typeof HistoryView> => ({
  id: h.id,
  kind: h.kind,
  claimId: h.claimId,
  amountCents: h.amountCents,
  on: h.on,
  refId: h.refId,
  detail: h.detail,
  at: iso(h.createdAt),
});

export interface AccountParts {
  guarantor: Guarantor;
  items: BalanceItem[];
  lines: Map<string, { reason: string; amountCents: number }[]>;
  insurancePendingCents: number;
  planId: string | null;
  today: string;
}

export function toAccount(p: AccountParts): Static<typeof Account> {
  const aged = p.items.map((i) => ({ openCents: openCents(i), firstStatementOn: i.firstStatementOn, adjudicatedOn: i.adjudicatedOn }));
  return {
    guarantorId: p.guarantor.id,
    patientId: p.guarantor.patientId,
    balanceCents: aged.reduce((s, i) => s + i.openCents, 0),
    creditCents: p.guarantor.creditCents,
    insurancePendingCents: p.insurancePendingCents,
    aging: age(aged, p.today),
    agedFromAdjudication: aged.some((i) => i.openCents > 0 && i.firstStatementOn === null),
    hold: p.guarantor.hold,
    planId: p.planId,
    items: p.items.map((i) => {
      const { from, basis } = agedFrom(i);
      const byReason = new Map<string, number>();
      for (const l of p.lines.get(i.claimId) ?? []) byReason.set(l.reason, (byReason.get(l.reason) ?? 0) + l.amountCents);
      return {
        claimId: i.claimId,
        serviceDate: i.serviceDate,
        chargeCents: i.chargeCents,
        insurancePaidCents: i.insurancePaidCents,
        adjustmentCents: i.adjustmentCents,
        patientResponsibilityCents: i.responsibilityCents,
        responsibility: [...byReason].filter(([, v]) => v !== 0).map(([reason, amountCents]) => ({ reason, amountCents })),
        paidCents: i.paidCents,
        writtenOffCents: i.writtenOffCents,
        openCents: openCents(i),
        adjudicatedOn: i.adjudicatedOn,
        firstStatementOn: i.firstStatementOn,
        agedFrom: from,
        agingBasis: basis,
      };
    }),
  };
}
