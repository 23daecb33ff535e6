import type { X12Issue } from './errors.js';
import type { Procedure } from './types835.js';

/** N3/N4. */
export interface Address {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postalCode: string;
  /** N404, only for addresses outside the United States. */
  countryCode?: string;
}

/** Loop 2000A/2010AA. `firstName` is present only when the billing provider is a person (NM102 = 1). */
export interface BillingProvider837 {
  name: string;
  firstName?: string;
  npi: string;
  /** REF*EI employer identification number. */
  taxId?: string;
  /** PRV*BI*PXC taxonomy code. */
  taxonomy?: string;
  address: Address;
  /** Loop 2010AB pay-to address, when it differs from the billing provider address. */
  payToAddress?: Address;
}

/** Loop 2000B/2010BA. */
export interface Subscriber837 {
  lastName: string;
  firstName: string;
  middleName?: string;
  suffix?: string;
  /** NM109 with qualifier MI. */
  memberId: string;
  /** SBR02 individual relationship code: 18 (self) when the subscriber is the patient, else empty. */
  relationship: string;
  /** DMG02, ISO date. */
  dateOfBirth?: string;
  /** DMG03: F, M or U. */
  gender?: string;
  address?: Address;
  /** SBR03 group or policy number. */
  groupNumber?: string;
  /** SBR04 group name. */
  groupName?: string;
}

/** Loop 2000C/2010CA (present only when the patient is not the subscriber). */
export interface Patient837 {
  lastName: string;
  firstName: string;
  middleName?: string;
  suffix?: string;
  /** PAT01 relationship to the insured: 01 spouse, 19 child, 20 employee, 21 unknown, 39 organ donor, 40 cadaver donor, 53 life partner, G8 other. */
  relationship: string;
  dateOfBirth?: string;
  gender?: string;
  address?: Address;
}

/** Loop 2010BB. */
export interface Payer837 {
  name: string;
  /** NM109 with qualifier PI (payer id) or XV (CMS plan id). */
  id: string;
  address?: Address;
}

/** A provider named in loop 2310A/B or 2420A. `firstName` present only for persons (NM102 = 1). */
export interface Provider837 {
  lastName: string;
  firstName?: string;
  middleName?: string;
  suffix?: string;
  npi?: string;
  /** PRV*PE*PXC taxonomy (rendering providers). */
  taxonomy?: string;
}

/** Loop 2310C service facility location. */
export interface Facility837 {
  name: string;
  npi?: string;
  address: Address;
}

export interface Diagnosis {
  /** ABK principal / ABF other (ICD-10-CM), BK / BF (ICD-9-CM). */
  qualifier: string;
  /** Code without the decimal point, e.g. R69, E119. */
  code: string;
}

/** A DTP date (D8) or period (RD8) other than the service date. */
export interface Dated {
  /** DTP01, e.g. 431 onset of current illness, 454 initial treatment, 304 last seen, 439 accident, 484 last menstrual period (claim); 471 prescription, 607 certification revision, 463 begin therapy, 461 last certification (line). */
  qualifier: string;
  date: string;
  /** End of an RD8 period. */
  endDate?: string;
}

/** Loop 2400 service line (SV1). */
export interface ServiceLine837 {
  procedure: Procedure;
  chargeCents: number;
  units: number;
  /** SV103: UN (unit) or MJ (minutes). */
  unitType: string;
  /** SV107: 1-based positions in `diagnoses`, up to four. */
  diagnosisPointers: number[];
  /** DTP*472 (D8, or the start of an RD8 range). */
  serviceDate: string;
  /** End of an RD8 range (present whenever the date was sent as a range). */
  serviceDateEnd?: string;
  /** SV105, only when it differs from the claim's place of service. */
  placeOfService?: string;
  /** SV109 = Y. */
  emergency?: boolean;
  /** REF*6R line item control number. */
  lineControlNumber?: string;
  /** Other line DTPs, in file order. */
  dates?: Dated[];
  /** Loop 2420A. */
  renderingProvider?: Provider837;
}

/**
 * Loop 2300 claim together with the parties above it in the HL hierarchy.
 * Optional indicator fields are omitted when they carry the X12 default (see README).
 */
export interface Claim837 {
  /** CLM01. */
  patientControlNumber: string;
  /** CLM02. */
  chargeCents: number;
  /** CLM05-3: 1 original, 7 replacement, 8 void. */
  frequencyCode: string;
  /** CLM05-1. */
  placeOfService: string;
  /** HI with ABK/ABF/BK/BF qualifiers, in order. */
  diagnoses: Diagnosis[];
  /** Claim DTPs (onset, accident, last seen…), in file order. */
  dates?: Dated[];
  billingProvider: BillingProvider837;
  subscriber: Subscriber837;
  patient?: Patient837;
  payer: Payer837;
  renderingProvider?: Provider837;
  referringProvider?: Provider837;
  facility?: Facility837;
  /** REF*G1. */
  priorAuthorization?: string;
  /** REF*9F. */
  referralNumber?: string;
  /** REF*F8 original claim number (for frequency codes 7 and 8). */
  payerClaimControlNumber?: string;
  /** REF*EA. */
  medicalRecordNumber?: string;
  /** AMT*F5. */
  patientPaidCents?: number;
  /** SBR09 (e.g. CI commercial, MB Medicare part B, MC Medicaid, 12 PPO). */
  claimFilingIndicator?: string;
  /** SBR01 payer responsibility sequence; omitted when P (primary). */
  payerResponsibility?: string;
  /** CLM06 provider signature on file; omitted when Y. */
  providerSignature?: string;
  /** CLM07 assignment or plan participation (A, B, C); omitted when A. */
  assignmentParticipation?: string;
  /** CLM08 benefits assignment certification (Y, N, W); omitted when Y. */
  benefitsAssignment?: string;
  /** CLM09 release of information (I, Y); omitted when Y. */
  releaseOfInformation?: string;
  /** CLM10 patient signature source (P). */
  patientSignatureSource?: string;
  lines: ServiceLine837[];
}

export interface Parse837Result {
  claims: Claim837[];
  warnings: X12Issue[];
}

/** Input of write837P. */
export interface Write837Input {
  /** Loop 1000A. */
  submitter: { name: string; id: string; contactName?: string; phone?: string; email?: string };
  /** Loop 1000B. */
  receiver: { name: string; id: string };
  interchange: {
    /** ISA06 (up to 15 characters). */
    senderId: string;
    /** ISA08 (up to 15 characters). */
    receiverId: string;
    /** ISA13, 1–999999999. */
    controlNumber: number | string;
    /** ISA15: T test, P production. */
    usage: 'T' | 'P';
    /**
     * Date (and time) of the envelope: 'YYYY-MM-DD', 'YYYYMMDD', 'YYYY-MM-DDTHH:MM…' or a Date (UTC parts).
     * When omitted, the latest service date of the claims is used (never the clock).
     */
    date?: string | Date;
    /** 'HH:MM', 'HHMM' or 'HH:MM:SS' (seconds are not written); default from `date`, else 0000. */
    time?: string;
    /** ISA05/ISA07, default ZZ. */
    senderQualifier?: string;
    receiverQualifier?: string;
    /** ISA14, default false. */
    acknowledgmentRequested?: boolean;
  };
  /** GS02/GS03/GS06; default to the ISA sender/receiver ids and the interchange control number. */
  group?: { senderCode?: string; receiverCode?: string; controlNumber?: number | string };
  /** BHT03; default: the interchange control number. */
  referenceId?: string;
  /** BHT06: CH chargeable (default) or RP reporting. */
  claimType?: 'CH' | 'RP';
  claims: Claim837[];
  /** Delimiters; default element '*', component ':', repetition '^', segment '~'. */
  separators?: { element?: string; component?: string; repetition?: string; segment?: string };
  /** Put a line break after each segment terminator (default false). */
  lineBreaks?: boolean;
  /** Claims per transaction set (ST…SE); default 5000 as the implementation guide recommends. */
  maxClaimsPerTransaction?: number;
}
