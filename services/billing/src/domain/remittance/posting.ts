import type { ClaimStatus, PatientResponsibility, PatientResponsibilityReason } from '@mso/contracts/billing';
import { canTransition, statusAfterAdjudication } from '../claim-status.js';
import { matchServiceLines, type LineMatchWarning, type MatchableService } from './match-lines.js';

// Posting a payer's adjudication of one claim (an 835 CLP or a paper EOB), and undoing one (CLP02 22):
// pure functions from the claim's state and the payer's amounts to the new state and the record to keep.

export type AdjustmentGroup = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';
export interface Adjustment {
  group: AdjustmentGroup;
  reason: string;
  amountCents: number;
}

export interface PostingLine {
  id: string;
  lineNumber: number;
  procedureCode: string;
  modifiers: string[];
  serviceDate: string;
  lineControlNumber: string;
  chargeCents: number;
  paidCents: number;
  adjustmentCents: number;
  patientResponsibilityCents: number;
  denied: boolean;
}

/** A posting kept against the claim (claim_adjudications), as far as undoing it needs. */
export interface PostingRecord {
  id: string;
  source: 'era' | 'manual';
  statusCode: string;
  reversal: boolean;
  reversesId: string | null;
  payerClaimControlNumber: string | null;
  paidCents: number;
  patientResponsibilityCents: number;
  adjustments: (Adjustment & { lineId: string | null })[];
  lines: { lineId: string; paidCents: number; remarks: string[] }[];
  remarks: string[];
  /** Lines this posting found denied (so a reversal can lift the denial). */
  deniedLineIds: string[];
}

export interface PostingClaim {
  id: string;
  status: ClaimStatus;
  chargeCents: number;
  paidCents: number;
  adjustmentCents: number;
  patientResponsibilityCents: number;
  forwardedTo: string | null;
  payerClaimControlNumber: string | null;
  lines: PostingLine[];
  /** Postings not reversed, oldest first. */
  postings: PostingRecord[];
}

export interface PayerService extends MatchableService {
  chargeCents: number;
  paidCents: number;
  adjustments: readonly Adjustment[];
  remarks: readonly string[];
}

/** What the payer said about the claim: an 835 CLP loop, or what a biller keyed from a paper EOB. */
export interface PayerAdjudication {
  source: 'era' | 'manual';
  statusCode: string;
  payerClaimControlNumber: string | null;
  chargeCents: number;
  paidCents: number;
  /** CLP05. */
  patientResponsibilityCents: number;
  /** Claim-level CAS. */
  adjustments: readonly Adjustment[];
  remarks: readonly string[];
  services: readonly PayerService[];
}

export interface PostingWarning {
  code: LineMatchWarning['code'] | 'patient-responsibility-without-cas' | 'reversal-amounts-differ';
  message: string;
}

export interface Posting {
  claim: PostingClaim;
  record: PostingRecord;
  /** Denied amounts by CARC (`CO-50`), for the denial events. */
  denials: { reason: string; amountCents: number }[];
  warnings: PostingWarning[];
}

/** CLP02 19–21: processed and forwarded to the next payer (crossover). */
const FORWARDED: Record<string, string> = { '19': 'secondary payer', '20': 'tertiary payer', '21': 'additional payer' };
export const REVERSAL_STATUS = '22';

/** Statuses in which a claim takes a payer's adjudication: sent, or adjudicated before (a later or corrected posting). */
export function canPost(status: ClaimStatus): boolean {
  return status !== 'draft' && status !== 'ready' && status !== 'rejected';
}

/** CARC 1 deductible, 2 coinsurance, 3 copay; any other PR reason is `other`. */
export function patientResponsibilityReason(carc: string): PatientResponsibilityReason {
  return carc === '1' ? 'deductible' : carc === '2' ? 'coinsurance' : carc === '3' ? 'copay' : 'other';
}

/** PR adjustments summed by kind, in the order deductible, coinsurance, copay, other (kinds with 0 left out). */
export function patientResponsibilityOf(adjustments: readonly Adjustment[], extraOther = 0): PatientResponsibility[] {
  const sums = new Map<PatientResponsibilityReason, number>();
  for (const a of adjustments) if (a.group === 'PR') sums.set(patientResponsibilityReason(a.reason), (sums.get(patientResponsibilityReason(a.reason)) ?? 0) + a.amountCents);
  if (extraOther) sums.set('other', (sums.get('other') ?? 0) + extraOther);
  return (['deductible', 'coinsurance', 'copay', 'other'] as const).filter((r) => sums.get(r)).map((reason) => ({ reason, amountCents: sums.get(reason)! }));
}

/** Adjustments summed by group and reason, in order of first appearance. */
export function sumAdjustments(adjustments: readonly Adjustment[]): Adjustment[] {
  const out = new Map<string, Adjustment>();
  for (const a of adjustments) {
    const key = `${a.group}-${a.reason}`;
    const seen = out.get(key);
    if (seen) seen.amountCents += a.amountCents;
    else out.set(key, { group: a.group, reason: a.reason, amountCents: a.amountCents });
  }
  return [...out.values()];
}

const sum = (xs: readonly Adjustment[], pr: boolean) => xs.reduce((n, a) => ((a.group === 'PR') === pr ? n + a.amountCents : n), 0);

/**
 * A line is denied when the payer paid nothing on it, the patient owes nothing on it (a line that
 * went to the deductible was processed, not denied), and it was adjusted off with a denial (CO or PI),
 * or the whole claim was denied (CLP02 4).
 */
export function isDeniedService(service: { chargeCents: number; paidCents: number; adjustments: readonly Adjustment[] }, claimStatusCode: string): boolean {
  if (service.paidCents !== 0 || service.chargeCents <= 0) return false;
  if (sum(service.adjustments, true) !== 0) return false;
  if (claimStatusCode === '4') return true;
  return service.adjustments.some((a) => (a.group === 'CO' || a.group === 'PI') && a.amountCents > 0);
}

function statusOf(claim: PostingClaim, statusCode: string): ClaimStatus {
  if (claim.postings.length === 0) return 'accepted';
  return statusAfterAdjudication({ statusCode, lines: claim.lines.length, deniedLines: claim.lines.filter((l) => l.denied).length });
}

/** Posts a payer's adjudication to the claim and its lines. The caller checks `canPost` first. */
export function postAdjudication(claim: PostingClaim, payer: PayerAdjudication, newId: () => string): Posting {
  const matches = matchServiceLines(claim.lines, payer.services);
  const warnings: PostingWarning[] = [...matches.warnings];
  const lines = claim.lines.map((l) => ({ ...l }));
  const byId = new Map(lines.map((l) => [l.id, l]));
  const adjustments: PostingRecord['adjustments'] = payer.adjustments.map((a) => ({ lineId: null, ...a }));
  const recordLines: PostingRecord['lines'] = [];
  const deniedLineIds: string[] = [];

  payer.services.forEach((s, i) => {
    const line = byId.get(matches.lineIds[i] ?? '');
    for (const a of s.adjustments) adjustments.push({ lineId: line?.id ?? null, ...a });
    if (!line) return;
    line.paidCents += s.paidCents;
    line.adjustmentCents += sum(s.adjustments, false);
    line.patientResponsibilityCents += sum(s.adjustments, true);
    line.denied = isDeniedService(s, payer.statusCode);
    if (line.denied) deniedLineIds.push(line.id);
    recordLines.push({ lineId: line.id, paidCents: s.paidCents, remarks: [...s.remarks] });
  });
  let patientResponsibilityCents = sum(adjustments, true);
  if (patientResponsibilityCents === 0 && payer.patientResponsibilityCents !== 0) {
    // CLP05 without PR adjustments: the amount still moves to the patient, at claim level.
    patientResponsibilityCents = payer.patientResponsibilityCents;
    warnings.push({ code: 'patient-responsibility-without-cas', message: `patient responsibility ${payer.patientResponsibilityCents} cents (CLP05) carries no PR adjustment; posted as other patient responsibility` });
  }
  const record: PostingRecord = {
    id: newId(),
    source: payer.source,
    statusCode: payer.statusCode,
    reversal: false,
    reversesId: null,
    payerClaimControlNumber: payer.payerClaimControlNumber,
    paidCents: payer.paidCents,
    patientResponsibilityCents,
    adjustments,
    lines: recordLines,
    remarks: [...payer.remarks],
    deniedLineIds,
  };
  const next: PostingClaim = {
    ...claim,
    paidCents: claim.paidCents + payer.paidCents,
    adjustmentCents: claim.adjustmentCents + sum(adjustments, false),
    patientResponsibilityCents: claim.patientResponsibilityCents + patientResponsibilityCents,
    forwardedTo: FORWARDED[payer.statusCode] ?? claim.forwardedTo,
    payerClaimControlNumber: payer.payerClaimControlNumber ?? claim.payerClaimControlNumber,
    lines,
    postings: [...claim.postings, record],
  };
  next.status = statusOf(next, payer.statusCode);
  return { claim: next, record, denials: deniedAmounts(record), warnings };
}

/**
 * What a posting denied, by CARC: the CO/PI/OA/CR adjustments of its denied lines and, for a denied
 * claim (CLP02 4), those not on a line. Read from the record, so a reversal lifts exactly these.
 */
export function deniedAmounts(record: Pick<PostingRecord, 'statusCode' | 'adjustments' | 'deniedLineIds'>): Posting['denials'] {
  const denied = new Set(record.deniedLineIds);
  const adjustments = record.adjustments.filter((a) => a.group !== 'PR' && a.amountCents > 0 && (a.lineId === null ? record.statusCode === '4' : denied.has(a.lineId)));
  return sumAdjustments(adjustments).map((a) => ({ reason: `${a.group}-${a.reason}`, amountCents: a.amountCents }));
}

/** The posting a reversal undoes: the latest one with its payer claim control number, else the latest. */
export function postingToReverse(claim: PostingClaim, payerClaimControlNumber: string | null): PostingRecord | undefined {
  const latest = [...claim.postings].reverse();
  return (payerClaimControlNumber ? latest.find((p) => p.payerClaimControlNumber === payerClaimControlNumber) : undefined) ?? latest[0];
}

/**
 * Undoes `original` (CLP02 22): a new record with every amount negated, the claim's and lines' totals
 * back, denials it set lifted. With nothing else posted the claim is `accepted` again, to be posted anew.
 */
export function reversePosting(claim: PostingClaim, original: PostingRecord, payer: Pick<PayerAdjudication, 'paidCents' | 'payerClaimControlNumber' | 'remarks'>, newId: () => string): Posting {
  const warnings: PostingWarning[] = [];
  if (payer.paidCents !== -original.paidCents) {
    warnings.push({ code: 'reversal-amounts-differ', message: `the reversal takes back ${-payer.paidCents} cents but the posting it undoes paid ${original.paidCents}; the whole posting is undone` });
  }
  const lines = claim.lines.map((l) => ({ ...l }));
  const byId = new Map(lines.map((l) => [l.id, l]));
  for (const l of original.lines) byId.get(l.lineId)!.paidCents -= l.paidCents;
  for (const a of original.adjustments) {
    const line = a.lineId ? byId.get(a.lineId) : undefined;
    if (!line) continue;
    if (a.group === 'PR') line.patientResponsibilityCents -= a.amountCents;
    else line.adjustmentCents -= a.amountCents;
  }
  for (const id of original.deniedLineIds) byId.get(id)!.denied = false;
  const record: PostingRecord = {
    id: newId(),
    source: original.source,
    statusCode: REVERSAL_STATUS,
    reversal: true,
    reversesId: original.id,
    payerClaimControlNumber: payer.payerClaimControlNumber ?? original.payerClaimControlNumber,
    paidCents: -original.paidCents,
    patientResponsibilityCents: -original.patientResponsibilityCents,
    adjustments: original.adjustments.map((a) => ({ ...a, amountCents: -a.amountCents })),
    lines: original.lines.map((l) => ({ ...l, paidCents: -l.paidCents })),
    remarks: [...payer.remarks],
    deniedLineIds: [],
  };
  const postings = claim.postings.filter((p) => p.id !== original.id);
  const next: PostingClaim = {
    ...claim,
    paidCents: claim.paidCents - original.paidCents,
    adjustmentCents: claim.adjustmentCents - sum(original.adjustments, false),
    patientResponsibilityCents: claim.patientResponsibilityCents - original.patientResponsibilityCents,
    forwardedTo: postings.length ? claim.forwardedTo : null,
    lines,
    postings,
  };
  next.status = statusOf(next, postings.at(-1)?.statusCode ?? '1');
  // The denials the undone posting made are lifted: the same reasons, negated.
  const denials = deniedAmounts(original).map((d) => ({ ...d, amountCents: -d.amountCents }));
  return { claim: next, record, denials, warnings };
}

/** Whether the status machine lets the claim go from its status to the posting's. */
export const transitionAllowed = (from: ClaimStatus, to: ClaimStatus) => from === to || canTransition(from, to);

export type Decision = { kind: 'posted'; posting: Posting } | { kind: 'unmatched'; reason: 'claim-not-submitted' | 'nothing-to-reverse' };

/** Posts the payer's adjudication, or undoes an earlier posting for a reversal; or says why it cannot. */
export function decidePosting(claim: PostingClaim, payer: PayerAdjudication, newId: () => string): Decision {
  if (!canPost(claim.status)) return { kind: 'unmatched', reason: 'claim-not-submitted' };
  if (payer.statusCode !== REVERSAL_STATUS) return { kind: 'posted', posting: postAdjudication(claim, payer, newId) };
  const original = postingToReverse(claim, payer.payerClaimControlNumber);
  if (!original) return { kind: 'unmatched', reason: 'nothing-to-reverse' };
  return { kind: 'posted', posting: reversePosting(claim, original, payer, newId) };
}
