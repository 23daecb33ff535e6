import type { ClaimDiagnosis, NamedProvider, ScrubFinding } from '@mso/contracts/billing';

// What the scrubber's rules read: a claim with the records it refers to, loaded by the caller.

export interface ScrubProvider {
  id: string;
  npi: string;
  taxonomyCode: string | null;
  kind: string;
  active: boolean;
}

export interface ScrubLine {
  procedureCode: string;
  modifiers: readonly string[];
  units: number;
  chargeCents: number;
  diagnosisPointers: readonly number[];
  serviceDate: string;
  renderingProviderId: string | null;
}

export interface ScrubClaim {
  patientControlNumber: string;
  frequencyCode: string;
  payerClaimControlNumber: string | null;
  patientId: string;
  payerId: string;
  coverageId: string | null;
  billingProviderId: string;
  renderingProviderId: string | null;
  referringProvider: NamedProvider | null;
  diagnoses: readonly ClaimDiagnosis[];
  serviceDateFrom: string;
  serviceDateTo: string;
  chargeCents: number;
  lines: readonly ScrubLine[];
}

export interface ScrubPayer {
  id: string;
  ediPayerId: string;
  claimFilingIndicatorCode: string;
  active: boolean;
}

export interface ScrubCoverage {
  id: string;
  patientId: string;
  payerId: string;
  memberId: string;
  relationship: string;
  hasSubscriber: boolean;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** HR's licences and payer enrollments of one provider (by NPI), as last announced. */
export interface ScrubCredentials {
  licences: readonly { state: string; from: string; to: string | null }[];
  /** `payerId` is the payer's EDI payer id. */
  enrollments: readonly { payerId: string; from: string; to: string | null }[];
}

/** Everything a rule may look at. Loaded once per claim (or per batch of claims) by the caller. */
export interface ScrubInput {
  claim: ScrubClaim;
  /** By id: the claim's billing and rendering providers and its lines' rendering providers that exist. */
  providers: ReadonlyMap<string, ScrubProvider>;
  payer: ScrubPayer | null;
  coverage: ScrubCoverage | null;
  /** Other claims of the practice with the same duplicate key that are not voids. */
  duplicates: readonly { id: string; patientControlNumber: string }[];
  /** The practice's business date (its time zone). */
  today: string;
  /** Days after the date of service within which the payer takes the claim; null when nobody says. */
  timelyFilingDays: number | null;
  /** The practice's US state (its agreement); null when not known, and licences are then not checked. */
  practiceState: string | null;
  /** HR's credentials by NPI, for the providers that render the claim; an NPI HR never announced is absent. */
  credentials: ReadonlyMap<string, ScrubCredentials>;
}

export type Severity = ScrubFinding['severity'];
export type FieldIssue = { field: string; message: string };

export interface ScrubRule {
  code: string;
  severity: Severity;
  /** What the rule checks, for people reading the table (and the docs). */
  description: string;
  check(input: ScrubInput): FieldIssue[];
}
