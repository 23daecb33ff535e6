// What a practice owes the MSO for a month under its agreement: one line per fee, each rounded once.
import type { Fee, FeeBasis, MsoModel } from '@mso/contracts/tenancy';
import { feeSplittingWarnings, type FeeWarning } from './fee-splitting.js';
import { allocate, costPlus, percentOf, times } from './money.js';

/**
 * One fee of the month. `amountCents` = `baseCents` × `quantity` × rate: percentage fees take
 * `rateBasisPoints` of the base (quantity 1), cost-plus adds it to the base, per-seat and per-employee
 * fees multiply the unit price (`baseCents`) by the count, a flat fee is its amount.
 */
export interface FeeLine {
  service: string | null;
  basis: FeeBasis;
  baseCents: number;
  quantity: number;
  rateBasisPoints: number | null;
  amountCents: number;
}

/** What the month's fees are computed from, gathered by the caller from the books and the views. */
export interface FeeBasisData {
  /** From the practice's posted ledger. */
  netCollectionsCents: number;
  /** Devices in its helpdesk asset register during the month. */
  activeDevices: number;
  /** Its employees during the month; null while no HR data exists. */
  activeEmployees: number | null;
  /** MSO expenses entered in finance for the practice, dated in the month. */
  directCostsCents: number;
  /** Its share of MSO staff cost (from payroll); null while no HR data exists. */
  sharedStaffCostCents: number | null;
}

export interface PracticeTerms {
  model: MsoModel;
  state: string;
  fees: readonly Fee[];
  ownership: readonly { party: string; percent: number }[];
}

export interface VentureShare {
  party: string;
  percent: number;
  amountCents: number;
}

/** A joint venture's profit from the practice for the month and each owner's part of it. */
export interface VentureProfit {
  feeIncomeCents: number;
  allocatedCostsCents: number;
  profitCents: number;
  /** Each owner's distribution; all 0 when there is no profit to distribute. */
  shares: VentureShare[];
}

export interface PracticeFee {
  feeCents: number;
  lines: FeeLine[];
  warnings: FeeWarning[];
  /** Joint ventures only. */
  venture: VentureProfit | null;
}

const NO_HR = 'HR data (employees, payroll) is not available yet';

export function practiceFee(terms: PracticeTerms, data: FeeBasisData): PracticeFee {
  const warnings: FeeWarning[] = [];
  const warn = (code: string, message: string) => {
    if (!warnings.some((w) => w.code === code && w.message === message)) warnings.push({ code, message });
  };
  const lines = terms.fees.map((fee, i) => feeLine(fee, data, (code, message) => warn(code, `fee ${i + 1} (${fee.basis}): ${message}`)));
  warnings.unshift(...feeSplittingWarnings(terms.state, terms.fees.map((f) => f.basis)));
  const feeCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
  let venture: VentureProfit | null = null;
  if (terms.model === 'joint-venture') {
    venture = ventureProfit(feeCents, allocatedCosts(data), terms.ownership);
    if (data.sharedStaffCostCents === null) warn('no-hr-data', `venture profit: ${NO_HR}; allocated MSO costs are the direct expenses only`);
    if (terms.ownership.length === 0) warn('no-ownership', 'the agreement names no ownership shares: the venture profit is not distributed');
    else if (venture.profitCents <= 0) warn('venture-loss', `the venture made no profit from this practice (${venture.profitCents} cents): nothing is distributed`);
  }
  return { feeCents, lines, warnings, venture };
}

const allocatedCosts = (data: FeeBasisData) => data.directCostsCents + (data.sharedStaffCostCents ?? 0);

function feeLine(fee: Fee, data: FeeBasisData, warn: (code: string, message: string) => void): FeeLine {
  const service = fee.service ?? null;
  const rate = () => {
    if (fee.rateBasisPoints === undefined) warn('incomplete-fee', 'no rateBasisPoints: counted as 0');
    return fee.rateBasisPoints ?? 0;
  };
  const unit = () => {
    if (fee.amountCents === undefined) warn('incomplete-fee', 'no amountCents: counted as 0');
    return fee.amountCents ?? 0;
  };
  switch (fee.basis) {
    case 'percent-of-net-collections':
    case 'management-fee-percent': {
      let base = data.netCollectionsCents;
      if (base < 0) {
        warn('negative-net-collections', `net collections were ${base} cents (refunds and recoupments exceed payments): no percentage fee`);
        base = 0;
      }
      const r = rate();
      return { service, basis: fee.basis, baseCents: base, quantity: 1, rateBasisPoints: r, amountCents: percentOf(base, r) };
    }
    case 'cost-plus-percent': {
      if (data.sharedStaffCostCents === null) warn('no-hr-data', `${NO_HR}; the cost base is the direct expenses only`);
      const base = Math.max(0, allocatedCosts(data));
      const r = rate();
      return { service, basis: fee.basis, baseCents: base, quantity: 1, rateBasisPoints: r, amountCents: costPlus(base, r) };
    }
    case 'per-seat-per-month': {
      const u = unit();
      return { service, basis: fee.basis, baseCents: u, quantity: data.activeDevices, rateBasisPoints: null, amountCents: times(u, data.activeDevices) };
    }
    case 'per-employee-per-month': {
      if (data.activeEmployees === null) warn('no-hr-data', `${NO_HR}; employees counted as 0`);
      const u = unit();
      const n = data.activeEmployees ?? 0;
      return { service, basis: fee.basis, baseCents: u, quantity: n, rateBasisPoints: null, amountCents: times(u, n) };
    }
    case 'flat-per-month': {
      const u = unit();
      return { service, basis: fee.basis, baseCents: u, quantity: 1, rateBasisPoints: null, amountCents: u };
    }
  }
}

/** Fee income less allocated MSO costs, split by ownership (shares add up to the profit to the cent). */
export function ventureProfit(feeIncomeCents: number, allocatedCostsCents: number, ownership: readonly { party: string; percent: number }[]): VentureProfit {
  const profitCents = feeIncomeCents - allocatedCostsCents;
  const distributable = Math.max(0, profitCents);
  const amounts = ownership.length ? allocate(distributable, ownership.map((o) => Math.round(o.percent * 100))) : [];
  return {
    feeIncomeCents,
    allocatedCostsCents,
    profitCents,
    shares: ownership.map((o, i) => ({ party: o.party, percent: o.percent, amountCents: amounts[i]! })),
  };
}
