/** Claim adjustment group codes (CAS01). */
export type AdjustmentGroup = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';

/** One CAS reason/amount/quantity triplet. */
export interface Adjustment {
  group: AdjustmentGroup;
  reason: string;
  amountCents: number;
  quantity?: number;
}

/** A procedure composite (SVC01/SVC06 in an 835, SV101 in an 837P). */
export interface Procedure {
  /** Product/service id qualifier, e.g. HC (HCPCS/CPT), AD, N4, ER. */
  qualifier: string;
  code: string;
  /** Procedure modifiers in position order (up to four). */
  modifiers: string[];
  /** Free-text description (7th component), when sent. */
  description?: string;
}

/** Loop 2110 service payment information. */
export interface Service835 {
  procedure: Procedure;
  /** SVC06: the procedure as submitted, when the payer adjudicated a different one. */
  originalProcedure?: Procedure;
  chargeCents: number;
  paidCents: number;
  /** SVC05 units of service paid. */
  units?: number;
  /** DTM*472, or DTM*150 (start of a service period). */
  serviceDate?: string;
  /** REF*6R line item control number. */
  lineControlNumber?: string;
  /** AMT*B6 allowed amount. */
  allowedCents?: number;
  adjustments: Adjustment[];
  /** LQ*HE remark codes. */
  remarks: string[];
}

/** Loop 2100 claim payment information. */
export interface Claim835 {
  patientControlNumber: string;
  /** CLP02: 1 processed as primary, 2 secondary, 3 tertiary, 4 denied, 19–23 crossover/reversal… */
  statusCode: string;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  /** CLP06 claim filing indicator. */
  claimFilingIndicator?: string;
  /** CLP07 payer claim control number. */
  payerClaimControlNumber?: string;
  /** NM1*QC. */
  patient?: { lastName: string; firstName: string; memberId: string };
  /** NM1*82 with qualifier XX. */
  renderingProviderNpi?: string;
  /** Claim-level CAS. */
  adjustments: Adjustment[];
  /** Remark codes from MOA03–MOA07 and MIA05/MIA20–MIA23. */
  remarks: string[];
  services: Service835[];
}

/** One PLB reason/amount pair. Positive amounts reduce the payment, negative ones increase it. */
export interface ProviderAdjustment {
  providerId: string;
  fiscalPeriodDate: string;
  reason: string;
  reference?: string;
  amountCents: number;
}

/** One 835 transaction set (ST…SE). */
export interface Remittance {
  /** ST02. */
  controlNumber: string;
  /** N1*PR; id is N104, else REF*2U, else TRN03. */
  payer: { name: string; id: string };
  /** N1*PE; npi when N103 is XX, taxId when N103 is FI or from REF*TJ. */
  payee: { name: string; npi?: string; taxId?: string };
  payment: {
    /** BPR02. */
    amountCents: number;
    /** BPR03: C credit, D debit. */
    creditDebit: string;
    /** BPR04: ACH, CHK, FWT, BOP, NON. */
    method: string;
    /** DTM*405 production date; BPR16 (check issue / EFT effective date), with a warning, when there is no DTM*405. */
    date: string;
    /** TRN02 check or EFT trace number. */
    traceNumber: string;
    /** TRN03 payer identifier. */
    originatorId: string;
  };
  claims: Claim835[];
  providerAdjustments: ProviderAdjustment[];
}

export interface Parse835Result {
  remittances: Remittance[];
  warnings: import('./errors.js').X12Issue[];
}
