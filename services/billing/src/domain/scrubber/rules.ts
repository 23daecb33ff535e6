import { isValidNpi } from '@mso/x12';
import type { ClaimDiagnosis } from '@mso/contracts/billing';
import { inEffect } from '../master-data.js';
import type { FieldIssue, ScrubInput, ScrubProvider, ScrubRule } from './input.js';

// The claim scrubber: one row per rule. A rule reads the claim with what it refers to (providers,
// payer, coverage, the practice's other claims) and names each field at fault with a JSON pointer into
// the claim as `GET /v1/billing/claims/{id}` shows it. Errors block submission; warnings do not.
// Adding a rule is adding a row (and its case in rules.test.ts).

/** The day ICD-10-CM replaced ICD-9-CM for dates of service in the US. */
export const ICD10_EFFECTIVE = '2015-10-01';

/** ICD-10-CM: a letter, a digit, a digit or letter, then up to four more after an optional dot (E11.9, S72.001A). */
const ICD10_CM = /^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/;
/** ICD-9-CM: three digits, V + two digits or E + three digits, then up to two decimals (250.00, V70.0, E880.9). */
const ICD9_CM = /^([0-9]{3}|V[0-9]{2}|E[0-9]{3})(\.?[0-9]{1,2})?$/;
/** CPT (5 digits, or 4 digits + F/T/U for category II/III) or HCPCS level II (a letter A–V + 4 digits). */
const PROCEDURE = /^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$/;
const MODIFIER = /^[A-Z0-9]{2}$/;
/** A claim carries at most 50 service lines in an 837P (loop 2400 repeat). */
export const MAX_LINES = 50;

const isIcd9 = (d: ClaimDiagnosis) => d.qualifier === 'BK' || d.qualifier === 'BF';
/** Evaluation and management visits (office, hospital, consults, nursing facility, home, preventive...). */
const isEvaluationAndManagement = (code: string) => /^99[2-4][0-9]{2}$/.test(code);
/** CPT's surgery section (10004–69990): minor procedures that make a same-day visit need modifier 25. */
const isSurgicalProcedure = (code: string) => /^[1-6][0-9]{4}$/.test(code);
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function npiIssue(npi: string, field: string, whose: string): FieldIssue[] {
  return isValidNpi(npi) ? [] : [{ field, message: `the ${whose} NPI ${npi} fails the check digit (Luhn over 80840 + NPI)` }];
}

/** The claim's providers by the field that names them: billing, claim rendering, each line's rendering. */
function namedProviders(input: ScrubInput): { field: string; whose: string; id: string }[] {
  const { claim } = input;
  const named = [{ field: '/billingProviderId', whose: 'billing provider', id: claim.billingProviderId }];
  if (claim.renderingProviderId) named.push({ field: '/renderingProviderId', whose: 'rendering provider', id: claim.renderingProviderId });
  claim.lines.forEach((l, i) => {
    if (l.renderingProviderId && l.renderingProviderId !== claim.renderingProviderId) named.push({ field: `/lines/${i}/renderingProviderId`, whose: `line ${i + 1} rendering provider`, id: l.renderingProviderId });
  });
  return named;
}

/**
 * Who renders the claim, with the dates each renders on: the claim's rendering provider (else the
 * billing provider) on the lines without their own, and each line's own rendering provider on its date.
 */
function renderingParties(input: ScrubInput): { field: string; whose: string; provider: ScrubProvider; dates: string[] }[] {
  const { claim } = input;
  const main = claim.renderingProviderId
    ? { field: '/renderingProviderId', whose: 'rendering provider', id: claim.renderingProviderId }
    : { field: '/billingProviderId', whose: 'billing provider', id: claim.billingProviderId };
  const parties = new Map<string, { field: string; whose: string; id: string; dates: Set<string> }>([[main.field, { ...main, dates: new Set() }]]);
  claim.lines.forEach((l, i) => {
    if (!l.renderingProviderId || l.renderingProviderId === main.id) parties.get(main.field)!.dates.add(l.serviceDate);
    else parties.set(`/lines/${i}/renderingProviderId`, { field: `/lines/${i}/renderingProviderId`, whose: `line ${i + 1} rendering provider`, id: l.renderingProviderId, dates: new Set([l.serviceDate]) });
  });
  if (!parties.get(main.field)!.dates.size) parties.get(main.field)!.dates.add(claim.serviceDateFrom);
  return [...parties.values()].flatMap((p) => {
    const provider = input.providers.get(p.id);
    return provider ? [{ field: p.field, whose: p.whose, provider, dates: [...p.dates].sort() }] : [];
  });
}

const sameCode = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();
const datesList = (dates: readonly string[]) => dates.join(', ');

const lines = (input: ScrubInput) => input.claim.lines.map((line, i) => ({ line, i }));

export const scrubRules: readonly ScrubRule[] = [
  // ---- Errors: the payer or clearinghouse would reject the claim ------------------------------------
  {
    code: 'npi-check-digit',
    severity: 'error',
    description: 'Billing, rendering and referring NPIs pass the Luhn check digit',
    check: (input) => [
      ...namedProviders(input).flatMap((p) => {
        const provider = input.providers.get(p.id);
        return provider ? npiIssue(provider.npi, p.field, p.whose) : [];
      }),
      ...(input.claim.referringProvider?.npi ? npiIssue(input.claim.referringProvider.npi, '/referringProvider/npi', 'referring provider') : []),
    ],
  },
  {
    code: 'provider-missing',
    severity: 'error',
    description: 'The billing and rendering providers named exist in master data',
    check: (input) => namedProviders(input).flatMap((p) => (input.providers.has(p.id) ? [] : [{ field: p.field, message: `no ${p.whose} record ${p.id}` }])),
  },
  {
    code: 'billing-provider-kind',
    severity: 'error',
    description: 'The billing provider is set up as a billing provider (loop 2010AA)',
    check: (input) => {
      const p = input.providers.get(input.claim.billingProviderId);
      return p && p.kind !== 'billing' ? [{ field: '/billingProviderId', message: `provider ${p.npi} is set up as ${p.kind}, not billing` }] : [];
    },
  },
  {
    code: 'diagnosis-required',
    severity: 'error',
    description: 'The claim carries at least one diagnosis',
    check: (input) => (input.claim.diagnoses.length ? [] : [{ field: '/diagnoses', message: 'a claim needs at least one diagnosis code' }]),
  },
  {
    code: 'icd10-format',
    severity: 'error',
    description: 'ICD-10-CM codes (qualifier ABK/ABF) are well formed',
    check: (input) =>
      input.claim.diagnoses.flatMap((d, i) =>
        !isIcd9(d) && !ICD10_CM.test(d.code) ? [{ field: `/diagnoses/${i}/code`, message: `${d.code} is not an ICD-10-CM code (letter, digit, digit or letter, then up to four characters)` }] : [],
      ),
  },
  {
    code: 'icd9-format',
    severity: 'error',
    description: 'ICD-9-CM codes (qualifier BK/BF) are well formed',
    check: (input) =>
      input.claim.diagnoses.flatMap((d, i) => (isIcd9(d) && !ICD9_CM.test(d.code) ? [{ field: `/diagnoses/${i}/code`, message: `${d.code} is not an ICD-9-CM code` }] : [])),
  },
  {
    code: 'icd9-after-transition',
    severity: 'error',
    description: `ICD-9-CM codes are not used for dates of service on or after ${ICD10_EFFECTIVE}`,
    check: (input) =>
      input.claim.serviceDateFrom >= ICD10_EFFECTIVE
        ? input.claim.diagnoses.flatMap((d, i) => (isIcd9(d) ? [{ field: `/diagnoses/${i}/qualifier`, message: `ICD-9-CM code ${d.code} on a date of service on or after ${ICD10_EFFECTIVE}: code it in ICD-10-CM` }] : []))
        : [],
  },
  {
    code: 'icd10-before-transition',
    severity: 'error',
    description: `ICD-10-CM codes are not used for dates of service before ${ICD10_EFFECTIVE}`,
    check: (input) =>
      input.claim.serviceDateFrom < ICD10_EFFECTIVE
        ? input.claim.diagnoses.flatMap((d, i) => (!isIcd9(d) ? [{ field: `/diagnoses/${i}/qualifier`, message: `ICD-10-CM code ${d.code} on a date of service before ${ICD10_EFFECTIVE}` }] : []))
        : [],
  },
  {
    code: 'procedure-format',
    severity: 'error',
    description: 'Procedure codes are CPT (5 digits, or 4 + F/T/U) or HCPCS level II (letter + 4 digits)',
    check: (input) =>
      lines(input).flatMap(({ line, i }) => (PROCEDURE.test(line.procedureCode) ? [] : [{ field: `/lines/${i}/procedureCode`, message: `${line.procedureCode} is not a CPT or HCPCS code` }])),
  },
  {
    code: 'modifier-format',
    severity: 'error',
    description: 'Modifiers are two letters or digits',
    check: (input) =>
      lines(input).flatMap(({ line, i }) =>
        line.modifiers.flatMap((m, j) => (MODIFIER.test(m) ? [] : [{ field: `/lines/${i}/modifiers/${j}`, message: `${m} is not a modifier (two letters or digits)` }])),
      ),
  },
  {
    code: 'pointer-required',
    severity: 'error',
    description: 'Every line points at a diagnosis (SV107)',
    check: (input) => lines(input).flatMap(({ line, i }) => (line.diagnosisPointers.length ? [] : [{ field: `/lines/${i}/diagnosisPointers`, message: `line ${i + 1} points at no diagnosis` }])),
  },
  {
    code: 'pointer-no-diagnosis',
    severity: 'error',
    description: "Diagnosis pointers name one of the claim's diagnoses",
    check: (input) =>
      lines(input).flatMap(({ line, i }) =>
        line.diagnosisPointers.flatMap((p, j) =>
          Number.isInteger(p) && p >= 1 && p <= input.claim.diagnoses.length
            ? []
            : [{ field: `/lines/${i}/diagnosisPointers/${j}`, message: `pointer ${p} names no diagnosis (the claim has ${input.claim.diagnoses.length})` }],
        ),
      ),
  },
  {
    code: 'units-positive',
    severity: 'error',
    description: 'Units are greater than zero',
    check: (input) => lines(input).flatMap(({ line, i }) => (line.units > 0 ? [] : [{ field: `/lines/${i}/units`, message: `line ${i + 1} has ${line.units} units` }])),
  },
  {
    code: 'charge-positive',
    severity: 'error',
    description: 'Line charges and the claim charge are greater than zero',
    check: (input) => [
      ...lines(input).flatMap(({ line, i }) => (line.chargeCents > 0 ? [] : [{ field: `/lines/${i}/chargeCents`, message: `line ${i + 1} charges ${line.chargeCents} cents` }])),
      ...(input.claim.chargeCents > 0 ? [] : [{ field: '/chargeCents', message: 'the claim charges nothing' }]),
    ],
  },
  {
    code: 'charge-mismatch',
    severity: 'error',
    description: "The claim charge (CLM02) equals the sum of its lines' charges",
    check: (input) => {
      const sum = input.claim.lines.reduce((s, l) => s + l.chargeCents, 0);
      return sum === input.claim.chargeCents ? [] : [{ field: '/chargeCents', message: `the claim charges ${input.claim.chargeCents} cents but its lines add up to ${sum}` }];
    },
  },
  {
    code: 'lines-required',
    severity: 'error',
    description: `A claim has between 1 and ${MAX_LINES} service lines`,
    check: (input) =>
      input.claim.lines.length === 0
        ? [{ field: '/lines', message: 'the claim has no service lines' }]
        : input.claim.lines.length > MAX_LINES
          ? [{ field: '/lines', message: `an 837P claim carries at most ${MAX_LINES} service lines; this one has ${input.claim.lines.length}: split it` }]
          : [],
  },
  {
    code: 'future-date-of-service',
    severity: 'error',
    description: "No date of service after today (the practice's date)",
    check: (input) => [
      ...(input.claim.serviceDateTo > input.today ? [{ field: '/serviceDateTo', message: `the date of service ${input.claim.serviceDateTo} is in the future` }] : []),
      ...lines(input).flatMap(({ line, i }) => (line.serviceDate > input.today ? [{ field: `/lines/${i}/serviceDate`, message: `the date of service ${line.serviceDate} is in the future` }] : [])),
    ],
  },
  {
    code: 'service-date-outside-claim',
    severity: 'error',
    description: "Line dates of service fall within the claim's service period",
    check: (input) => {
      const { serviceDateFrom: from, serviceDateTo: to } = input.claim;
      const period = from > to ? [{ field: '/serviceDateTo', message: `the service period ends (${to}) before it starts (${from})` }] : [];
      return [
        ...period,
        ...lines(input).flatMap(({ line, i }) => (line.serviceDate < from || line.serviceDate > to ? [{ field: `/lines/${i}/serviceDate`, message: `${line.serviceDate} is outside the claim's ${from}..${to}` }] : [])),
      ];
    },
  },
  {
    code: 'coverage-missing',
    severity: 'error',
    description: 'The claim names the coverage (subscriber and member id) it bills',
    check: (input) =>
      !input.claim.coverageId
        ? [{ field: '/coverageId', message: 'no coverage on the claim: the subscriber and member id are missing' }]
        : !input.coverage
          ? [{ field: '/coverageId', message: `no coverage record ${input.claim.coverageId}` }]
          : [],
  },
  {
    code: 'subscriber-incomplete',
    severity: 'error',
    description: "The coverage belongs to the claim's patient, bills the claim's payer, and has the member id and subscriber (when the patient is not the subscriber)",
    check: (input) => {
      const c = input.coverage;
      if (!c) return [];
      const issues: FieldIssue[] = [];
      if (c.patientId !== input.claim.patientId) issues.push({ field: '/coverageId', message: "the coverage is another patient's" });
      if (c.payerId !== input.claim.payerId) issues.push({ field: '/payerId', message: 'the claim bills another payer than its coverage' });
      if (!c.memberId.trim()) issues.push({ field: '/coverageId', message: 'the coverage has no member id' });
      if (c.relationship !== 'self' && !c.hasSubscriber) issues.push({ field: '/coverageId', message: `the patient is the subscriber's ${c.relationship} but the coverage has no subscriber` });
      return issues;
    },
  },
  {
    code: 'coverage-not-in-effect',
    severity: 'error',
    description: 'The coverage is in effect on the date of service',
    check: (input) => {
      const c = input.coverage;
      if (!c || inEffect({ from: c.effectiveFrom, to: c.effectiveTo }, input.claim.serviceDateFrom)) return [];
      return [{ field: '/coverageId', message: `the coverage (${c.effectiveFrom}..${c.effectiveTo ?? 'open'}) is not in effect on ${input.claim.serviceDateFrom}` }];
    },
  },
  {
    code: 'payer-incomplete',
    severity: 'error',
    description: 'The payer exists, is active and has its EDI payer id and claim filing indicator',
    check: (input) => {
      const p = input.payer;
      if (!p) return [{ field: '/payerId', message: `no payer record ${input.claim.payerId}` }];
      const issues: FieldIssue[] = [];
      if (!p.active) issues.push({ field: '/payerId', message: 'the payer is inactive' });
      if (!p.ediPayerId.trim()) issues.push({ field: '/payerId', message: 'the payer has no EDI payer id' });
      if (!p.claimFilingIndicatorCode.trim()) issues.push({ field: '/payerId', message: 'the payer has no claim filing indicator (SBR09)' });
      return issues;
    },
  },
  {
    code: 'duplicate-claim',
    severity: 'error',
    description: 'No other claim (not a void) for the same patient, provider, dates of service and codes',
    check: (input) => input.duplicates.map((d) => ({ field: '/lines', message: `claim ${d.patientControlNumber} already bills the same patient, provider, dates and codes` })),
  },
  {
    code: 'void-reference-required',
    severity: 'error',
    description: "A void (frequency 8) carries the payer's claim control number of the claim it voids (REF*F8)",
    check: (input) =>
      input.claim.frequencyCode === '8' && !input.claim.payerClaimControlNumber
        ? [{ field: '/payerClaimControlNumber', message: "a void needs the payer's claim control number of the original" }]
        : [],
  },
  {
    code: 'patient-control-number-length',
    severity: 'error',
    description: 'The patient control number (CLM01) is 1 to 20 characters',
    check: (input) =>
      input.claim.patientControlNumber.length >= 1 && input.claim.patientControlNumber.length <= 20 ? [] : [{ field: '/patientControlNumber', message: 'CLM01 takes 1 to 20 characters' }],
  },
  {
    code: 'provider-not-credentialed',
    severity: 'error',
    description: "The rendering provider (else the billing provider) holds a licence in the practice's state and an enrollment with the claim's payer on each date of service, as HR last announced",
    check: (input) =>
      renderingParties(input).flatMap(({ field, whose, provider, dates }) => {
        const held = input.credentials.get(provider.npi);
        if (!held) return [];
        const issues: FieldIssue[] = [];
        const state = input.practiceState;
        if (state) {
          const unlicensed = dates.filter((d) => !held.licences.some((l) => sameCode(l.state, state) && inEffect(l, d)));
          if (unlicensed.length) issues.push({ field, message: `the ${whose} (${provider.npi}) holds no ${state} licence in effect on ${datesList(unlicensed)}` });
        }
        // Without a payer or its EDI id there is nothing to match (payer-incomplete reports it).
        const payerId = input.payer?.ediPayerId.trim();
        if (payerId) {
          const unenrolled = dates.filter((d) => !held.enrollments.some((e) => sameCode(e.payerId, payerId) && inEffect(e, d)));
          if (unenrolled.length) issues.push({ field, message: `the ${whose} (${provider.npi}) is not enrolled with payer ${payerId} on ${datesList(unenrolled)}` });
        }
        return issues;
      }),
  },

  // ---- Warnings: the claim may go, but a biller should look ---------------------------------------
  {
    code: 'corrected-without-reference',
    severity: 'warning',
    description: "A corrected claim (frequency 7) without the payer's claim control number (REF*F8): fine after a front-end rejection, else the payer may deny it as a duplicate",
    check: (input) =>
      input.claim.frequencyCode === '7' && !input.claim.payerClaimControlNumber
        ? [{ field: '/payerClaimControlNumber', message: "no payer claim control number for the original: the payer may treat the correction as a new claim" }]
        : [],
  },
  {
    code: 'timely-filing',
    severity: 'warning',
    description: "Today is past the payer's timely-filing limit (payer, else the agreement's terms)",
    check: (input) => {
      if (input.timelyFilingDays === null) return [];
      const deadline = addDays(input.claim.serviceDateFrom, input.timelyFilingDays);
      return input.today > deadline ? [{ field: '/serviceDateFrom', message: `past the ${input.timelyFilingDays}-day timely-filing limit (last day ${deadline})` }] : [];
    },
  },
  {
    code: 'icd9-before-transition',
    severity: 'warning',
    description: `ICD-9-CM codes on a date of service before ${ICD10_EFFECTIVE}: accepted, but check the payer still takes them`,
    check: (input) =>
      input.claim.serviceDateFrom < ICD10_EFFECTIVE
        ? input.claim.diagnoses.flatMap((d, i) => (isIcd9(d) ? [{ field: `/diagnoses/${i}/code`, message: `ICD-9-CM code ${d.code} (date of service before ${ICD10_EFFECTIVE})` }] : []))
        : [],
  },
  {
    code: 'provider-credentials-unknown',
    severity: 'warning',
    description: 'HR has announced the credentials of the rendering provider (else the billing provider): without them licence and enrollment are not checked',
    check: (input) =>
      renderingParties(input).flatMap(({ field, whose, provider }) =>
        input.credentials.has(provider.npi) ? [] : [{ field, message: `HR has no credentials on file for the ${whose} (${provider.npi}): licence and payer enrollment not checked` }],
      ),
  },
  {
    code: 'rendering-taxonomy-missing',
    severity: 'warning',
    description: 'The rendering provider has a taxonomy code (PRV*PE), which many payers require',
    check: (input) =>
      namedProviders(input)
        .filter((p) => p.field !== '/billingProviderId')
        .flatMap((p) => {
          const provider = input.providers.get(p.id);
          return provider && !provider.taxonomyCode?.trim() ? [{ field: p.field, message: `the ${p.whose} has no taxonomy code` }] : [];
        }),
  },
  {
    code: 'provider-inactive',
    severity: 'warning',
    description: 'The billing and rendering providers are active',
    check: (input) =>
      namedProviders(input).flatMap((p) => {
        const provider = input.providers.get(p.id);
        return provider && !provider.active ? [{ field: p.field, message: `the ${p.whose} (${provider.npi}) is inactive` }] : [];
      }),
  },
  {
    code: 'duplicate-line',
    severity: 'warning',
    description: 'Two lines bill the same code, modifiers and date: add units or a modifier (59, 76, XS...) or the payer denies one',
    check: (input) => {
      const seen = new Map<string, number>();
      return lines(input).flatMap(({ line, i }) => {
        const key = `${line.serviceDate}|${line.procedureCode}|${[...line.modifiers].sort().join(',')}`;
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, i);
          return [];
        }
        return [{ field: `/lines/${i}`, message: `line ${i + 1} repeats line ${first + 1} (${line.procedureCode} on ${line.serviceDate})` }];
      });
    },
  },
  {
    code: 'modifier-25-without-em',
    severity: 'warning',
    description: 'Modifier 25 belongs on an evaluation and management code (99202–99499)',
    check: (input) =>
      lines(input).flatMap(({ line, i }) => {
        const j = line.modifiers.indexOf('25');
        return j >= 0 && !isEvaluationAndManagement(line.procedureCode) ? [{ field: `/lines/${i}/modifiers/${j}`, message: `modifier 25 on ${line.procedureCode}, which is not an E/M code` }] : [];
      }),
  },
  {
    code: 'em-with-procedure-without-25',
    severity: 'warning',
    description: 'An E/M visit billed on the same day as a procedure usually needs modifier 25',
    check: (input) =>
      lines(input).flatMap(({ line, i }) => {
        if (!isEvaluationAndManagement(line.procedureCode) || line.modifiers.includes('25')) return [];
        const procedureSameDay = input.claim.lines.some((o) => o !== line && o.serviceDate === line.serviceDate && isSurgicalProcedure(o.procedureCode));
        return procedureSameDay ? [{ field: `/lines/${i}/modifiers`, message: `${line.procedureCode} is billed with a procedure on ${line.serviceDate} without modifier 25` }] : [];
      }),
  },
  {
    code: 'duplicate-diagnosis',
    severity: 'warning',
    description: 'A diagnosis code appears once on the claim',
    check: (input) => {
      const seen = new Set<string>();
      return input.claim.diagnoses.flatMap((d, i) => {
        const key = d.code.replace('.', '').toUpperCase();
        if (seen.has(key)) return [{ field: `/diagnoses/${i}/code`, message: `${d.code} is listed twice` }];
        seen.add(key);
        return [];
      });
    },
  },
  {
    code: 'diagnosis-unused',
    severity: 'warning',
    description: 'Every diagnosis on the claim is pointed at by a line',
    check: (input) => {
      const used = new Set(input.claim.lines.flatMap((l) => l.diagnosisPointers));
      return input.claim.diagnoses.flatMap((d, i) => (used.has(i + 1) ? [] : [{ field: `/diagnoses/${i}`, message: `no line points at ${d.code}` }]));
    },
  },
  {
    code: 'referring-npi-missing',
    severity: 'warning',
    description: 'A referring provider carries an NPI (payers require it on referred services)',
    check: (input) => (input.claim.referringProvider && !input.claim.referringProvider.npi ? [{ field: '/referringProvider/npi', message: 'the referring provider has no NPI' }] : []),
  },
];
