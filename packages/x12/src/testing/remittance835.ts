/**
 * Deterministic generator of an 835 that answers given 837P claims, the way a payer would: paying
 * (contractual CO-45 and patient responsibility by deductible, coinsurance and copay), denying
 * whole claims or single lines, forwarding to a secondary payer, reversing earlier postings and
 * posting them anew, with provider-level (PLB) adjustments. The same options give the same bytes.
 * Every amount balances, so `parse835` reads it without warnings. Not part of the published build.
 */
import type { Adjustment, Claim835, ProviderAdjustment, Service835 } from '../types835.js';
import type { Claim837 } from '../types837.js';
import { formatCents } from '../values.js';
import { prng } from './generate835.js';

/** What the payer did with a claim. */
export type RemittanceOutcome = 'paid' | 'partially-denied' | 'denied' | 'forwarded' | 'reversed' | 'unmatched';

export interface RemittanceOptions {
  /** Claims to adjudicate for the first time. */
  claims: readonly Claim837[];
  seed?: number;
  /** Share of claims (0–1) in each outcome other than `paid`. Default 0.12 partially denied (of those with two lines or more), 0.08 denied, 0.02 forwarded. */
  mix?: { partiallyDenied?: number; denied?: number; forwarded?: number };
  /** Explicit outcome per claim (index in `claims`), overriding `mix`. */
  outcomeOf?: (claim: Claim837, index: number) => 'paid' | 'partially-denied' | 'denied' | 'forwarded';
  /** Earlier postings (the CLPs of an earlier remittance) to reverse (CLP02 22) and post anew with other amounts. */
  reverse?: readonly Claim835[];
  /** CLPs for patient control numbers the practice never billed. Default 0. */
  unknownClaims?: number;
  /** Send REF*6R on service lines. Default true. */
  lineControlNumbers?: boolean;
  /** PLB adjustments (interest, a recoupment, a forwarding balance). Default true. */
  providerAdjustments?: boolean;
  traceNumber?: string;
  payer?: { name: string; id: string };
  payee?: { name: string; npi: string };
  /** DTM*405 production date, ISO. Default 2026-05-15. */
  paymentDate?: string;
  /** ST02 and ISA13. Default 1. */
  controlNumber?: number;
}

/** What posting this remittance should leave on one claim (the last CLP for its PCN). */
export interface ExpectedClaim {
  patientControlNumber: string;
  outcome: RemittanceOutcome;
  /** Claim status once posted. */
  status: 'paid' | 'partially-paid' | 'denied';
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  deductibleCents: number;
  coinsuranceCents: number;
  copayCents: number;
  /** CO, OA, PI and CR adjustments, denials included. */
  adjustmentCents: number;
  deniedCents: number;
  deniedLines: number;
  lines: number;
}

export interface GeneratedRemittance {
  text: string;
  /** The CLPs in file order, as parse835 reads them. */
  claims: Claim835[];
  providerAdjustments: ProviderAdjustment[];
  /** By patient control number, for every claim this remittance decides (not the unknown ones). */
  expected: Map<string, ExpectedClaim>;
  totals: {
    clpCount: number;
    serviceCount: number;
    /** Σ CLP03 / CLP04 / CLP05 over every CLP (reversals count negative). */
    chargeCents: number;
    claimPaymentCents: number;
    patientResponsibilityCents: number;
    providerAdjustmentCents: number;
    /** BPR02 = Σ CLP04 − Σ PLB amounts. */
    paymentCents: number;
  };
  traceNumber: string;
  paymentDate: string;
}

const DENIALS: readonly { group: Adjustment['group']; reason: string; remark: string }[] = [
  { group: 'CO', reason: '50', remark: 'N115' },
  { group: 'CO', reason: '97', remark: 'M15' },
  { group: 'CO', reason: '16', remark: 'M51' },
  { group: 'PI', reason: '204', remark: 'N130' },
];

function date8(iso: string): string {
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

interface Priced {
  service: Service835;
  denied: boolean;
}

/** A paid line: allowed 55–90 % of the charge, CO-45 the rest, patient responsibility out of the allowed amount. */
function payLine(rnd: () => number, service: Omit<Service835, 'paidCents' | 'adjustments' | 'remarks'>, first: boolean): Priced {
  const charge = service.chargeCents;
  const allowed = Math.max(2, Math.round(charge * (0.55 + rnd() * 0.35)));
  const adjustments: Adjustment[] = [];
  if (charge > allowed) adjustments.push({ group: 'CO', reason: '45', amountCents: charge - allowed });
  const roll = rnd();
  let pr = 0;
  if (roll < 0.2) {
    pr = Math.min(allowed - 1, Math.round(allowed * (0.3 + rnd() * 0.5)));
    adjustments.push({ group: 'PR', reason: '1', amountCents: pr });
  } else if (roll < 0.45) {
    pr = Math.round(allowed * 0.2);
    if (pr > 0) adjustments.push({ group: 'PR', reason: '2', amountCents: pr });
  } else if (roll < 0.65 && first) {
    pr = Math.min(allowed - 1, 2_500);
    adjustments.push({ group: 'PR', reason: '3', amountCents: pr });
  }
  return { service: { ...service, paidCents: allowed - pr, allowedCents: allowed, adjustments, remarks: [] }, denied: false };
}

function denyLine(rnd: () => number, service: Omit<Service835, 'paidCents' | 'adjustments' | 'remarks'>): Priced {
  const d = DENIALS[Math.floor(rnd() * DENIALS.length)]!;
  return { service: { ...service, paidCents: 0, adjustments: [{ group: d.group, reason: d.reason, amountCents: service.chargeCents }], remarks: [d.remark] }, denied: true };
}

/** Minus, without a negative zero. */
const minus = (n: number): number => (n === 0 ? 0 : -n);

function negate(claim: Claim835): Claim835 {
  const neg = (a: Adjustment): Adjustment => ({ ...a, amountCents: minus(a.amountCents) });
  return {
    ...claim,
    statusCode: '22',
    chargeCents: minus(claim.chargeCents),
    paidCents: minus(claim.paidCents),
    patientResponsibilityCents: minus(claim.patientResponsibilityCents),
    adjustments: claim.adjustments.map(neg),
    services: claim.services.map((s) => {
      const { allowedCents: _allowed, ...rest } = s;
      return { ...rest, chargeCents: minus(s.chargeCents), paidCents: minus(s.paidCents), adjustments: s.adjustments.map(neg), remarks: [] };
    }),
  };
}

function sumClaim(services: readonly Service835[]): { charge: number; paid: number; pr: number } {
  let charge = 0;
  let paid = 0;
  let pr = 0;
  for (const s of services) {
    charge += s.chargeCents;
    paid += s.paidCents;
    for (const a of s.adjustments) if (a.group === 'PR') pr += a.amountCents;
  }
  return { charge, paid, pr };
}

function expectation(claim: Claim835, outcome: RemittanceOutcome, denied: boolean[]): ExpectedClaim {
  const e: ExpectedClaim = {
    patientControlNumber: claim.patientControlNumber,
    outcome,
    status: 'paid',
    chargeCents: claim.chargeCents,
    paidCents: claim.paidCents,
    patientResponsibilityCents: claim.patientResponsibilityCents,
    deductibleCents: 0,
    coinsuranceCents: 0,
    copayCents: 0,
    adjustmentCents: 0,
    deniedCents: 0,
    deniedLines: denied.filter(Boolean).length,
    lines: claim.services.length,
  };
  claim.services.forEach((s, i) => {
    for (const a of s.adjustments) {
      if (a.group !== 'PR') e.adjustmentCents += a.amountCents;
      else if (a.reason === '1') e.deductibleCents += a.amountCents;
      else if (a.reason === '2') e.coinsuranceCents += a.amountCents;
      else if (a.reason === '3') e.copayCents += a.amountCents;
      if (denied[i]) e.deniedCents += a.amountCents;
    }
  });
  e.status = claim.statusCode === '4' || e.deniedLines === e.lines ? 'denied' : e.deniedLines > 0 ? 'partially-paid' : 'paid';
  return e;
}

export function generateRemittance835(options: RemittanceOptions): GeneratedRemittance {
  const rnd = prng(options.seed ?? 835_837);
  const mix = { partiallyDenied: 0.12, denied: 0.08, forwarded: 0.02, ...options.mix };
  const withRef = options.lineControlNumbers ?? true;
  const payer = options.payer ?? { name: 'BENCH HEALTH PLAN', id: '60054' };
  const payee = options.payee ?? { name: 'BENCH FAMILY MEDICINE', npi: '1234567893' };
  const paymentDate = options.paymentDate ?? '2026-05-15';
  const control = options.controlNumber ?? 1;
  const traceNumber = options.traceNumber ?? `EFT${String(options.seed ?? 835_837).padStart(9, '0')}`;
  const claims: Claim835[] = [];
  const expected = new Map<string, ExpectedClaim>();
  let pccn = 0;
  const pccnPrefix = traceNumber.replace(/[^A-Z0-9]/gi, '').slice(-6);
  const nextPccn = () => `${pccnPrefix}${String(++pccn).padStart(8, '0')}`;

  // Reversals first, each followed by its corrected posting: the payer recalculated the allowed amounts.
  for (const earlier of options.reverse ?? []) {
    claims.push(negate(earlier));
    const priced = earlier.services.map((s, i) => {
      const { paidCents: _p, adjustments: _a, remarks: _r, allowedCents: _al, ...line } = s;
      return payLine(rnd, line, i === 0);
    });
    const t = sumClaim(priced.map((p) => p.service));
    const corrected: Claim835 = {
      ...earlier,
      statusCode: '1',
      chargeCents: t.charge,
      paidCents: t.paid,
      patientResponsibilityCents: t.pr,
      payerClaimControlNumber: nextPccn(),
      adjustments: [],
      remarks: [],
      services: priced.map((p) => p.service),
    };
    claims.push(corrected);
    expected.set(earlier.patientControlNumber, expectation(corrected, 'reversed', priced.map((p) => p.denied)));
  }

  options.claims.forEach((c, index) => {
    let outcome: RemittanceOutcome;
    if (options.outcomeOf) outcome = options.outcomeOf(c, index);
    else {
      const roll = rnd();
      outcome =
        roll < mix.denied ? 'denied' : roll < mix.denied + mix.forwarded ? 'forwarded' : roll < mix.denied + mix.forwarded + mix.partiallyDenied && c.lines.length > 1 ? 'partially-denied' : 'paid';
    }
    const deniedIndex = outcome === 'partially-denied' ? c.lines.length - 1 : -1;
    const priced = c.lines.map((l, i) => {
      const line = {
        procedure: l.procedure,
        chargeCents: l.chargeCents,
        units: l.units,
        serviceDate: l.serviceDate,
        ...(withRef && l.lineControlNumber !== undefined ? { lineControlNumber: l.lineControlNumber } : {}),
      };
      return outcome === 'denied' || i === deniedIndex ? denyLine(rnd, line) : payLine(rnd, line, i === 0);
    });
    const t = sumClaim(priced.map((p) => p.service));
    const claim: Claim835 = {
      patientControlNumber: c.patientControlNumber,
      statusCode: outcome === 'denied' ? '4' : outcome === 'forwarded' ? '19' : '1',
      chargeCents: t.charge,
      paidCents: t.paid,
      patientResponsibilityCents: t.pr,
      claimFilingIndicator: c.claimFilingIndicator ?? 'CI',
      payerClaimControlNumber: nextPccn(),
      patient: { lastName: (c.patient ?? c.subscriber).lastName, firstName: (c.patient ?? c.subscriber).firstName, memberId: c.subscriber.memberId },
      ...(c.renderingProvider?.npi ? { renderingProviderNpi: c.renderingProvider.npi } : {}),
      adjustments: [],
      remarks: [],
      services: priced.map((p) => p.service),
    };
    claims.push(claim);
    expected.set(c.patientControlNumber, expectation(claim, outcome, priced.map((p) => p.denied)));
  });

  for (let u = 0; u < (options.unknownClaims ?? 0); u++) {
    const line = { procedure: { qualifier: 'HC', code: '99213', modifiers: [] }, chargeCents: 12_500, units: 1, serviceDate: paymentDate };
    const priced = payLine(rnd, line, true);
    const t = sumClaim([priced.service]);
    claims.push({
      patientControlNumber: `UNKNOWN${String(u + 1).padStart(6, '0')}`,
      statusCode: '1',
      chargeCents: t.charge,
      paidCents: t.paid,
      patientResponsibilityCents: t.pr,
      claimFilingIndicator: 'CI',
      payerClaimControlNumber: nextPccn(),
      patient: { lastName: 'UNKNOWN', firstName: 'PATIENT', memberId: `U${u + 1}` },
      adjustments: [],
      remarks: [],
      services: [priced.service],
    });
  }

  const fiscal = `${paymentDate.slice(0, 4)}-12-31`;
  const plb: ProviderAdjustment[] =
    options.providerAdjustments === false
      ? []
      : [
          { providerId: payee.npi, fiscalPeriodDate: fiscal, reason: 'L6', reference: 'INTEREST', amountCents: -1_234 },
          { providerId: payee.npi, fiscalPeriodDate: fiscal, reason: 'WO', reference: `RECOUP${control}`, amountCents: 5_000 },
          { providerId: payee.npi, fiscalPeriodDate: fiscal, reason: 'FB', reference: `FWD${control}`, amountCents: -250 },
        ];

  let charge = 0;
  let paid = 0;
  let pr = 0;
  let services = 0;
  for (const c of claims) {
    charge += c.chargeCents;
    paid += c.paidCents;
    pr += c.patientResponsibilityCents;
    services += c.services.length;
  }
  const plbTotal = plb.reduce((s, p) => s + p.amountCents, 0);
  const payment = paid - plbTotal;
  if (payment < 0) throw new Error('the provider adjustments exceed the claim payments');
  const text = write835({ claims, plb, payer, payee, paymentDate, control, traceNumber, payment });
  return {
    text,
    claims,
    providerAdjustments: plb,
    expected,
    totals: { clpCount: claims.length, serviceCount: services, chargeCents: charge, claimPaymentCents: paid, patientResponsibilityCents: pr, providerAdjustmentCents: plbTotal, paymentCents: payment },
    traceNumber,
    paymentDate,
  };
}

function write835(r: {
  claims: readonly Claim835[];
  plb: readonly ProviderAdjustment[];
  payer: { name: string; id: string };
  payee: { name: string; npi: string };
  paymentDate: string;
  control: number;
  traceNumber: string;
  payment: number;
}): string {
  const isaControl = String(r.control).padStart(9, '0');
  const st = String(r.control).padStart(4, '0');
  const d = date8(r.paymentDate);
  const body: string[] = [
    `ST*835*${st}`,
    `BPR*I*${formatCents(r.payment)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*${d}`,
    `TRN*1*${r.traceNumber}*1512345678`,
    `DTM*405*${d}`,
    `N1*PR*${r.payer.name}*XV*${r.payer.id}`,
    'N3*1 PAYER WAY',
    'N4*HARTFORD*CT*06156',
    `N1*PE*${r.payee.name}*XX*${r.payee.npi}`,
    'REF*TJ*123456789',
    'LX*1',
  ];
  const cas = (a: readonly Adjustment[]) => {
    // one CAS per group, up to six reason/amount pairs each
    const groups = new Map<string, Adjustment[]>();
    for (const x of a) groups.set(x.group, [...(groups.get(x.group) ?? []), x]);
    for (const [group, list] of groups) body.push(`CAS*${group}*${list.map((x) => `${x.reason}*${formatCents(x.amountCents)}`).join('**')}`);
  };
  for (const c of r.claims) {
    body.push(
      `CLP*${c.patientControlNumber}*${c.statusCode}*${formatCents(c.chargeCents)}*${formatCents(c.paidCents)}*${c.patientResponsibilityCents ? formatCents(c.patientResponsibilityCents) : ''}*${c.claimFilingIndicator ?? ''}*${c.payerClaimControlNumber ?? ''}`.replace(/\*+$/, ''),
    );
    cas(c.adjustments);
    if (c.patient) body.push(`NM1*QC*1*${c.patient.lastName}*${c.patient.firstName}****MI*${c.patient.memberId}`);
    if (c.renderingProviderNpi) body.push(`NM1*82*1*PROVIDER*RENDERING****XX*${c.renderingProviderNpi}`);
    if (c.statusCode === '19') body.push('NM1*TT*2*SECONDARY HEALTH PLAN*****PI*SEC01');
    for (const s of c.services) {
      const p = s.procedure;
      body.push(`SVC*${[p.qualifier, p.code, ...p.modifiers].join(':')}*${formatCents(s.chargeCents)}*${formatCents(s.paidCents)}**${s.units ?? ''}`.replace(/\*+$/, ''));
      if (s.serviceDate) body.push(`DTM*472*${date8(s.serviceDate)}`);
      cas(s.adjustments);
      if (s.lineControlNumber) body.push(`REF*6R*${s.lineControlNumber}`);
      if (s.allowedCents !== undefined) body.push(`AMT*B6*${formatCents(s.allowedCents)}`);
      for (const remark of s.remarks) body.push(`LQ*HE*${remark}`);
    }
  }
  for (let i = 0; i < r.plb.length; i += 6) {
    const chunk = r.plb.slice(i, i + 6);
    const first = chunk[0]!;
    body.push(`PLB*${first.providerId}*${date8(first.fiscalPeriodDate)}*${chunk.map((p) => `${p.reason}${p.reference ? `:${p.reference}` : ''}*${formatCents(p.amountCents)}`).join('*')}`);
  }
  body.push(`SE*${body.length + 1}*${st}`);
  return [
    `ISA*00*          *00*          *ZZ*${'BENCHPAYER'.padEnd(15)}*ZZ*${'BENCHCLINIC'.padEnd(15)}*${d.slice(2)}*1200*^*00501*${isaControl}*0*T*:`,
    `GS*HP*BENCHPAYER*BENCHCLINIC*${d}*1200*${r.control}*X*005010X221A1`,
    ...body,
    `GE*1*${r.control}`,
    `IEA*1*${isaControl}`,
  ]
    .map((s) => `${s}~`)
    .join('');
}
