import type { Address, EdiTerms, NamedProvider, Subscriber } from '@mso/contracts/billing';
import type { Address as X12Address, Claim837, Dated, Facility837, Provider837, ServiceLine837, Write837Input } from '@mso/x12';
import type { FieldProblem } from '../master-data.js';

// Claims as an 837P carries them: a stored claim with its parties (billing's records) and the details
// an import kept, turned into the writer's input. No I/O.

export interface ProviderRecord {
  id: string;
  npi: string;
  name: string;
  firstName: string | null;
  taxonomyCode: string | null;
  address: Address | null;
  taxId: string | null;
}
export interface PatientRecord {
  firstName: string;
  lastName: string;
  middleName: string | null;
  dateOfBirth: string;
  sex: string;
  address: Address;
}
export interface CoverageRecord {
  memberId: string;
  groupNumber: string | null;
  relationship: string;
  subscriber: Subscriber | null;
  order: string;
}
export interface PayerRecord {
  id: string;
  name: string;
  ediPayerId: string;
  claimFilingIndicatorCode: string;
}
export interface ClaimRecord {
  id: string;
  patientControlNumber: string;
  frequencyCode: string;
  payerClaimControlNumber: string | null;
  placeOfService: string;
  diagnoses: { code: string; qualifier: string }[];
  priorAuthorization: string | null;
  chargeCents: number;
  referringProvider: NamedProvider | null;
  details: Record<string, unknown>;
}
export interface LineRecord {
  procedureCode: string;
  modifiers: string[];
  units: number;
  chargeCents: number;
  diagnosisPointers: number[];
  serviceDate: string;
  placeOfService: string | null;
  renderingProviderId: string | null;
  lineControlNumber: string;
  details: Record<string, unknown>;
}
export interface BatchClaimSource {
  claim: ClaimRecord;
  lines: LineRecord[];
  patient: PatientRecord;
  coverage: CoverageRecord | null;
  payer: PayerRecord;
  billingProvider: ProviderRecord;
  renderingProvider: ProviderRecord | null;
  /** Rendering providers named by lines, by id. */
  providers: ReadonlyMap<string, ProviderRecord>;
}

const patCodes: Record<string, string> = { spouse: '01', child: '19', other: 'G8' };
const sbrCodes: Record<string, string> = { primary: 'P', secondary: 'S', tertiary: 'T' };

const x12Address = (a: Address): X12Address => ({ line1: a.line1, ...(a.line2 ? { line2: a.line2 } : {}), city: a.city, state: a.state, postalCode: a.postalCode });

/** Copies only the keys whose value is set (the writer treats a present key as a value to write). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function provider837(p: ProviderRecord, extra: unknown): Provider837 {
  const e = (extra ?? {}) as { middleName?: string; suffix?: string };
  return defined({ lastName: p.name, firstName: p.firstName ?? undefined, middleName: e.middleName, suffix: e.suffix, npi: p.npi, taxonomy: p.taxonomyCode ?? undefined });
}

/** What keeps a claim out of an 837P (a party without what the file needs), as field problems. */
export function batchProblems(s: BatchClaimSource, index: number): FieldProblem[] {
  const at = `/claims/${index}`;
  const pcn = s.claim.patientControlNumber;
  const out: FieldProblem[] = [];
  if (!s.billingProvider.address) out.push({ path: `${at}/billingProviderId`, message: `claim ${pcn}: billing provider ${s.billingProvider.npi} has no address (loop 2010AA N3/N4): set it on the provider` });
  if (!s.coverage) out.push({ path: `${at}/coverageId`, message: `claim ${pcn}: no coverage (subscriber loop 2010BA needs a member id)` });
  if (!s.lines.length) out.push({ path: `${at}/lines`, message: `claim ${pcn}: no service line` });
  return out;
}

/** The claim as the 837P writer takes it (call `batchProblems` first). */
export function toClaim837(s: BatchClaimSource): Claim837 {
  const { claim, patient, payer } = s;
  const coverage = s.coverage!;
  const d = claim.details;
  const sentSubscriber = (d.subscriber ?? {}) as Record<string, unknown>;
  const sentPatient = (d.patient ?? {}) as Record<string, unknown>;
  const self = coverage.relationship === 'self';
  const person = (p: { firstName: string; lastName: string; middleName?: string | null | undefined; dateOfBirth: string; sex: string; address: Address }) =>
    defined({ lastName: p.lastName, firstName: p.firstName, middleName: p.middleName ?? undefined, dateOfBirth: p.dateOfBirth, gender: p.sex, address: x12Address(p.address) });
  const subscriberPerson = self ? person(patient) : coverage.subscriber ? person(coverage.subscriber) : undefined;
  const subscriber: Claim837['subscriber'] = defined({
    // A dependent's subscriber as the file sent it when the coverage holds no subscriber record.
    ...(subscriberPerson ?? (sentSubscriber as Partial<Claim837['subscriber']>)),
    lastName: subscriberPerson?.lastName ?? str(sentSubscriber.lastName) ?? patient.lastName,
    firstName: subscriberPerson?.firstName ?? str(sentSubscriber.firstName) ?? patient.firstName,
    suffix: str(sentSubscriber.suffix),
    memberId: coverage.memberId,
    relationship: self ? '18' : '',
    groupNumber: coverage.groupNumber ?? undefined,
    groupName: str(sentSubscriber.groupName),
  });
  const lines: ServiceLine837[] = s.lines.map((l) => {
    const ld = l.details;
    const rendering = l.renderingProviderId && l.renderingProviderId !== s.renderingProvider?.id ? s.providers.get(l.renderingProviderId) : undefined;
    return defined({
      procedure: defined({ qualifier: str(ld.qualifier) ?? 'HC', code: l.procedureCode, modifiers: l.modifiers, description: str(ld.description) }),
      chargeCents: l.chargeCents,
      units: l.units,
      unitType: str(ld.unitType) ?? 'UN',
      diagnosisPointers: l.diagnosisPointers,
      serviceDate: l.serviceDate,
      serviceDateEnd: str(ld.serviceDateEnd),
      placeOfService: l.placeOfService ?? undefined,
      emergency: ld.emergency === true ? true : undefined,
      lineControlNumber: l.lineControlNumber,
      dates: ld.dates as Dated[] | undefined,
      renderingProvider: rendering ? provider837(rendering, undefined) : undefined,
    });
  });
  const bp = s.billingProvider;
  return defined({
    patientControlNumber: claim.patientControlNumber,
    chargeCents: claim.chargeCents,
    frequencyCode: claim.frequencyCode,
    placeOfService: claim.placeOfService,
    diagnoses: claim.diagnoses,
    dates: d.dates as Dated[] | undefined,
    billingProvider: defined({
      name: bp.name,
      firstName: bp.firstName ?? undefined,
      npi: bp.npi,
      taxId: bp.taxId ?? undefined,
      taxonomy: bp.taxonomyCode ?? undefined,
      address: x12Address(bp.address!),
      payToAddress: d.payToAddress as X12Address | undefined,
    }),
    subscriber,
    patient: self
      ? undefined
      : defined({ ...person(patient), suffix: str(sentPatient.suffix), relationship: str(sentPatient.relationship) ?? patCodes[coverage.relationship] ?? 'G8' }),
    payer: defined({ name: payer.name, id: payer.ediPayerId, address: d.payerAddress as X12Address | undefined }),
    renderingProvider: s.renderingProvider ? provider837(s.renderingProvider, d.renderingProvider) : undefined,
    referringProvider: claim.referringProvider
      ? defined({
          lastName: claim.referringProvider.lastName,
          firstName: claim.referringProvider.firstName ?? undefined,
          npi: claim.referringProvider.npi ?? undefined,
          ...((d.referringProvider ?? {}) as object),
        })
      : undefined,
    facility: d.facility as Facility837 | undefined,
    priorAuthorization: claim.priorAuthorization ?? undefined,
    referralNumber: str(d.referralNumber),
    // REF*F8 belongs to corrections and voids only.
    payerClaimControlNumber: claim.frequencyCode !== '1' ? (claim.payerClaimControlNumber ?? undefined) : undefined,
    medicalRecordNumber: str(d.medicalRecordNumber),
    patientPaidCents: typeof d.patientPaidCents === 'number' ? d.patientPaidCents : undefined,
    claimFilingIndicator: str(d.claimFilingIndicator) ?? payer.claimFilingIndicatorCode,
    payerResponsibility: str(d.payerResponsibility) ?? (sbrCodes[coverage.order] === 'P' ? undefined : sbrCodes[coverage.order]),
    providerSignature: str(d.providerSignature),
    assignmentParticipation: str(d.assignmentParticipation),
    benefitsAssignment: str(d.benefitsAssignment),
    releaseOfInformation: str(d.releaseOfInformation),
    patientSignatureSource: str(d.patientSignatureSource),
    lines,
  });
}

const isaId = (id: string) => id.replace(/[^A-Za-z0-9 -]/g, '').slice(0, 15) || 'UNKNOWN';

/**
 * The envelope of a payer's batch: submitter and receiver from the practice's EDI terms, else the
 * billing provider (name, NPI) and the payer (name, payer id); production usage unless the terms say T.
 */
export function batchEnvelope(terms: EdiTerms | undefined, firstBillingProvider: ProviderRecord, payer: PayerRecord, controlNumber: number, now: Date): Omit<Write837Input, 'claims'> {
  const t = terms ?? {};
  const submitterId = t.submitterId ?? firstBillingProvider.npi;
  const receiverId = t.receiverId ?? payer.ediPayerId;
  return {
    submitter: defined({ name: t.submitterName ?? firstBillingProvider.name, id: submitterId, contactName: t.contactName, phone: t.contactPhone, email: t.contactEmail }),
    receiver: { name: t.receiverName ?? payer.name, id: receiverId },
    interchange: { senderId: t.interchangeSenderId ?? isaId(submitterId), receiverId: t.interchangeReceiverId ?? isaId(receiverId), controlNumber, usage: t.usage ?? 'P', date: now },
  };
}
