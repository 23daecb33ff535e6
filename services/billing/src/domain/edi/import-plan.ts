import type { Address, ClaimDiagnosis, CoverageOrder, EdiWarning, NamedProvider, Subscriber, SubscriberRelationship } from '@mso/contracts/billing';
import { claimFilingIndicatorCodes } from '@mso/contracts/billing';
import type { Address as X12Address, Claim837, Provider837, ServiceLine837 } from '@mso/x12';
import { duplicateKeyOf, lineControlNumber } from '../claim-keys.js';
import type { FieldProblem } from '../master-data.js';
import type { LineRecord } from './batch.js';

// An 837P import, decided: which payers, providers, patients and coverages the file's claims match
// among the practice's records, which it creates, and the claim rows to write. No I/O: the handler
// loads what exists (one query per kind) and writes what this returns (multi-row inserts).

export interface KnownPayer {
  id: string;
  ediPayerId: string;
}
export interface KnownProvider {
  id: string;
  kind: string;
  npi: string;
  address: Address | null;
  taxId: string | null;
  taxonomyCode: string | null;
}
/** A coverage with the identity of its patient: a member id is shared by a subscriber's dependents. */
export interface KnownCoverage {
  id: string;
  payerId: string;
  memberId: string;
  patientId: string;
  patient: { firstName: string; lastName: string; dateOfBirth: string };
  /** Known for coverages an import created (null: entered by a person, or a person edited it since). */
  effectiveFrom?: string;
  importId?: string | null;
}
export interface Known {
  payers: readonly KnownPayer[];
  providers: readonly KnownProvider[];
  coverages: readonly KnownCoverage[];
  /** Patient control numbers the practice has already, with the claim id. */
  claimsByPcn: ReadonlyMap<string, string>;
}

export interface PlannedPayer {
  id: string;
  name: string;
  ediPayerId: string;
  claimFilingIndicatorCode: string;
}
export interface PlannedProvider {
  id: string;
  kind: 'billing' | 'rendering';
  npi: string;
  taxonomyCode: string | null;
  name: string;
  firstName: string | null;
  address: Address | null;
  taxId: string | null;
}
export interface PlannedPatient {
  id: string;
  firstName: string;
  lastName: string;
  middleName: string | null;
  dateOfBirth: string;
  sex: string;
  address: Address;
}
export interface PlannedCoverage {
  id: string;
  patientId: string;
  payerId: string;
  memberId: string;
  groupNumber: string | null;
  relationship: SubscriberRelationship;
  subscriber: Subscriber | null;
  order: CoverageOrder;
  effectiveFrom: string;
}
/** A claim line as the import writes it: the stored line's fields (what a batch reads back) and its number. */
export type PlannedLine = LineRecord & { lineNumber: number };
export interface PlannedClaim {
  id: string;
  /** Position of the claim in the file (0-based), for messages. */
  index: number;
  patientControlNumber: string;
  frequencyCode: string;
  payerClaimControlNumber: string | null;
  patientId: string;
  coverageId: string;
  payerId: string;
  billingProviderId: string;
  renderingProviderId: string | null;
  referringProvider: NamedProvider | null;
  placeOfService: string;
  diagnoses: ClaimDiagnosis[];
  serviceDateFrom: string;
  serviceDateTo: string;
  priorAuthorization: string | null;
  chargeCents: number;
  duplicateKey: string;
  details: Record<string, unknown>;
  lines: PlannedLine[];
}

export interface ImportPlan {
  payers: PlannedPayer[];
  providers: PlannedProvider[];
  /** Known billing providers without an address or tax id that the file supplies. */
  providerFills: { id: string; address: Address | null; taxId: string | null }[];
  patients: PlannedPatient[];
  coverages: PlannedCoverage[];
  /**
   * Coverages an earlier import created that this file shows in use earlier (the import guessed their
   * start from the dates it saw): moved back to the earliest date of service here.
   */
  coverageStarts: { id: string; effectiveFrom: string }[];
  claims: PlannedClaim[];
  warnings: EdiWarning[];
  /** Claims that cannot be stored as the file has them: the import is refused (422) with these. */
  problems: FieldProblem[];
}

const relationshipOfPat: Record<string, SubscriberRelationship> = { '01': 'spouse', '19': 'child' };
const orderOfSbr: Record<string, CoverageOrder> = { P: 'primary', S: 'secondary', T: 'tertiary' };
const lower = (s: string) => s.trim().toLowerCase();

function address(a: X12Address | undefined): Address | null {
  if (!a) return null;
  return { line1: a.line1, ...(a.line2 !== undefined ? { line2: a.line2 } : {}), city: a.city, state: a.state, postalCode: a.postalCode };
}

function sexOf(gender: string | undefined): string {
  return gender === 'M' || gender === 'F' ? gender : 'U';
}

/** Drops undefined values so details stay compact (and JSON round trips stay equal). */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * Plans the import of `claims` (in file order). `claimSegments[i]` is the segment index of the i-th
 * CLM, when known, for warnings and problems that point into the file.
 */
export function planImport(claims: readonly Claim837[], known: Known, newId: () => string, claimSegments: readonly number[] = []): ImportPlan {
  const plan: ImportPlan = { payers: [], providers: [], providerFills: [], patients: [], coverages: [], coverageStarts: [], claims: [], warnings: [], problems: [] };
  const payerIds = new Map(known.payers.map((p) => [p.ediPayerId, p.id]));
  const providerIds = new Map<string, string>(known.providers.map((p) => [`${p.kind}|${p.npi}`, p.id]));
  const fillable = new Map(known.providers.filter((p) => p.kind === 'billing' && (p.address === null || p.taxId === null)).map((p) => [p.id, p]));
  const coverageIds = new Map<string, { id: string; patientId: string }>();
  for (const c of known.coverages) coverageIds.set(`${c.payerId}|${c.memberId}|${personKey(c.patient)}`, { id: c.id, patientId: c.patientId });
  // A coverage the import creates, or one an earlier import created, starts at the earliest date of
  // service the files show for it, whatever order the claims come in. A person's dates are kept.
  const starts = new Map<string, { effectiveFrom: string; created: PlannedCoverage | null; knownFrom: string | null }>();
  for (const c of known.coverages) if (c.importId && c.effectiveFrom) starts.set(c.id, { effectiveFrom: c.effectiveFrom, created: null, knownFrom: c.effectiveFrom });
  const pcnsInFile = new Set<string>();

  const clm = (i: number) => ({ segmentIndex: claimSegments[i] ?? null, segmentId: 'CLM', elementIndex: 1 });
  const where = (i: number, pcn: string) => (claimSegments[i] !== undefined ? `CLM at segment ${claimSegments[i]} (CLM01 '${pcn}')` : `claim ${i + 1} (CLM01 '${pcn}')`);

  const payerOf = (c: Claim837): string => {
    let id = payerIds.get(c.payer.id);
    if (!id) {
      id = newId();
      payerIds.set(c.payer.id, id);
      const indicator = c.claimFilingIndicator ?? 'CI';
      plan.payers.push({ id, name: c.payer.name || c.payer.id, ediPayerId: c.payer.id, claimFilingIndicatorCode: (claimFilingIndicatorCodes as readonly string[]).includes(indicator) ? indicator : 'ZZ' });
    }
    return id;
  };

  const providerOf = (kind: 'billing' | 'rendering', p: { npi: string; name: string; firstName?: string | undefined; taxonomy?: string | undefined; address?: Address | null; taxId?: string | undefined }): string => {
    const key = `${kind}|${p.npi}`;
    let id = providerIds.get(key);
    if (!id) {
      id = newId();
      providerIds.set(key, id);
      plan.providers.push({ id, kind, npi: p.npi, taxonomyCode: p.taxonomy ?? null, name: p.name, firstName: p.firstName ?? null, address: p.address ?? null, taxId: p.taxId ?? null });
    } else if (kind === 'billing') {
      const f = fillable.get(id);
      if (f && ((f.address === null && p.address) || (f.taxId === null && p.taxId))) {
        plan.providerFills.push({ id, address: f.address ?? p.address ?? null, taxId: f.taxId ?? p.taxId ?? null });
        fillable.delete(id);
      }
    }
    return id;
  };

  const renderingOf = (p: Provider837 | undefined): string | null => (p?.npi ? providerOf('rendering', { npi: p.npi, name: p.lastName, firstName: p.firstName, taxonomy: p.taxonomy }) : null);

  claims.forEach((c, i) => {
    const pcn = c.patientControlNumber;
    const existing = known.claimsByPcn.get(pcn);
    if (existing) {
      plan.warnings.push({ code: 'duplicate-patient-control-number', message: `${where(i, pcn)} is already claim ${existing} of the practice: skipped`, ...clm(i) });
      return;
    }
    if (pcnsInFile.has(pcn)) {
      plan.problems.push({ path: `/claims/${i}/patientControlNumber`, message: `${where(i, pcn)}: the file has this patient control number twice` });
      return;
    }
    pcnsInFile.add(pcn);
    if (pcn.length > 20) plan.problems.push({ path: `/claims/${i}/patientControlNumber`, message: `${where(i, pcn)}: a patient control number has at most 20 characters` });
    if (!c.lines.length) {
      plan.problems.push({ path: `/claims/${i}/lines`, message: `${where(i, pcn)} has no service line (loop 2400 LX/SV1)` });
      return;
    }

    // The patient: loop 2010CA when the patient is not the subscriber, else the subscriber (2010BA).
    const person = c.patient ?? c.subscriber;
    const loop = c.patient ? '2010CA' : '2010BA';
    const personAddress = address(person.address);
    if (!person.dateOfBirth || !personAddress) {
      plan.problems.push({
        path: `/claims/${i}/${c.patient ? 'patient' : 'subscriber'}`,
        message: `${where(i, pcn)}: the patient (loop ${loop}) needs ${!person.dateOfBirth ? 'a DMG date of birth' : 'an N3/N4 address'}`,
      });
      return;
    }
    const payerId = payerOf(c);
    const identity = { firstName: person.firstName, lastName: person.lastName, dateOfBirth: person.dateOfBirth };
    const coverageKey = `${payerId}|${c.subscriber.memberId}|${personKey(identity)}`;
    let coverage = coverageIds.get(coverageKey);
    const serviceDateFrom = c.lines.reduce((min, l) => (l.serviceDate < min ? l.serviceDate : min), c.lines[0]!.serviceDate);
    const serviceDateTo = c.lines.reduce((max, l) => ((l.serviceDateEnd ?? l.serviceDate) > max ? (l.serviceDateEnd ?? l.serviceDate) : max), serviceDateFrom);
    if (!coverage) {
      const patientId = newId();
      plan.patients.push({ id: patientId, firstName: person.firstName, lastName: person.lastName, middleName: person.middleName ?? null, dateOfBirth: person.dateOfBirth, sex: sexOf(person.gender), address: personAddress });
      coverage = { id: newId(), patientId };
      coverageIds.set(coverageKey, coverage);
      const s = c.subscriber;
      const subscriberAddress = address(s.address);
      plan.coverages.push({
        id: coverage.id,
        patientId,
        payerId,
        memberId: s.memberId,
        groupNumber: s.groupNumber ?? null,
        relationship: c.patient ? (relationshipOfPat[c.patient.relationship] ?? 'other') : 'self',
        subscriber:
          c.patient && s.dateOfBirth && subscriberAddress
            ? { firstName: s.firstName, lastName: s.lastName, ...(s.middleName ? { middleName: s.middleName } : {}), dateOfBirth: s.dateOfBirth, sex: sexOf(s.gender) as Subscriber['sex'], address: subscriberAddress }
            : null,
        order: orderOfSbr[c.payerResponsibility ?? 'P'] ?? 'primary',
        effectiveFrom: serviceDateFrom,
      });
      starts.set(coverage.id, { effectiveFrom: serviceDateFrom, created: plan.coverages.at(-1)!, knownFrom: null });
    } else {
      const start = starts.get(coverage.id);
      if (start && serviceDateFrom < start.effectiveFrom) {
        start.effectiveFrom = serviceDateFrom;
        if (start.created) start.created.effectiveFrom = serviceDateFrom;
      }
    }

    const bp = c.billingProvider;
    const billingProviderId = providerOf('billing', { npi: bp.npi, name: bp.name, firstName: bp.firstName, taxonomy: bp.taxonomy, address: address(bp.address), taxId: bp.taxId });
    const renderingProviderId = renderingOf(c.renderingProvider);
    const lines: PlannedLine[] = c.lines.map((l, n) => ({
      lineNumber: n + 1,
      procedureCode: l.procedure.code,
      modifiers: l.procedure.modifiers,
      units: l.units,
      chargeCents: l.chargeCents,
      diagnosisPointers: l.diagnosisPointers,
      serviceDate: l.serviceDate,
      placeOfService: l.placeOfService ?? null,
      renderingProviderId: renderingOf(l.renderingProvider),
      lineControlNumber: l.lineControlNumber ?? lineControlNumber(pcn, n + 1),
      details: lineDetails(l),
    }));
    const ref = c.referringProvider;
    plan.claims.push({
      id: newId(),
      index: i,
      patientControlNumber: pcn,
      frequencyCode: c.frequencyCode,
      payerClaimControlNumber: c.payerClaimControlNumber ?? null,
      patientId: coverage.patientId,
      coverageId: coverage.id,
      payerId,
      billingProviderId,
      renderingProviderId,
      referringProvider: ref ? { npi: ref.npi ?? null, lastName: ref.lastName, firstName: ref.firstName ?? null } : null,
      placeOfService: c.placeOfService,
      diagnoses: c.diagnoses.map((d) => ({ code: d.code, qualifier: d.qualifier as ClaimDiagnosis['qualifier'] })),
      serviceDateFrom,
      serviceDateTo,
      priorAuthorization: c.priorAuthorization ?? null,
      chargeCents: c.chargeCents,
      duplicateKey: duplicateKeyOf({ patientId: coverage.patientId, renderingProviderId, billingProviderId, lines: lines.map((l) => ({ procedureCode: l.procedureCode, modifiers: l.modifiers, serviceDate: l.serviceDate })) }),
      details: claimDetails(c),
      lines,
    });
  });
  for (const [id, start] of starts) if (start.knownFrom && start.effectiveFrom < start.knownFrom) plan.coverageStarts.push({ id, effectiveFrom: start.effectiveFrom });
  return plan;
}

function personKey(p: { firstName: string; lastName: string; dateOfBirth: string }): string {
  return `${lower(p.lastName)}|${lower(p.firstName)}|${p.dateOfBirth}`;
}

/**
 * What the claim carries beyond billing's columns, kept so a batch writes it back as the EHR sent it:
 * the CLM indicators, claim dates, facility, other references, the parties' fields no record holds.
 */
function claimDetails(c: Claim837): Record<string, unknown> {
  return compact({
    dates: c.dates,
    facility: c.facility,
    referralNumber: c.referralNumber,
    medicalRecordNumber: c.medicalRecordNumber,
    patientPaidCents: c.patientPaidCents,
    claimFilingIndicator: c.claimFilingIndicator,
    payerResponsibility: c.payerResponsibility,
    providerSignature: c.providerSignature,
    assignmentParticipation: c.assignmentParticipation,
    benefitsAssignment: c.benefitsAssignment,
    releaseOfInformation: c.releaseOfInformation,
    patientSignatureSource: c.patientSignatureSource,
    // The subscriber as sent: a dependent's coverage may not hold all of it.
    subscriber: c.patient ? compact({ ...c.subscriber }) : compact({ suffix: c.subscriber.suffix, groupName: c.subscriber.groupName }),
    patient: c.patient ? compact({ suffix: c.patient.suffix, relationship: c.patient.relationship, gender: c.patient.gender }) : undefined,
    payerAddress: c.payer.address,
    payToAddress: c.billingProvider.payToAddress,
    renderingProvider: c.renderingProvider ? compact({ middleName: c.renderingProvider.middleName, suffix: c.renderingProvider.suffix }) : undefined,
    referringProvider: c.referringProvider ? compact({ middleName: c.referringProvider.middleName, suffix: c.referringProvider.suffix }) : undefined,
  });
}

function lineDetails(l: ServiceLine837): Record<string, unknown> {
  return compact({
    qualifier: l.procedure.qualifier === 'HC' ? undefined : l.procedure.qualifier,
    description: l.procedure.description,
    unitType: l.unitType === 'UN' ? undefined : l.unitType,
    serviceDateEnd: l.serviceDateEnd,
    emergency: l.emergency,
    dates: l.dates,
  });
}
