// What a practice owner and an MSO executive read at the end of the month, every figure taken from the
// reports APIs (billing's revenue cycle, collections' aging, helpdesk's SLA, finance's fees and books).
import type { Json } from './client.js';
import { MONTH, practiceList, type DemoContext, type PracticeKey } from './context.js';

export interface AgingBuckets {
  current: number;
  days31to60: number;
  days61to90: number;
  days91to120: number;
  over120: number;
}

export interface PracticeSummary {
  key: PracticeKey;
  practiceId: string;
  name: string;
  state: string;
  model: string;
  services: string[];
  /** Net collections of the month in the practice's books (payer and patient payments less refunds and recoupments). */
  collectionsCents: number;
  /** Payments posted from the payers' 835s (billing's revenue-cycle report). */
  payerPaidCents: number;
  daysInAr: number | null;
  cleanClaimRatePercent: number | null;
  denialRatePercent: number | null;
  denialReasons: { reason: string; description: string; claims: number; amountCents: number }[];
  /** Null when the practice does not buy collections. */
  patientAr: { totalCents: number; aging: AgingBuckets } | null;
  sla: { tickets: number; firstResponsePercent: number | null; resolutionPercent: number | null; breached: number };
  managementFeeCents: number;
  feeLines: { basis: string; service: string | null; baseCents: number; quantity: number; rateBasisPoints: number | null; amountCents: number }[];
  warnings: string[];
  profitAndLoss: { revenueCents: number; expenseCents: number; netIncomeCents: number };
  trialBalance: { debitCents: number; creditCents: number };
}

export interface DemoSummary {
  period: string;
  practices: PracticeSummary[];
  mso: {
    feeIncomeCents: number;
    profitAndLoss: { revenueCents: number; expenseCents: number; netIncomeCents: number };
    trialBalance: { debitCents: number; creditCents: number };
    consolidated: { entities: number; debitCents: number; creditCents: number; eliminatedCents: number; revenueCents: number; expenseCents: number };
    payrollCostCents: number;
  };
  /** Payments by week (Monday) and practice, for the report's chart. */
  collectionsByWeek: { week: string; practice: PracticeKey; payerCents: number; patientCents: number }[];
}

const pnl = (r: Json) => ({ revenueCents: r.totalRevenueCents as number, expenseCents: r.totalExpenseCents as number, netIncomeCents: r.netIncomeCents as number });
const tb = (r: Json) => ({ debitCents: r.totalDebitCents as number, creditCents: r.totalCreditCents as number });

function monday(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

export async function readSummary(ctx: DemoContext): Promise<DemoSummary> {
  const { admin } = ctx;
  const from = `${MONTH}-01`;
  const to = `${MONTH}-30`;
  const runs = (await admin.get(`/v1/finance/management-fees/runs?period=${MONTH}`)).items as Json[];
  const feeOf = (practiceId: string) => runs.flatMap((r) => r.practices).filter((x: Json) => x.practiceId === practiceId);
  const sla = (await admin.get(`/v1/helpdesk/reports/sla-compliance-by-practice?from=${MONTH}&to=${MONTH}`)).items as Json[];
  const practices: PracticeSummary[] = [];
  for (const p of practiceList(ctx)) {
    const rc = await p.api.get(`/v1/billing/reports/revenue-cycle?from=${from}&to=${to}`);
    const aging = p.services.includes('collections') ? await p.api.get('/v1/collections/reports/aging') : null;
    const slaRows = sla.filter((s) => s.practiceId === p.id);
    const fees = feeOf(p.id);
    const latest = fees[fees.length - 1];
    const pl = await admin.get(`/v1/finance/profit-and-loss?entity=${p.id}&period=${MONTH}`);
    const trial = await admin.get(`/v1/finance/trial-balance?entity=${p.id}&period=${MONTH}`);
    const percentLine = (latest?.lines ?? []).find((l: Json) => l.basis === 'percent-of-net-collections' || l.basis === 'management-fee-percent');
    practices.push({
      key: p.key,
      practiceId: p.id,
      name: p.name,
      state: p.state,
      model: p.model,
      services: p.services,
      collectionsCents: percentLine?.baseCents ?? 0,
      payerPaidCents: rc.netCollectionRate.paidCents,
      daysInAr: rc.daysInAr.days,
      cleanClaimRatePercent: rc.cleanClaimRate.percent,
      denialRatePercent: rc.denialRate.percent,
      denialReasons: (rc.denialRate.byReason as Json[]).map((r) => ({ reason: `${r.group}-${r.reason}`, description: r.description, claims: r.claims, amountCents: r.amountCents })),
      patientAr: aging ? { totalCents: aging.totalCents, aging: aging.aging } : null,
      sla: {
        tickets: slaRows.reduce((s, r) => s + r.tickets, 0),
        firstResponsePercent: slaRows[0]?.firstResponse.percent ?? null,
        resolutionPercent: slaRows[0]?.resolution.percent ?? null,
        breached: slaRows.reduce((s, r) => s + r.firstResponse.breached + r.resolution.breached, 0),
      },
      managementFeeCents: fees.reduce((s: number, f: Json) => s + (f.differenceCents ?? f.feeCents), 0),
      feeLines: (latest?.lines ?? []).map((l: Json) => ({ basis: l.basis, service: l.service, baseCents: l.baseCents, quantity: l.quantity, rateBasisPoints: l.rateBasisPoints, amountCents: l.amountCents })),
      warnings: [...new Set<string>((latest?.warnings ?? []).map((w: Json) => w.code))],
      profitAndLoss: pnl(pl),
      trialBalance: tb(trial),
    });
  }
  const msoPl = await admin.get(`/v1/finance/profit-and-loss?entity=mso&period=${MONTH}`);
  const msoTb = await admin.get(`/v1/finance/trial-balance?entity=mso&period=${MONTH}`);
  const consolidated = await admin.get(`/v1/finance/consolidated?period=${MONTH}`);
  const feeIncome = (msoPl.revenue as Json[]).filter((r) => /fee/i.test(`${r.key ?? ''} ${r.name}`)).reduce((s, r) => s + r.amountCents, 0);
  const consolidatedAccounts = consolidated.accounts as Json[];
  const payroll = await admin.get(`/v1/hr/reports/payroll-cost?from=${from}&to=${to}`);
  const byWeek = new Map<string, { week: string; practice: PracticeKey; payerCents: number; patientCents: number }>();
  for (const f of ctx.facts.paymentsByWeek) {
    const week = monday(f.date);
    const k = `${week}:${f.practice}`;
    const row = byWeek.get(k) ?? { week, practice: f.practice, payerCents: 0, patientCents: 0 };
    if (f.source === 'payer') row.payerCents += f.amountCents;
    else row.patientCents += f.amountCents;
    byWeek.set(k, row);
  }
  return {
    period: MONTH,
    practices,
    mso: {
      feeIncomeCents: feeIncome,
      profitAndLoss: pnl(msoPl),
      trialBalance: tb(msoTb),
      consolidated: {
        entities: consolidated.entities,
        debitCents: consolidated.totalDebitCents,
        creditCents: consolidated.totalCreditCents,
        eliminatedCents: (consolidated.eliminations as Json[]).reduce((s, e) => s + e.amountCents, 0),
        revenueCents: consolidatedAccounts.filter((a) => a.type === 'revenue').reduce((s, a) => s + a.balanceCents, 0),
        expenseCents: consolidatedAccounts.filter((a) => a.type === 'expense').reduce((s, a) => s + a.balanceCents, 0),
      },
      payrollCostCents: (payroll.entities as Json[]).reduce((s, e) => s + e.totals.costCents, 0),
    },
    collectionsByWeek: [...byWeek.values()].sort((a, b) => a.week.localeCompare(b.week) || a.practice.localeCompare(b.practice)),
  };
}

const usd = (cents: number) => `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(1)} %`);

export function printSummary(s: DemoSummary): string {
  const lines: string[] = ['', `  Month end ${s.period}`, ''];
  for (const p of s.practices) {
    lines.push(`  ${p.name} (${p.state}, ${p.model})`);
    lines.push(`    collections ${usd(p.collectionsCents)}   days in AR ${p.daysInAr === null ? 'n/a' : p.daysInAr.toFixed(1)}   clean claims ${pct(p.cleanClaimRatePercent)}   denials ${pct(p.denialRatePercent)}`);
    lines.push(
      `    patient AR ${p.patientAr ? `${usd(p.patientAr.totalCents)} (0-30 ${usd(p.patientAr.aging.current)}, 31-60 ${usd(p.patientAr.aging.days31to60)}, 61-90 ${usd(p.patientAr.aging.days61to90)}, 90+ ${usd(p.patientAr.aging.days91to120 + p.patientAr.aging.over120)})` : 'n/a (collections not bought)'}`,
    );
    lines.push(`    SLA first response ${pct(p.sla.firstResponsePercent)}, resolution ${pct(p.sla.resolutionPercent)} (${p.sla.tickets} tickets, ${p.sla.breached} breaches)`);
    lines.push(`    management fee owed ${usd(p.managementFeeCents)}${p.warnings.length ? `   warnings: ${p.warnings.join(', ')}` : ''}`);
    lines.push(`    P&L revenue ${usd(p.profitAndLoss.revenueCents)}, expenses ${usd(p.profitAndLoss.expenseCents)}, net ${usd(p.profitAndLoss.netIncomeCents)}`);
    lines.push('');
  }
  lines.push('  MSO');
  lines.push(`    fee income ${usd(s.mso.feeIncomeCents)}   P&L revenue ${usd(s.mso.profitAndLoss.revenueCents)}, expenses ${usd(s.mso.profitAndLoss.expenseCents)}, net ${usd(s.mso.profitAndLoss.netIncomeCents)}`);
  lines.push(
    `    consolidated books (${s.mso.consolidated.entities} entities): debits ${usd(s.mso.consolidated.debitCents)} = credits ${usd(s.mso.consolidated.creditCents)}, intercompany eliminated ${usd(s.mso.consolidated.eliminatedCents)}`,
  );
  lines.push(`    payroll cost ${usd(s.mso.payrollCostCents)}`);
  lines.push('');
  return `${lines.join('\n')}\n`;
}
