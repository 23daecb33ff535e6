import { carcKind } from '../codes/index.js';

// Which parts of a posting are denials a biller works, and when a later posting settles them.

export interface PostingAdjustment {
  lineId: string | null;
  group: string;
  reason: string;
  amountCents: number;
}

/** A claim's posting (ERA CLP or paper EOB) as the denial rules read it. */
export interface Posting {
  id: string;
  claimId: string;
  statusCode: string;
  reversal: boolean;
  /** Another posting reverses this one. */
  reversed: boolean;
  paymentDate: string;
  postedAt: Date;
  paidCents: number;
  adjustments: readonly PostingAdjustment[];
  lines: readonly { lineId: string; paidCents: number; remarks: readonly string[] }[];
  remarks: readonly string[];
}

export interface Denial {
  adjudicationId: string;
  claimId: string;
  /** Null: the payer denied the claim without line detail. */
  lineId: string | null;
  deniedOn: string;
  deniedCents: number;
  adjustments: { group: string; reason: string; amountCents: number }[];
  remarks: string[];
}

const notPatient = (a: PostingAdjustment) => a.group !== 'PR' && a.amountCents !== 0;
const isDenialCode = (a: PostingAdjustment) => notPatient(a) && carcKind(a.reason) === 'denial';
const strip = ({ group, reason, amountCents }: PostingAdjustment) => ({ group, reason, amountCents });
const sum = (adjustments: readonly { amountCents: number }[]) => adjustments.reduce((n, a) => n + a.amountCents, 0);

/**
 * The denials of one posting. A line is denied when the payer paid nothing on it and adjusted it
 * other than to the patient (every such adjustment is the denial, whatever its code), and partly denied
 * when it was paid but carries a denial code (CO-97, CO-151, ...): then only those adjustments count.
 * Contractual write-downs (CO-45, CO-253) and the patient's share (PR) are not denials. Claim-level
 * adjustments with a denial code, or all of them on a denied claim (CLP02 4) without a denied line,
 * make a claim-level denial. A reversal, and a posting that was reversed, deny nothing.
 */
export function denialsOf(posting: Posting): Denial[] {
  if (posting.reversal || posting.reversed) return [];
  const denials: Denial[] = [];
  const paidByLine = new Map(posting.lines.map((l) => [l.lineId, l]));
  const lineIds = new Set<string>([...paidByLine.keys(), ...posting.adjustments.flatMap((a) => (a.lineId ? [a.lineId] : []))]);
  for (const lineId of lineIds) {
    const adjustments = posting.adjustments.filter((a) => a.lineId === lineId);
    const line = paidByLine.get(lineId);
    const paid = line?.paidCents ?? 0;
    const denied = paid === 0 ? adjustments.filter(notPatient) : adjustments.filter(isDenialCode);
    if (!denied.length || sum(denied) <= 0) continue;
    denials.push(denial(posting, lineId, denied, [...(line?.remarks ?? []), ...posting.remarks]));
  }
  const claimLevel = posting.adjustments.filter((a) => a.lineId === null);
  const deniedClaim = posting.statusCode === '4' && denials.length === 0 ? claimLevel.filter(notPatient) : claimLevel.filter(isDenialCode);
  if (deniedClaim.length && sum(deniedClaim) > 0) denials.push(denial(posting, null, deniedClaim, [...posting.remarks]));
  return denials;
}

function denial(posting: Posting, lineId: string | null, adjustments: PostingAdjustment[], remarks: string[]): Denial {
  return {
    adjudicationId: posting.id,
    claimId: posting.claimId,
    lineId,
    deniedOn: posting.paymentDate,
    deniedCents: sum(adjustments),
    adjustments: adjustments.map(strip),
    remarks: [...new Set(remarks)],
  };
}

export type DenialResolution = 'posting-reversed' | 'paid' | 'adjudicated-again';

/**
 * What settles a queued denial: its posting reversed, or a later posting of the claim that covers the
 * same line (for a claim-level denial: any later posting). A later posting that pays resolves it as
 * `paid`; one that denies again leaves its own item and this one as `adjudicated-again`. Null: still open.
 */
export function resolutionOf(item: { adjudicationId: string; lineId: string | null }, postings: readonly Posting[]): DenialResolution | null {
  const own = postings.find((p) => p.id === item.adjudicationId);
  if (!own || own.reversed) return 'posting-reversed';
  const later = postings.filter((p) => !p.reversal && !p.reversed && p.id !== own.id && p.postedAt > own.postedAt);
  let covered = false;
  for (const p of later) {
    if (item.lineId === null) {
      covered = true;
      if (p.paidCents > 0) return 'paid';
      continue;
    }
    const line = p.lines.find((l) => l.lineId === item.lineId);
    if (!line && !p.adjustments.some((a) => a.lineId === item.lineId)) continue;
    covered = true;
    if ((line?.paidCents ?? 0) > 0) return 'paid';
  }
  return covered ? 'adjudicated-again' : null;
}
