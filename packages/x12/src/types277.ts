import type { X12Issue } from './errors.js';
import type { Procedure } from './types835.js';

/**
 * What a 277CA says about a claim or a line, decided from its category codes (see the table in
 * parse277.ts): `unknown` when it carries no status or only categories that decide nothing.
 */
export type ClaimAcknowledgmentDecision = 'accepted' | 'forwarded' | 'pended' | 'rejected' | 'unknown';

/** One status composite of an STC segment (STC01, STC10 or STC11). */
export interface Status277 {
  /** Composite -1: claim status category code (A1, A2, A3, A6, A7, R3…). */
  category: string;
  /** Composite -2: claim status code (code list 508, e.g. 21 missing or invalid information). */
  code: string;
  /** Composite -3: entity identifier code (the entity the status is about: 85 billing provider, IL, QC…). */
  entity?: string;
  /** Composite -4: code list qualifier (RX: NCPDP reject codes). */
  codeListQualifier?: string;
  /** STC02: status information effective date. */
  date?: string;
  /** STC03: action code (WQ accept, U reject). */
  actionCode?: string;
  /** STC04: total submitted charges of the claim or line, on the STC01 status only. */
  chargeCents?: number;
  /** STC12: free-form message text, on the STC01 status only. */
  message?: string;
}

/** An entity of the hierarchy above the claim: payer (HL 20), information receiver (HL 21), billing provider (HL 19). */
export interface Party277 {
  name: string;
  /** NM109 (payer id, receiver id, provider NPI…), with its qualifier NM108. */
  id?: string;
  idQualifier?: string;
  /** STC segments of the entity's level (batch-level acceptance or rejection). */
  statuses?: Status277[];
}

/** Loop 2220D: service line information. */
export interface Line277 {
  procedure: Procedure;
  /** SVC02: line item charge amount. */
  chargeCents: number;
  /** SVC04: revenue code (institutional). */
  revenueCode?: string;
  /** SVC07: original units of service count (units of the 837 line). */
  units?: number;
  /** REF*FJ: line item control number (REF*6R of the 837P line). */
  lineControlNumber?: string;
  /** DTP*472. */
  serviceDate?: string;
  serviceDateEnd?: string;
  status: ClaimAcknowledgmentDecision;
  statuses: Status277[];
}

/** Loop 2200D: the acknowledgment of one claim. */
export interface Claim277 {
  /** ST02 of the 277CA. */
  transactionControlNumber: string;
  /** TRN02 (TRN01 = 2): CLM01 of the 837. */
  patientControlNumber: string;
  /** REF*1K: payer claim control number. */
  payerClaimControlNumber?: string;
  /** REF*D9: clearinghouse trace number. */
  clearinghouseTraceNumber?: string;
  /** REF*BLT: institutional bill type. */
  billType?: string;
  status: ClaimAcknowledgmentDecision;
  /** Claim-level STC statuses in order (STC01, STC10, STC11 of each STC). */
  statuses: Status277[];
  /** DTP*472: claim service date or period. */
  serviceDate?: string;
  serviceDateEnd?: string;
  /** NM1*QC of the patient level. */
  patient?: { lastName: string; firstName?: string; memberId?: string };
  payer: Party277;
  receiver?: Party277;
  billingProvider?: Party277;
  lines: Line277[];
}

export interface Parse277Result {
  claims: Claim277[];
  warnings: X12Issue[];
}
