/**
 * Issues (warnings) and errors reported by the X12 readers and writer.
 *
 * - `segmentIndex` is the 0-based position of the segment in the input, counting every segment of
 *   every interchange (the first ISA is 0). For the writer it is the position in the output.
 * - `elementIndex` is the 1-based X12 element position (CLP03 → 3); absent when the issue concerns a
 *   whole segment.
 * - `transactionControlNumber` is ST02 of the enclosing transaction set, when there is one.
 */
export type X12IssueCode =
  // envelope and syntax
  | 'missing-isa'
  | 'invalid-isa'
  | 'isa-length'
  | 'missing-st'
  | 'missing-se'
  | 'missing-ge'
  | 'missing-iea'
  | 'se-count-mismatch'
  | 'ge-count-mismatch'
  | 'iea-count-mismatch'
  | 'control-number-mismatch'
  | 'segment-outside-transaction'
  | 'unexpected-transaction-type'
  | 'wrong-transaction-type'
  | 'missing-segment-terminator'
  | 'empty-segment'
  // content
  | 'unexpected-segment'
  | 'unmapped-segment'
  | 'missing-segment'
  | 'missing-element'
  | 'invalid-amount'
  | 'invalid-number'
  | 'invalid-date'
  | 'invalid-code'
  | 'invalid-character'
  | 'invalid-diagnosis-pointer'
  | 'hl-parent-mismatch'
  | 'unsupported-value'
  // balancing (835) and totals (837)
  | 'unbalanced-service-line'
  | 'unbalanced-claim'
  | 'unbalanced-patient-responsibility'
  | 'unbalanced-payment'
  // acknowledgments (999, 277CA): counts or codes that contradict each other
  | 'inconsistent-acknowledgment';

export interface X12Issue {
  code: X12IssueCode;
  message: string;
  segmentIndex: number;
  segmentId: string;
  elementIndex?: number;
  transactionControlNumber?: string;
}

/** Thrown when content cannot be read (no ISA/ST, a required amount missing, a non-numeric amount…). */
export class X12Error extends Error implements X12Issue {
  override readonly name = 'X12Error';
  readonly code: X12IssueCode;
  readonly segmentIndex: number;
  readonly segmentId: string;
  declare readonly elementIndex?: number;
  declare readonly transactionControlNumber?: string;

  constructor(issue: X12Issue) {
    super(issue.message);
    this.code = issue.code;
    this.segmentIndex = issue.segmentIndex;
    this.segmentId = issue.segmentId;
    if (issue.elementIndex !== undefined) (this as { elementIndex?: number }).elementIndex = issue.elementIndex;
    if (issue.transactionControlNumber !== undefined) {
      (this as { transactionControlNumber?: string }).transactionControlNumber = issue.transactionControlNumber;
    }
  }

  /** The plain issue object (same fields as a warning). */
  toIssue(): X12Issue {
    return makeIssue(this.code, this.message, this.segmentIndex, this.segmentId, this.elementIndex, this.transactionControlNumber);
  }
}

/** Builds an issue object without `undefined`-valued keys. */
export function makeIssue(
  code: X12IssueCode,
  message: string,
  segmentIndex: number,
  segmentId: string,
  elementIndex?: number,
  transactionControlNumber?: string,
): X12Issue {
  const issue: X12Issue = { code, message, segmentIndex, segmentId };
  if (elementIndex !== undefined) issue.elementIndex = elementIndex;
  if (transactionControlNumber !== undefined) issue.transactionControlNumber = transactionControlNumber;
  return issue;
}
