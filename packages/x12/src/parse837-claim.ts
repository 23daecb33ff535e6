/**
 * The claims of an 837P: CLM and its diagnoses and dates (loop 2300), the service lines (LX/SV1/DTP,
 * loop 2400), and the checks made when a claim ends (lines, diagnosis pointers, CLM02 = Σ SV102).
 * Each reads one segment into the reading state (parse837-state.ts).
 */
import { X12Error, makeIssue } from './errors.js';
import type { PatCtx, State837 } from './parse837-state.js';
import { readProcedure } from './procedure.js';
import { pad2, type SegmentReader } from './reader.js';
import type { Claim837, Patient837, ServiceLine837 } from './types837.js';
import { formatCents, parseDate8 } from './values.js';

const DIAGNOSIS_QUALIFIERS = new Set(['ABK', 'ABF', 'BK', 'BF']);

export function clm(st: State837, r: SegmentReader): void {
  finishClaim(st);
  const sub = st.level === '23' ? st.pat?.sub : st.level === '22' ? st.sub : undefined;
  if (!sub) return st.unexpected(r, 'outside a subscriber or patient HL');
  const bp = sub.bp;
  if (!bp.named) throw new X12Error(makeIssue('missing-segment', 'billing provider loop 2010AA (NM1*85) is missing', bp.index, 'HL', undefined, st.control));
  if (!sub.subscriber) throw new X12Error(makeIssue('missing-segment', 'subscriber loop 2010BA (NM1*IL) is missing', sub.index, 'HL', undefined, st.control));
  if (!sub.payer) throw new X12Error(makeIssue('missing-segment', 'payer loop 2010BB (NM1*PR) is missing', sub.index, 'HL', undefined, st.control));
  let patient: Patient837 | undefined;
  if (st.level === '23') {
    const pat = st.pat as PatCtx;
    if (!pat.patient) throw new X12Error(makeIssue('missing-segment', 'patient loop 2010CA (NM1*QC) is missing', pat.index, 'HL', undefined, st.control));
    patient = pat.patient;
  }
  if (!r.has(1)) throw r.error('missing-element', 'CLM01 (patient control number) is required', 1);
  const chargeCents = r.cents(2);
  const pos = r.components(5);
  if (!r.has(5) || !pos[0]) throw r.error('missing-element', 'CLM05-1 (place of service) is required', 5);
  if (!pos[2]) throw r.error('missing-element', 'CLM05-3 (claim frequency code) is required', 5);
  const claim: Claim837 = {
    patientControlNumber: r.str(1),
    chargeCents,
    frequencyCode: pos[2],
    placeOfService: pos[0],
    diagnoses: [],
    billingProvider: bp.provider,
    subscriber: sub.subscriber,
    payer: sub.payer,
    lines: [],
  };
  if (pos[1] !== 'B') r.warn('invalid-code', `CLM05-2 '${pos[1] ?? ''}' is not B (place of service codes)`, 5);
  if (patient) claim.patient = patient;
  if (sub.claimFilingIndicator) claim.claimFilingIndicator = sub.claimFilingIndicator;
  if (sub.payerResponsibility !== 'P') claim.payerResponsibility = sub.payerResponsibility;
  const sig = r.str(6);
  if (sig !== 'Y') claim.providerSignature = sig;
  const asg = r.str(7);
  if (asg !== 'A') claim.assignmentParticipation = asg;
  const ben = r.str(8);
  if (ben !== 'Y') claim.benefitsAssignment = ben;
  const rel = r.str(9);
  if (rel !== 'Y') claim.releaseOfInformation = rel;
  const pss = r.opt(10);
  if (pss !== undefined) claim.patientSignatureSource = pss;
  for (let i = 11; i <= r.count; i++) {
    if (r.has(i)) r.warn('unmapped-segment', `CLM${pad2(i)} '${r.str(i)}' is not mapped by parse837P`, i);
  }
  st.claim = claim;
  st.claimIndex = r.index;
  st.lineIndexes = [];
  st.line = undefined;
  st.entity = 'claim';
}

export function hi(st: State837, r: SegmentReader): void {
  if (!st.claim || st.line) return st.unexpected(r, 'outside loop 2300');
  st.entity = 'claim';
  const found: { qualifier: string; code: string }[] = [];
  let other = false;
  for (let i = 1; i <= r.count; i++) {
    if (!r.has(i)) continue;
    const parts = r.components(i);
    const qualifier = parts[0] ?? '';
    if (DIAGNOSIS_QUALIFIERS.has(qualifier)) {
      if (!parts[1]) throw r.error('missing-element', `HI${pad2(i)} has no diagnosis code`, i);
      found.push({ qualifier, code: parts[1] });
      if (parts.length > 2) r.warn('unmapped-segment', `HI${pad2(i)} components after the code are not mapped`, i);
    } else other = true;
  }
  if (other) {
    if (found.length > 0) r.warn('unmapped-segment', 'HI codes with qualifiers other than ABK/ABF/BK/BF are not mapped');
    else return st.unmapped(r, `HI*${(r.components(1)[0] ?? '')} (not a diagnosis code list)`);
  }
  st.claim.diagnoses.push(...found);
}

export function lx(st: State837, r: SegmentReader): void {
  if (!st.claim) return st.unexpected(r, 'outside a claim');
  finishLine(st);
  st.pendingLine = r.index;
  st.line = undefined;
  st.entity = 'line';
}

export function sv1(st: State837, r: SegmentReader): void {
  if (!st.claim || st.pendingLine === undefined || st.line) return st.unexpected(r, 'outside loop 2400 (after LX)');
  if (!r.has(1)) throw r.error('missing-element', 'SV101 (procedure) is required', 1);
  const procedure = readProcedure(r, 1);
  const chargeCents = r.cents(2);
  if (!r.has(3)) throw r.error('missing-element', 'SV103 (unit or basis for measurement) is required', 3);
  const units = r.optNumber(4);
  if (units === undefined) throw r.error('missing-element', 'SV104 (service unit count) is required', 4);
  const pointers: number[] = [];
  for (const p of r.components(7)) {
    if (!/^\d{1,2}$/.test(p) || Number(p) < 1 || Number(p) > 12) throw r.error('invalid-number', `SV107 diagnosis pointer '${p}' is not 1–12`, 7);
    pointers.push(Number(p));
  }
  const line: ServiceLine837 = {
    procedure,
    chargeCents,
    units,
    unitType: r.str(3),
    diagnosisPointers: pointers,
    serviceDate: '',
  };
  const pos = r.opt(5);
  if (pos !== undefined) line.placeOfService = pos;
  if (r.is(9, 'Y')) line.emergency = true;
  for (let i = 10; i <= r.count; i++) {
    if (r.has(i)) r.warn('unmapped-segment', `SV1${pad2(i)} '${r.str(i)}' is not mapped by parse837P`, i);
  }
  st.line = line;
  st.lineProvider = undefined;
  st.lineIndexes.push(r.index);
  st.claim.lines.push(line);
  st.entity = 'line';
}

/** DTP02/DTP03 as a date or a range; throws X12Error when unreadable. */
function period(r: SegmentReader): { date: string; endDate?: string } {
  const q = r.str(2);
  const v = r.str(3);
  if (q === 'D8') {
    const d = parseDate8(v);
    if (d === undefined) throw r.error('invalid-date', `DTP03 '${v}' is not a valid CCYYMMDD date`, 3);
    return { date: d };
  }
  if (q === 'RD8') {
    const dash = v.indexOf('-');
    const a = dash === 8 ? parseDate8(v.slice(0, 8)) : undefined;
    const b = dash === 8 ? parseDate8(v.slice(9)) : undefined;
    if (a === undefined || b === undefined) throw r.error('invalid-date', `DTP03 '${v}' is not a valid CCYYMMDD-CCYYMMDD range`, 3);
    return { date: a, endDate: b };
  }
  throw r.error('invalid-code', `DTP02 '${q}' is not D8 or RD8`, 2);
}

export function dtp(st: State837, r: SegmentReader): void {
  const qualifier = r.str(1);
  if (st.line && (st.entity === 'line' || st.entity === 'lineRendering')) {
    const p = period(r);
    if (qualifier === '472') {
      st.line.serviceDate = p.date;
      if (p.endDate !== undefined) st.line.serviceDateEnd = p.endDate;
    } else {
      (st.line.dates ??= []).push(p.endDate === undefined ? { qualifier, date: p.date } : { qualifier, date: p.date, endDate: p.endDate });
    }
    return;
  }
  if (st.claim && st.entity === 'claim' && !st.line) {
    const p = period(r);
    (st.claim.dates ??= []).push(p.endDate === undefined ? { qualifier, date: p.date } : { qualifier, date: p.date, endDate: p.endDate });
    return;
  }
  if (!st.claim) return st.unexpected(r, 'outside a claim');
  st.unmapped(r, `DTP*${qualifier}`);
}

function finishLine(st: State837): void {
  const line = st.line;
  if (!line) {
    if (st.pendingLine !== undefined) {
      st.warnings.push(makeIssue('missing-segment', 'LX without SV1 (professional service)', st.pendingLine, 'LX', undefined, st.control));
    }
    st.pendingLine = undefined;
    return;
  }
  const index = st.lineIndexes[st.lineIndexes.length - 1] ?? st.claimIndex;
  if (line.serviceDate === '') {
    throw new X12Error(makeIssue('missing-segment', `service line ${st.claim?.lines.length ?? 0} has no DTP*472 service date`, index, 'SV1', undefined, st.control));
  }
  st.line = undefined;
  st.pendingLine = undefined;
  st.lineProvider = undefined;
}

export function finishClaim(st: State837): void {
  const claim = st.claim;
  if (!claim) return;
  finishLine(st);
  st.claim = undefined;
  const tx = st.control;
  if (claim.lines.length === 0) {
    st.warnings.push(makeIssue('missing-segment', `claim ${claim.patientControlNumber} has no service line (LX/SV1)`, st.claimIndex, 'CLM', undefined, tx));
  }
  let total = 0;
  for (let i = 0; i < claim.lines.length; i++) {
    const line = claim.lines[i] as ServiceLine837;
    total += line.chargeCents;
    for (const p of line.diagnosisPointers) {
      if (p > claim.diagnoses.length) {
        st.warnings.push(
          makeIssue(
            'invalid-diagnosis-pointer',
            `claim ${claim.patientControlNumber} line ${i + 1}: diagnosis pointer ${p} but the claim has ${claim.diagnoses.length} diagnoses`,
            st.lineIndexes[i] ?? st.claimIndex,
            'SV1',
            7,
            tx,
          ),
        );
      }
    }
  }
  if (claim.lines.length > 0 && total !== claim.chargeCents) {
    st.warnings.push(
      makeIssue(
        'unbalanced-claim',
        `claim ${claim.patientControlNumber}: CLM02 ${formatCents(claim.chargeCents)} but its service lines total ${formatCents(total)}`,
        st.claimIndex,
        'CLM',
        2,
        tx,
      ),
    );
  }
  if (claim.diagnoses.length === 0) {
    st.warnings.push(makeIssue('missing-segment', `claim ${claim.patientControlNumber} has no diagnosis (HI)`, st.claimIndex, 'CLM', undefined, tx));
  }
  st.claims.push(claim);
}
