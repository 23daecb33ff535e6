import type { ClaimDiagnosis, ClaimLineInput } from '@mso/contracts/billing';
import { lineControlNumber } from './claim-keys.js';
import { ICD10_EFFECTIVE } from './scrubber/index.js';
import type { FieldProblem } from './master-data.js';

// Building a claim from an encounter's charges, and applying a biller's edit to its lines: pure
// functions, the handlers load and save around them.

/**
 * Diagnoses as entered with their qualifier filled in: the first is the principal (ABK, or BK for an
 * ICD-9 date of service before 2015-10-01), the others ABF/BF.
 */
export function withQualifiers(diagnoses: readonly { code: string; qualifier?: ClaimDiagnosis['qualifier'] | undefined }[], dateOfService: string): ClaimDiagnosis[] {
  const icd9 = dateOfService < ICD10_EFFECTIVE;
  return diagnoses.map((d, i) => ({ code: d.code.trim().toUpperCase(), qualifier: d.qualifier ?? (icd9 ? (i === 0 ? 'BK' : 'BF') : i === 0 ? 'ABK' : 'ABF') }));
}

export interface ChargeShape {
  procedureCode: string;
  modifiers: readonly string[];
  units: number;
  chargeCents: number | null;
  diagnosisPointers: readonly number[];
  serviceDate: string;
  placeOfService: string | null;
  renderingProviderId: string | null;
}

/** The unit fee for a code and modifiers on a date, or undefined when neither schedule has one. */
export type FeeOf = (code: string, modifiers: readonly string[], dateOfService: string) => number | undefined;

export interface PricedLine extends Omit<ChargeShape, 'chargeCents'> {
  lineNumber: number;
  chargeCents: number;
}

/**
 * Prices each charge that has no charge of its own: the unit fee × units, rounded to the cent. Charges
 * neither schedule prices are problems naming the charge (`/charges/{i}`), all at once.
 */
export function priceCharges(charges: readonly ChargeShape[], feeOf: FeeOf): { lines: PricedLine[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const lines = charges.map((c, i) => {
    let chargeCents = c.chargeCents;
    if (chargeCents === null) {
      const fee = feeOf(c.procedureCode, c.modifiers, c.serviceDate);
      if (fee === undefined) {
        problems.push({
          path: `/charges/${i}`,
          message: `no fee for ${c.procedureCode}${c.modifiers.length ? ` with ${[...c.modifiers].sort().join(',')}` : ''} on ${c.serviceDate} in the payer's or the default schedule: price the charge or add the fee`,
        });
      }
      chargeCents = Math.round((fee ?? 0) * c.units);
    }
    return { ...c, lineNumber: i + 1, chargeCents };
  });
  return { lines, problems };
}

/** The claim's service period and total from its lines. */
export function claimTotals(lines: readonly { serviceDate: string; chargeCents: number }[], fallbackDate: string): { serviceDateFrom: string; serviceDateTo: string; chargeCents: number } {
  const dates = lines.map((l) => l.serviceDate).sort();
  return { serviceDateFrom: dates[0] ?? fallbackDate, serviceDateTo: dates[dates.length - 1] ?? fallbackDate, chargeCents: lines.reduce((s, l) => s + l.chargeCents, 0) };
}

export interface StoredLine {
  id: string;
  lineNumber: number;
  paidCents: number;
  adjustmentCents: number;
  patientResponsibilityCents: number;
}

export interface LinePlan {
  /** Lines kept (by id) with their new content and number, and new lines (no id). */
  upserts: { id: string | null; line: Omit<ClaimLineInput, 'id'> & { modifiers: string[]; placeOfService: string | null; renderingProviderId: string | null }; lineNumber: number; lineControlNumber: string }[];
  /** Ids of stored lines the edit leaves out. */
  removed: string[];
  problems: FieldProblem[];
}

/**
 * What a PATCH with `lines` does: lines with an id of the claim are kept (renumbered in the order
 * sent), lines without an id are new, stored lines left out go, unless a payment, adjustment or
 * patient responsibility was posted on them (the posting would lose its line).
 */
export function planLines(patientControlNumber: string, stored: readonly StoredLine[], input: readonly ClaimLineInput[]): LinePlan {
  const byId = new Map(stored.map((l) => [l.id, l]));
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  input.forEach((l, i) => {
    if (l.id === undefined) return;
    if (!byId.has(l.id)) problems.push({ path: `/lines/${i}/id`, message: 'no such line on this claim' });
    else if (seen.has(l.id)) problems.push({ path: `/lines/${i}/id`, message: 'the same line twice' });
    seen.add(l.id);
  });
  const removed = stored.filter((l) => !seen.has(l.id));
  for (const l of removed) {
    if (l.paidCents !== 0 || l.adjustmentCents !== 0 || l.patientResponsibilityCents !== 0) problems.push({ path: '/lines', message: `line ${l.lineNumber} has postings on it and cannot be removed` });
  }
  const upserts = input.map((l, i) => {
    const { id, ...line } = l;
    return {
      id: id ?? null,
      line: { ...line, modifiers: line.modifiers ?? [], placeOfService: line.placeOfService ?? null, renderingProviderId: line.renderingProviderId ?? null },
      lineNumber: i + 1,
      lineControlNumber: lineControlNumber(patientControlNumber, i + 1),
    };
  });
  return { upserts, removed: removed.map((l) => l.id), problems };
}
