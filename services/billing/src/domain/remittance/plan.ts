import type { ClaimStatus } from '@mso/contracts/billing';
import { decidePosting, type PayerAdjudication, type Posting, type PostingClaim, type PostingWarning } from './posting.js';

// What posting a remittance's claims does, decided before anything is written: each CLP in file order
// against the claim state left by the CLPs before it (a reversal followed by its corrected claim).

export interface PlannedClaim {
  seq: number;
  patientControlNumber: string;
  /** The claim posted to, or null with `unmatchedReason`. */
  claimId: string | null;
  unmatchedReason: 'no-claim' | 'claim-not-submitted' | 'nothing-to-reverse' | null;
  posting: Posting | null;
  /** The claim's status before and after this CLP. */
  from: ClaimStatus | null;
  to: ClaimStatus | null;
  warnings: PostingWarning[];
}

export interface RemittancePlan {
  claims: PlannedClaim[];
  /** Final state of every claim posted to, by claim id. */
  states: Map<string, PostingClaim>;
}

export function planRemittance(clps: readonly (PayerAdjudication & { patientControlNumber: string })[], claimsByPcn: ReadonlyMap<string, PostingClaim>, newId: () => string): RemittancePlan {
  const states = new Map<string, PostingClaim>();
  const planned = clps.map((clp, seq): PlannedClaim => {
    const found = claimsByPcn.get(clp.patientControlNumber);
    const base = { seq, patientControlNumber: clp.patientControlNumber };
    if (!found) return { ...base, claimId: null, unmatchedReason: 'no-claim', posting: null, from: null, to: null, warnings: [] };
    const state = states.get(found.id) ?? found;
    const decision = decidePosting(state, clp, newId);
    if (decision.kind === 'unmatched') return { ...base, claimId: null, unmatchedReason: decision.reason, posting: null, from: null, to: null, warnings: [] };
    states.set(found.id, decision.posting.claim);
    return { ...base, claimId: found.id, unmatchedReason: null, posting: decision.posting, from: state.status, to: decision.posting.claim.status, warnings: decision.posting.warnings };
  });
  return { claims: planned, states };
}
