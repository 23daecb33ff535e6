export { X12Error, type X12Issue, type X12IssueCode } from './errors.js';
export { tokenize, segments, SegmentReader, type Segment, type Separators } from './reader.js';
export { parse835 } from './parse835.js';
export { parse837P } from './parse837.js';
export { write837P } from './write837.js';
export {
  parse999,
  ACKNOWLEDGMENT_CODES,
  SEGMENT_ERROR_CODES,
  ELEMENT_ERROR_CODES,
  TRANSACTION_SET_ERROR_CODES,
  GROUP_ERROR_CODES,
} from './parse999.js';
export { parse277, decide277, CATEGORY_DECISIONS, ACTION_CODES } from './parse277.js';
export { isValidNpi } from './npi.js';
export { parseCents, formatCents, parseDate8, isoToDate8 } from './values.js';
export type {
  Adjustment,
  AdjustmentGroup,
  Claim835,
  Parse835Result,
  Procedure,
  ProviderAdjustment,
  Remittance,
  Service835,
} from './types835.js';
export type {
  Address,
  BillingProvider837,
  Claim837,
  Dated,
  Diagnosis,
  Facility837,
  Parse837Result,
  Patient837,
  Payer837,
  Provider837,
  ServiceLine837,
  Subscriber837,
  Write837Input,
} from './types837.js';
export type {
  AcknowledgmentStatus,
  ElementError999,
  ErrorContext999,
  GroupAcknowledgment,
  Parse999Result,
  TransactionSetAcknowledgment,
  TransactionSetError999,
} from './types999.js';
export type { Claim277, ClaimAcknowledgmentDecision, Line277, Parse277Result, Party277, Status277 } from './types277.js';
