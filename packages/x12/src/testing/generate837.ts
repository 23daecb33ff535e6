/**
 * Deterministic generator of large 837P claim files (written by `write837P`) for tests and
 * benchmarks: the same options and seed give the same bytes. Not part of the published build.
 *
 * Every claim is one a scrubber accepts: valid NPIs, ICD-10-CM and CPT/HCPCS codes, pointers to
 * existing diagnoses, positive units and charges, and no two claims of a patient on the same date of
 * service (so none is a duplicate of another).
 */
import { isValidNpi } from '../npi.js';
import type { BillingProvider837, Claim837, Diagnosis, Payer837, Provider837, ServiceLine837, Write837Input } from '../types837.js';
import { write837P } from '../write837.js';
import { prng } from './generate835.js';

export interface Generate837Options {
  claims: number;
  seed?: number;
  /** First date of service (ISO); claims spread over `serviceDays` days from it. Default 2026-04-01. */
  serviceDateFrom?: string;
  /** Default 28. Must be at least claims / patients. */
  serviceDays?: number;
  /** Distinct patients (each with their own member id); default a quarter of the claims. */
  patients?: number;
  /** CLM01 is the prefix and a 7-digit sequence number (at most 20 characters). Default `G`. */
  pcnPrefix?: string;
  payer?: Payer837;
  billingProvider?: BillingProvider837;
  /** Rendering providers the claims are spread over. Default 5. */
  renderingProviders?: number;
  /** ISA13. Default 1. */
  controlNumber?: number;
}

export interface Generated837P {
  text: string;
  /** The claims as written (and as `parse837P` reads them back). */
  claims: Claim837[];
  lineCount: number;
  totalChargeCents: number;
  /** Distinct patients (member ids). */
  patientCount: number;
  renderingProviderNpis: string[];
  /** The input given to write837P. */
  input: Write837Input;
}

/** Fee per unit, in cents, of each procedure the generator bills. */
export const GENERATED_FEES: Readonly<Record<string, number>> = {
  '99203': 16_000,
  '99213': 12_500,
  '99214': 18_000,
  '36415': 1_500,
  '81002': 1_200,
  '85025': 1_900,
  '87880': 2_800,
  '90471': 2_500,
  '90686': 3_800,
  '93000': 4_500,
  '97110': 5_200,
};
const VISITS = ['99213', '99214', '99203'];
const ANCILLARY = ['36415', '81002', '85025', '87880', '90471', '90686', '93000', '97110'];
const DIAGNOSES = ['I10', 'E119', 'J069', 'M545', 'Z0000', 'R05', 'E785', 'K219', 'F419', 'N390'];
const LAST = ['SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'GARCIA', 'MILLER', 'DAVIS', 'RODRIGUEZ', 'MARTINEZ', 'LOPEZ', 'WILSON'];
const FIRST = ['JAMES', 'MARY', 'ROBERT', 'PATRICIA', 'JOHN', 'JENNIFER', 'MICHAEL', 'LINDA', 'DAVID', 'ELIZABETH', 'ANA', 'LUIS'];
const STREETS = ['MAIN ST', 'OAK AVE', 'PINE RD', 'MAPLE DR', 'CEDAR LN', 'ELM ST'];

/** A valid NPI (check digit by the Luhn rule with the 80840 prefix) built from `n`. */
export function generatedNpi(n: number): string {
  const base = String(100_000_000 + (Math.abs(Math.trunc(n)) % 900_000_000));
  for (let check = 0; check <= 9; check++) if (isValidNpi(`${base}${check}`)) return `${base}${check}`;
  throw new Error('unreachable: one check digit always fits');
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function generate837P(options: Generate837Options): Generated837P {
  const count = options.claims;
  const rnd = prng(options.seed ?? 837);
  const from = options.serviceDateFrom ?? '2026-04-01';
  const days = options.serviceDays ?? 28;
  const patients = Math.max(1, options.patients ?? Math.ceil(count / 4));
  if (Math.ceil(count / patients) > days) throw new Error(`${count} claims of ${patients} patients need at least ${Math.ceil(count / patients)} service days`);
  const prefix = options.pcnPrefix ?? 'G';
  if (prefix.length + 7 > 20) throw new Error('pcnPrefix makes CLM01 longer than 20 characters');
  const payer: Payer837 = options.payer ?? { name: 'BENCH HEALTH PLAN', id: '60054', address: { line1: '1 PAYER WAY', city: 'HARTFORD', state: 'CT', postalCode: '06156' } };
  const billingProvider: BillingProvider837 = options.billingProvider ?? {
    name: 'BENCH FAMILY MEDICINE',
    npi: '1234567893',
    taxId: '123456789',
    taxonomy: '207Q00000X',
    address: { line1: '100 CLINIC DR', city: 'COLUMBUS', state: 'OH', postalCode: '43215' },
  };
  const seed = options.seed ?? 837;
  const renderers: Provider837[] = Array.from({ length: options.renderingProviders ?? 5 }, (_, i) => ({
    lastName: LAST[(i * 5) % LAST.length] as string,
    firstName: FIRST[(i * 7) % FIRST.length] as string,
    npi: generatedNpi(seed * 7919 + i * 104_729),
    taxonomy: '207Q00000X',
  }));

  // One subscriber object per patient, shared by that patient's claims.
  const people = Array.from({ length: patients }, (_, p) => {
    const dependent = p % 10 === 9; // a child on a parent's policy
    const memberId = `M${String(seed % 1000).padStart(3, '0')}${String(p + 1).padStart(7, '0')}`;
    const last = LAST[p % LAST.length] as string;
    const address = { line1: `${100 + (p % 900)} ${STREETS[p % STREETS.length]}`, city: 'COLUMBUS', state: 'OH', postalCode: `432${String(p % 100).padStart(2, '0')}` };
    const year = 1940 + Math.floor(rnd() * 60);
    const dob = `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
    return {
      subscriber: {
        lastName: last,
        firstName: FIRST[(p >> 2) % FIRST.length] as string,
        memberId,
        relationship: dependent ? '' : '18',
        dateOfBirth: dependent ? addDays(dob, -9000) : dob,
        gender: p % 2 === 0 ? 'F' : 'M',
        address,
        groupNumber: `GRP${1000 + (p % 7)}`,
      },
      patient: dependent
        ? { lastName: last, firstName: FIRST[(p * 3) % FIRST.length] as string, relationship: '19', dateOfBirth: addDays(from, -3650 - p), gender: 'U', address }
        : undefined,
      offset: Math.floor(rnd() * days),
    };
  });

  const claims: Claim837[] = [];
  let lineCount = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const person = people[i % patients]!;
    const visit = Math.floor(i / patients); // this patient's n-th claim: a date of its own
    const date = addDays(from, (person.offset + visit) % days);
    const pcn = `${prefix}${String(i + 1).padStart(7, '0')}`;
    const dxCount = 1 + Math.floor(rnd() * 3);
    const dxStart = Math.floor(rnd() * DIAGNOSES.length);
    const diagnoses: Diagnosis[] = Array.from({ length: dxCount }, (_, d) => ({ qualifier: d === 0 ? 'ABK' : 'ABF', code: DIAGNOSES[(dxStart + d) % DIAGNOSES.length] as string }));
    const lineTotal = 1 + Math.floor(rnd() * 3);
    const codes = [VISITS[Math.floor(rnd() * VISITS.length)] as string];
    const anc = Math.floor(rnd() * ANCILLARY.length);
    for (let l = 1; l < lineTotal; l++) codes.push(ANCILLARY[(anc + l) % ANCILLARY.length] as string);
    const lines: ServiceLine837[] = codes.map((code, l) => {
      const units = code === '97110' ? 1 + Math.floor(rnd() * 3) : 1;
      const modifiers = l === 0 && lineTotal > 1 ? ['25'] : code === '87880' ? ['QW'] : [];
      const chargeCents = (GENERATED_FEES[code] as number) * units;
      return {
        procedure: { qualifier: 'HC', code, modifiers },
        chargeCents,
        units,
        unitType: 'UN',
        diagnosisPointers: l === 0 ? diagnoses.slice(0, 2).map((_, d) => d + 1) : [1 + (l % dxCount)],
        serviceDate: date,
        lineControlNumber: `${pcn}-${l + 1}`,
      };
    });
    const chargeCents = lines.reduce((s, l) => s + l.chargeCents, 0);
    lineCount += lines.length;
    total += chargeCents;
    claims.push({
      patientControlNumber: pcn,
      chargeCents,
      frequencyCode: '1',
      placeOfService: '11',
      diagnoses,
      billingProvider,
      subscriber: person.subscriber,
      ...(person.patient ? { patient: person.patient } : {}),
      payer,
      renderingProvider: renderers[i % renderers.length]!,
      claimFilingIndicator: 'CI',
      patientSignatureSource: 'P',
      lines,
    });
  }
  const input: Write837Input = {
    submitter: { name: billingProvider.name, id: 'SUB1234', contactName: 'BILLING OFFICE', phone: '6145550100' },
    receiver: { name: 'BENCH CLEARINGHOUSE', id: 'CLEARHOUSE' },
    interchange: { senderId: 'SUB1234', receiverId: 'CLEARHOUSE', controlNumber: options.controlNumber ?? 1, usage: 'T' },
    claims,
  };
  return { text: write837P(input), claims, lineCount, totalChargeCents: total, patientCount: patients, renderingProviderNpis: renderers.map((r) => r.npi as string), input };
}
