import type { ClaimRejection } from '@mso/contracts/billing';
import { ELEMENT_ERROR_CODES, SEGMENT_ERROR_CODES, TRANSACTION_SET_ERROR_CODES, type Claim277, type TransactionSetAcknowledgment } from '@mso/x12';

// What a 999 or a 277CA says about each claim, decided. No I/O.
//
// - 999: a rejected transaction set (IK501 R, M, W, X) rejects every claim it carried; an accepted one
//   (A, E) moves nothing: the file passed syntax checks, the payer has not accepted the claims yet
//   (the 277CA says that).
// - 277CA: the claim's own statuses decide (`Claim277.status`): accepted → accepted, rejected →
//   rejected; pended, forwarded or unknown move nothing.

/** A 999 transaction set's rejection of one claim: its codes and the segment it points at. */
export function rejectionOf999(set: TransactionSetAcknowledgment, patientControlNumber: string, at: string): ClaimRejection {
  // An error about this claim (CTX*CLM01) first, else the first of the set.
  const error = set.errors.find((e) => e.claimControlNumber === patientControlNumber) ?? set.errors[0];
  const codes = [`IK5:${set.code}`, ...set.syntaxErrors.map((c) => `IK5:${c}`)];
  if (error) codes.push(`IK3:${error.code}`, ...(error.element ? [`IK4:${error.element.code}`] : []));
  const reasons = [
    ...set.syntaxErrors.map((c) => TRANSACTION_SET_ERROR_CODES[c] ?? `error ${c}`),
    ...(error ? [`${error.segmentId} at position ${error.position}: ${SEGMENT_ERROR_CODES[error.code] ?? `error ${error.code}`}`] : []),
    ...(error?.element ? [`element ${error.element.position}: ${ELEMENT_ERROR_CODES[error.element.code] ?? `error ${error.element.code}`}`] : []),
  ];
  return {
    source: '999',
    codes,
    segment: error ? { id: error.segmentId, position: error.position, element: error.element?.position ?? null } : null,
    message: `999 rejected transaction set ${set.controlNumber}${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
    at,
  };
}

/** The status codes of a 277CA claim as the claim keeps them: `category:code[:entity]`. */
export function codesOf277(c: Claim277): string[] {
  return c.statuses.map((s) => [s.category, s.code, s.entity].filter((v) => v !== undefined && v !== '').join(':'));
}

export function rejectionOf277(c: Claim277, at: string): ClaimRejection {
  const codes = codesOf277(c);
  const text = c.statuses.find((s) => s.message)?.message;
  return { source: '277CA', codes, segment: null, message: `277CA rejected the claim (${codes.join(', ') || 'no status code'})${text ? `: ${text}` : ''}`, at };
}

/** Where a 277CA moves a claim, or null when it moves nothing (with why). */
export function decide277(c: Claim277): { to: 'accepted' | 'rejected' } | { to: null; reason: string } {
  if (c.status === 'accepted') return { to: 'accepted' };
  if (c.status === 'rejected') return { to: 'rejected' };
  return { to: null, reason: `277CA status ${c.status}` };
}
