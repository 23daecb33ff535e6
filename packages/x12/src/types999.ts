import type { X12Issue } from './errors.js';

/**
 * Outcome of an acknowledged functional group (AK901) or transaction set (IK501):
 * A → accepted, E → accepted-with-errors, P → partially-accepted (AK901 only), M/R/W/X → rejected.
 */
export type AcknowledgmentStatus = 'accepted' | 'accepted-with-errors' | 'partially-accepted' | 'rejected';

/** IK4: one data element in error inside the segment named by the enclosing IK3. */
export interface ElementError999 {
  /** IK401-1: position of the element in the segment (CLM05 → 5). */
  position: number;
  /** IK401-2: position of the component inside a composite element. */
  componentPosition?: number;
  /** IK401-3: occurrence of a repeating element. */
  repetitionPosition?: number;
  /** IK402: data element reference number (e.g. 1028 for CLM01). */
  reference?: string;
  /** IK403: implementation data element syntax error code (see IK403 in parse999.ts). */
  code: string;
  /** IK404: copy of the bad data element. */
  badData?: string;
}

/** CTX (situational trigger) of an IK3 or IK4: the segment whose presence made the one in error required. */
export interface ErrorContext999 {
  /** CTX01-1, e.g. 'SITUATIONAL TRIGGER'. */
  name: string;
  /** CTX02: segment id of the trigger. */
  segmentId?: string;
  /** CTX03: position of that segment in the transaction set. */
  position?: number;
  /** CTX04: loop identifier code. */
  loopId?: string;
  /** CTX05-1: position of the element in that segment. */
  elementPosition?: number;
  /** CTX06-1: data element reference number. */
  reference?: string;
}

/**
 * One error of an acknowledged transaction set: an IK3 segment error, with one of its IK4 element
 * errors (an IK3 with n IK4s gives n entries that repeat the IK3 fields).
 */
export interface TransactionSetError999 {
  /** IK301: id of the segment in error (CLM, NM1…). */
  segmentId: string;
  /** IK302: position of that segment in the acknowledged transaction set (ST is 1). */
  position: number;
  /** IK303: loop identifier code (2300, 2010BA…). */
  loopId?: string;
  /** IK304: implementation segment syntax error code (see IK304 in parse999.ts). */
  code: string;
  /** CTX*CLM01:<value> (business unit identifier) of the IK3: the claim's patient control number. */
  claimControlNumber?: string;
  /** The business unit identifier CTX of the IK3 whatever its name (CLM01, TRN02, NM109…). */
  businessUnit?: { name: string; value: string };
  /** Situational trigger CTXs of the IK3 (and of the IK4 when `element` is set). */
  contexts?: ErrorContext999[];
  element?: ElementError999;
}

/** Loop 2000 (AK2 … IK5): the acknowledgment of one transaction set of the original group. */
export interface TransactionSetAcknowledgment {
  /** ST02 of the 999 itself. */
  acknowledgmentControlNumber: string;
  /** AK102: GS06 of the acknowledged functional group. */
  groupControlNumber: string;
  /** AK201: transaction set identifier code (837…). */
  transactionSetId: string;
  /** AK202: ST02 of the acknowledged transaction set. */
  controlNumber: string;
  /** AK203: implementation convention reference (005010X222A1…). */
  implementationReference?: string;
  status: AcknowledgmentStatus;
  /** IK501 as sent (A, E, M, R, W, X). */
  code: string;
  /** IK502–IK506: implementation transaction set syntax error codes (see IK5 in parse999.ts). */
  syntaxErrors: string[];
  errors: TransactionSetError999[];
}

/** AK1 … AK9: the acknowledgment of one functional group. */
export interface GroupAcknowledgment {
  /** ST02 of the 999 itself. */
  acknowledgmentControlNumber: string;
  /** AK101: functional identifier code of the acknowledged group (HC for 837s). */
  functionalIdCode: string;
  /** AK102: GS06 of the acknowledged group. */
  groupControlNumber: string;
  /** AK103: GS08 version of the acknowledged group. */
  version?: string;
  status: AcknowledgmentStatus;
  /** AK901 as sent (A, E, P, M, R, W, X). */
  code: string;
  /** AK902: number of transaction sets included in the group. */
  includedCount: number;
  /** AK903: number of transaction sets received. */
  receivedCount: number;
  /** AK904: number of transaction sets accepted. */
  acceptedCount: number;
  /** AK905–AK909: functional group syntax error codes (see AK9 in parse999.ts). */
  syntaxErrors: string[];
}

export interface Parse999Result {
  groups: GroupAcknowledgment[];
  /** Every AK2 loop of the input in order; `groupControlNumber` links it to its group. */
  transactionSets: TransactionSetAcknowledgment[];
  warnings: X12Issue[];
}
