/**
 * Deterministic generator of large, balanced 835 files for tests and benchmarks.
 * Not part of the published build.
 */
import { formatCents } from '../values.js';

export interface Generated835 {
  text: string;
  claims: number;
  services: number;
  adjustments: number;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  paymentCents: number;
}

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROCEDURES = ['99213', '99214', '99203', '97110', '90834', '93000', '36415', '81002'];
const LAST = ['SMITH', 'JONES', 'DOE', 'BROWN', 'GARCIA', 'MILLER', 'DAVIS', 'WILSON'];
const FIRST = ['JOHN', 'MARY', 'ANA', 'LEE', 'SAM', 'KIM', 'ALEX', 'RUTH'];

/**
 * Generates one 835 transaction with `claims` claims, each with one service line, a CO
 * adjustment and (for most claims) a PR adjustment, so that every balancing rule holds.
 * About 165 bytes per claim (10,000 claims ≈ 1.6 MB).
 */
export function generate835(claims: number, seed = 835): Generated835 {
  const rnd = prng(seed);
  const out: string[] = [];
  out.push('ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*PROVIDERRECV   *240301*1200*^*00501*000000123*0*P*:~');
  out.push('GS*HP*PAYERSENDER*PROVIDERRECV*20240301*1200*123*X*005010X221A1~');
  const body: string[] = [];
  let charge = 0;
  let paid = 0;
  let pr = 0;
  let adjustments = 0;
  const claimSegs: string[] = [];
  for (let i = 0; i < claims; i++) {
    const chargeCents = 5000 + Math.floor(rnd() * 95000);
    const co = Math.floor(chargeCents * (0.1 + rnd() * 0.3));
    const prCents = rnd() < 0.8 ? Math.floor((chargeCents - co) * rnd() * 0.3) : 0;
    const paidCents = chargeCents - co - prCents;
    charge += chargeCents;
    paid += paidCents;
    pr += prCents;
    const n = String(i + 1).padStart(7, '0');
    const c = formatCents(chargeCents);
    const p = formatCents(paidCents);
    const day = String(1 + (i % 28)).padStart(2, '0');
    claimSegs.push(
      `CLP*PCN${n}*1*${c}*${p}*${prCents ? formatCents(prCents) : '0'}*12*PCC${n}~`,
      `NM1*QC*1*${LAST[i % 8] ?? ''}*${FIRST[(i >> 3) % 8] ?? ''}****MI*M${n}~`,
      `SVC*HC:${PROCEDURES[i % 8] ?? ''}${i % 5 === 0 ? ':25' : ''}*${c}*${p}**1~`,
      `DTM*472*202402${day}~`,
      `CAS*CO*45*${formatCents(co)}~`,
    );
    adjustments++;
    if (prCents) {
      claimSegs.push(`CAS*PR*${i % 3 === 0 ? '1' : '2'}*${formatCents(prCents)}~`);
      adjustments++;
    }
  }
  const header = [
    'ST*835*0001~',
    `BPR*I*${formatCents(paid)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240301~`,
    'TRN*1*EFT12345678*1512345678~',
    'DTM*405*20240301~',
    'N1*PR*BENCH HEALTH PLAN~',
    'N3*1 PAYER WAY~',
    'N4*SPRINGFIELD*IL*62701~',
    'N1*PE*BENCH CLINIC*XX*1234567893~',
    'REF*TJ*123456789~',
    'LX*1~',
  ];
  body.push(...header, ...claimSegs);
  const count = body.length + 1;
  body.push(`SE*${count}*0001~`);
  out.push(...body, 'GE*1*123~', 'IEA*1*000000123~');
  return {
    text: out.join(''),
    claims,
    services: claims,
    adjustments,
    chargeCents: charge,
    paidCents: paid,
    patientResponsibilityCents: pr,
    paymentCents: paid,
  };
}
