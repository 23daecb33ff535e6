import { ProblemError } from '@mso/contracts';
import type { EdiWarning } from '@mso/contracts/billing';
import { X12Error, type X12Issue } from '@mso/x12';

/** Segments that carry patients' and subscribers' names, member ids, addresses and birth dates. */
const PHI_SEGMENTS = new Set(['NM1', 'N3', 'N4', 'DMG', 'PAT', 'REF', 'PER']);

/**
 * The reader's message without the values it quotes when they may be PHI (a name, a date of birth):
 * problems and warnings name the segment and element, not the patient.
 */
export function safeMessage(issue: Pick<X12Issue, 'segmentId' | 'message'>): string {
  return PHI_SEGMENTS.has(issue.segmentId) || /subscriber|patient/i.test(issue.message) ? issue.message.replace(/'[^']*'/g, "'…'") : issue.message;
}

/** Where an X12 issue is, as a person reads it: `segment 12 (CLM), element 2`. */
export function locationOf(issue: Pick<X12Issue, 'segmentIndex' | 'segmentId' | 'elementIndex'>): string {
  return `segment ${issue.segmentIndex} (${issue.segmentId})${issue.elementIndex !== undefined ? `, element ${issue.elementIndex}` : ''}`;
}

/** A file the reader refused: 422 naming the segment (index, id) and element. */
export function x12Problem(error: X12Error, what: string): ProblemError {
  const where = locationOf(error);
  const message = safeMessage(error);
  return new ProblemError('unprocessable', `the ${what} cannot be read at ${where}: ${message}`, [
    { path: `/body/segments/${error.segmentIndex}${error.elementIndex !== undefined ? `/${error.elementIndex}` : ''}`, message: `${error.segmentId}: ${message}` },
  ]);
}

/** Runs an X12 reader; its refusal becomes the 422 above. */
export function readX12<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof X12Error) throw x12Problem(error, what);
    throw error;
  }
}

export function toEdiWarning(issue: X12Issue): EdiWarning {
  return { code: issue.code, message: safeMessage(issue), segmentIndex: issue.segmentIndex, segmentId: issue.segmentId, elementIndex: issue.elementIndex ?? null };
}
