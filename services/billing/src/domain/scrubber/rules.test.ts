import { describe, expect, it } from 'vitest';
import { hasErrors, scrub, scrubRules, timelyFilingDaysFor, type ScrubCredentials, type ScrubInput } from './index.js';

const BILLING = '00000000-0000-4000-8000-000000000001';
const RENDERING = '00000000-0000-4000-8000-000000000002';
const OTHER_RENDERING = '00000000-0000-4000-8000-000000000003';
const PATIENT = '00000000-0000-4000-8000-000000000010';
const PAYER = '00000000-0000-4000-8000-000000000020';
const COVERAGE = '00000000-0000-4000-8000-000000000030';
const RENDERING_NPI = '1234567901';
const OTHER_RENDERING_NPI = '1234567919';
const BILLING_NPI = '1234567893';

/** A clean office visit with a same-day injection: no rule fires on it. */
function clean(): ScrubInput {
  return {
    claim: {
      patientControlNumber: 'C23456789AB',
      frequencyCode: '1',
      payerClaimControlNumber: null,
      patientId: PATIENT,
      payerId: PAYER,
      coverageId: COVERAGE,
      billingProviderId: BILLING,
      renderingProviderId: RENDERING,
      referringProvider: null,
      diagnoses: [
        { code: 'E11.9', qualifier: 'ABK' },
        { code: 'I10', qualifier: 'ABF' },
      ],
      serviceDateFrom: '2026-05-20',
      serviceDateTo: '2026-05-20',
      chargeCents: 15_000 + 2_500,
      lines: [
        { procedureCode: '99214', modifiers: ['25'], units: 1, chargeCents: 15_000, diagnosisPointers: [1, 2], serviceDate: '2026-05-20', renderingProviderId: null },
        { procedureCode: '96372', modifiers: [], units: 1, chargeCents: 2_500, diagnosisPointers: [1], serviceDate: '2026-05-20', renderingProviderId: null },
      ],
    },
    providers: new Map([
      [BILLING, { id: BILLING, npi: '1234567893', taxonomyCode: '207Q00000X', kind: 'billing', active: true }],
      [RENDERING, { id: RENDERING, npi: '1234567901', taxonomyCode: '207Q00000X', kind: 'rendering', active: true }],
      [OTHER_RENDERING, { id: OTHER_RENDERING, npi: '1234567919', taxonomyCode: '207R00000X', kind: 'rendering', active: true }],
    ]),
    payer: { id: PAYER, ediPayerId: '60054', claimFilingIndicatorCode: 'CI', active: true },
    coverage: { id: COVERAGE, patientId: PATIENT, payerId: PAYER, memberId: 'W123456789', relationship: 'self', hasSubscriber: false, effectiveFrom: '2026-01-01', effectiveTo: null },
    duplicates: [],
    today: '2026-05-22',
    timelyFilingDays: 90,
    practiceState: 'FL',
    // HR's view of the rendering provider: licensed in FL, enrolled with the payer (EDI id 60054).
    credentials: new Map([[RENDERING_NPI, { licences: [{ state: 'FL', from: '2024-02-01', to: '2028-01-31' }], enrollments: [{ payerId: '60054', from: '2026-01-01', to: null }] }]]),
  };
}

type Case = { rule: string; name: string; change: (i: ScrubInput) => void; fields: string[] };
const line = (i: ScrubInput, n: number) => i.claim.lines[n] as { -readonly [K in keyof ScrubInput['claim']['lines'][number]]: ScrubInput['claim']['lines'][number][K] };
const claim = (i: ScrubInput) => i.claim as { -readonly [K in keyof ScrubInput['claim']]: ScrubInput['claim'][K] };
const withCredentials = (i: ScrubInput, npi: string, held: ScrubCredentials | null) => {
  const next = new Map(i.credentials);
  if (held) next.set(npi, held);
  else next.delete(npi);
  (i as { credentials: ScrubInput['credentials'] }).credentials = next;
};
const licensedFl = { state: 'FL', from: '2024-02-01', to: '2028-01-31' };
const enrolled60054 = { payerId: '60054', from: '2026-01-01', to: null };
const withProvider = (i: ScrubInput, id: string, change: Record<string, unknown>) => {
  (i as { providers: ScrubInput['providers'] }).providers = new Map([...i.providers, [id, { ...i.providers.get(id)!, ...change }]]);
};

// One row (at least) per rule of the table: the change that makes it fire, and the fields it names.
const cases: Case[] = [
  { rule: 'npi-check-digit', name: 'billing NPI with a wrong check digit', change: (i) => withProvider(i, BILLING, { npi: '1234567890' }), fields: ['/billingProviderId'] },
  { rule: 'npi-check-digit', name: 'rendering NPI with a wrong check digit', change: (i) => withProvider(i, RENDERING, { npi: '1234567894' }), fields: ['/renderingProviderId'] },
  { rule: 'npi-check-digit', name: 'referring NPI with a wrong check digit', change: (i) => (claim(i).referringProvider = { npi: '1999999999', lastName: 'Ruiz', firstName: 'Ana' }), fields: ['/referringProvider/npi'] },
  {
    rule: 'npi-check-digit',
    name: "a line's own rendering provider with a wrong NPI",
    change: (i) => {
      withProvider(i, OTHER_RENDERING, { npi: '1234567918' });
      line(i, 1).renderingProviderId = OTHER_RENDERING;
    },
    fields: ['/lines/1/renderingProviderId'],
  },
  { rule: 'provider-missing', name: 'rendering provider not in master data', change: (i) => (claim(i).renderingProviderId = '00000000-0000-4000-8000-0000000000ff'), fields: ['/renderingProviderId'] },
  { rule: 'billing-provider-kind', name: 'a rendering provider billed as the billing provider', change: (i) => (claim(i).billingProviderId = RENDERING), fields: ['/billingProviderId'] },
  {
    rule: 'diagnosis-required',
    name: 'no diagnosis',
    change: (i) => {
      claim(i).diagnoses = [];
    },
    fields: ['/diagnoses'],
  },
  { rule: 'icd10-format', name: 'malformed ICD-10-CM code', change: (i) => (claim(i).diagnoses = [{ code: '11.9E', qualifier: 'ABK' }, i.claim.diagnoses[1]!]), fields: ['/diagnoses/0/code'] },
  {
    rule: 'icd9-format',
    name: 'malformed ICD-9-CM code',
    change: (i) => {
      claim(i).serviceDateFrom = claim(i).serviceDateTo = '2015-06-01';
      claim(i).lines = i.claim.lines.map((l) => ({ ...l, serviceDate: '2015-06-01' }));
      claim(i).diagnoses = [{ code: '250.00', qualifier: 'BK' }, { code: 'E11.9', qualifier: 'BF' }];
      i.timelyFilingDays = null;
    },
    fields: ['/diagnoses/1/code'],
  },
  { rule: 'icd9-after-transition', name: 'ICD-9 qualifier on a 2026 date of service', change: (i) => (claim(i).diagnoses = [{ code: '250.00', qualifier: 'BK' }, i.claim.diagnoses[1]!]), fields: ['/diagnoses/0/qualifier'] },
  {
    rule: 'icd10-before-transition',
    name: 'ICD-10 codes on a 2015-09-30 date of service',
    change: (i) => {
      claim(i).serviceDateFrom = claim(i).serviceDateTo = '2015-09-30';
      claim(i).lines = i.claim.lines.map((l) => ({ ...l, serviceDate: '2015-09-30' }));
      i.timelyFilingDays = null;
    },
    fields: ['/diagnoses/0/qualifier', '/diagnoses/1/qualifier'],
  },
  { rule: 'procedure-format', name: 'procedure code not CPT/HCPCS', change: (i) => (line(i, 1).procedureCode = '9637'), fields: ['/lines/1/procedureCode'] },
  { rule: 'modifier-format', name: 'lowercase modifier', change: (i) => (line(i, 1).modifiers = ['rt']), fields: ['/lines/1/modifiers/0'] },
  { rule: 'pointer-required', name: 'a line without pointers', change: (i) => (line(i, 1).diagnosisPointers = []), fields: ['/lines/1/diagnosisPointers'] },
  { rule: 'pointer-no-diagnosis', name: 'pointer 3 on a claim with two diagnoses', change: (i) => (line(i, 0).diagnosisPointers = [1, 3]), fields: ['/lines/0/diagnosisPointers/1'] },
  { rule: 'units-positive', name: 'zero units', change: (i) => (line(i, 1).units = 0), fields: ['/lines/1/units'] },
  {
    rule: 'charge-positive',
    name: 'a line charging nothing',
    change: (i) => {
      line(i, 1).chargeCents = 0;
      claim(i).chargeCents = 15_000;
    },
    fields: ['/lines/1/chargeCents'],
  },
  { rule: 'charge-mismatch', name: "claim charge is not the sum of its lines'", change: (i) => (claim(i).chargeCents = 17_600), fields: ['/chargeCents'] },
  {
    rule: 'lines-required',
    name: 'no lines',
    change: (i) => {
      claim(i).lines = [];
      claim(i).chargeCents = 0;
    },
    fields: ['/lines'],
  },
  {
    rule: 'future-date-of-service',
    name: 'a date of service after today',
    change: (i) => {
      claim(i).serviceDateTo = '2026-05-23';
      line(i, 1).serviceDate = '2026-05-23';
    },
    fields: ['/serviceDateTo', '/lines/1/serviceDate'],
  },
  { rule: 'service-date-outside-claim', name: "a line outside the claim's period", change: (i) => (line(i, 1).serviceDate = '2026-05-19'), fields: ['/lines/1/serviceDate'] },
  {
    rule: 'coverage-missing',
    name: 'no coverage',
    change: (i) => {
      claim(i).coverageId = null;
      i.coverage = null;
    },
    fields: ['/coverageId'],
  },
  { rule: 'subscriber-incomplete', name: 'child of the subscriber without subscriber data', change: (i) => (i.coverage = { ...i.coverage!, relationship: 'child', hasSubscriber: false }), fields: ['/coverageId'] },
  { rule: 'subscriber-incomplete', name: "coverage of another payer than the claim's", change: (i) => (i.coverage = { ...i.coverage!, payerId: '00000000-0000-4000-8000-000000000021' }), fields: ['/payerId'] },
  { rule: 'coverage-not-in-effect', name: 'coverage ended before the date of service', change: (i) => (i.coverage = { ...i.coverage!, effectiveTo: '2026-04-30' }), fields: ['/coverageId'] },
  { rule: 'payer-incomplete', name: 'payer inactive', change: (i) => (i.payer = { ...i.payer!, active: false }), fields: ['/payerId'] },
  { rule: 'payer-incomplete', name: 'payer record missing', change: (i) => (i.payer = null), fields: ['/payerId'] },
  { rule: 'duplicate-claim', name: 'another claim with the same key', change: (i) => (i.duplicates = [{ id: '00000000-0000-4000-8000-000000000099', patientControlNumber: 'CEARLIER01' }]), fields: ['/lines'] },
  { rule: 'void-reference-required', name: 'a void without REF*F8', change: (i) => (claim(i).frequencyCode = '8'), fields: ['/payerClaimControlNumber'] },
  {
    rule: 'provider-not-credentialed',
    name: 'the licence lapsed the day before the date of service',
    change: (i) => withCredentials(i, RENDERING_NPI, { licences: [{ ...licensedFl, to: '2026-05-19' }], enrollments: [enrolled60054] }),
    fields: ['/renderingProviderId'],
  },
  {
    rule: 'provider-not-credentialed',
    name: "licensed only in another state than the practice's",
    change: (i) => withCredentials(i, RENDERING_NPI, { licences: [{ ...licensedFl, state: 'GA' }], enrollments: [enrolled60054] }),
    fields: ['/renderingProviderId'],
  },
  {
    rule: 'provider-not-credentialed',
    name: "enrolled with another payer only, not the claim's",
    change: (i) => withCredentials(i, RENDERING_NPI, { licences: [licensedFl], enrollments: [{ ...enrolled60054, payerId: '87726' }] }),
    fields: ['/renderingProviderId'],
  },
  {
    rule: 'provider-not-credentialed',
    name: 'the enrollment starts after the date of service',
    change: (i) => withCredentials(i, RENDERING_NPI, { licences: [licensedFl], enrollments: [{ ...enrolled60054, from: '2026-06-01' }] }),
    fields: ['/renderingProviderId'],
  },
  {
    rule: 'provider-not-credentialed',
    name: 'no rendering provider on the claim: the billing provider renders, unlicensed',
    change: (i) => {
      claim(i).renderingProviderId = null;
      withCredentials(i, BILLING_NPI, { licences: [], enrollments: [enrolled60054] });
    },
    fields: ['/billingProviderId'],
  },
  {
    rule: 'provider-not-credentialed',
    name: "a line's own rendering provider, not enrolled on that line's date",
    change: (i) => {
      line(i, 1).renderingProviderId = OTHER_RENDERING;
      withCredentials(i, OTHER_RENDERING_NPI, { licences: [licensedFl], enrollments: [{ ...enrolled60054, to: '2026-05-19' }] });
    },
    fields: ['/lines/1/renderingProviderId'],
  },
  {
    rule: 'provider-credentials-unknown',
    name: 'a rendering provider HR has never announced',
    change: (i) => withCredentials(i, RENDERING_NPI, null),
    fields: ['/renderingProviderId'],
  },
  {
    rule: 'provider-credentials-unknown',
    name: 'no rendering provider and a billing provider HR has never announced',
    change: (i) => (claim(i).renderingProviderId = null),
    fields: ['/billingProviderId'],
  },
  { rule: 'corrected-without-reference', name: 'a corrected claim without REF*F8', change: (i) => (claim(i).frequencyCode = '7'), fields: ['/payerClaimControlNumber'] },
  { rule: 'patient-control-number-length', name: 'a 21-character PCN', change: (i) => (claim(i).patientControlNumber = 'C'.repeat(21)), fields: ['/patientControlNumber'] },
  { rule: 'timely-filing', name: 'filed 91 days after the date of service with a 90-day limit', change: (i) => (i.today = '2026-08-19'), fields: ['/serviceDateFrom'] },
  {
    rule: 'icd9-before-transition',
    name: 'ICD-9 codes on a 2015 date of service',
    change: (i) => {
      claim(i).serviceDateFrom = claim(i).serviceDateTo = '2015-06-01';
      claim(i).lines = i.claim.lines.map((l) => ({ ...l, serviceDate: '2015-06-01' }));
      claim(i).diagnoses = [{ code: '250.00', qualifier: 'BK' }, { code: '401.9', qualifier: 'BF' }];
      i.timelyFilingDays = null;
    },
    fields: ['/diagnoses/0/code', '/diagnoses/1/code'],
  },
  { rule: 'rendering-taxonomy-missing', name: 'rendering provider without taxonomy', change: (i) => withProvider(i, RENDERING, { taxonomyCode: null }), fields: ['/renderingProviderId'] },
  { rule: 'provider-inactive', name: 'rendering provider inactive', change: (i) => withProvider(i, RENDERING, { active: false }), fields: ['/renderingProviderId'] },
  {
    rule: 'duplicate-line',
    name: 'the injection billed twice',
    change: (i) => {
      claim(i).lines = [...i.claim.lines, { ...i.claim.lines[1]! }];
      claim(i).chargeCents += 2_500;
    },
    fields: ['/lines/2'],
  },
  { rule: 'modifier-25-without-em', name: 'modifier 25 on an injection', change: (i) => (line(i, 1).modifiers = ['25']), fields: ['/lines/1/modifiers/0'] },
  {
    rule: 'em-with-procedure-without-25',
    name: 'office visit with a same-day biopsy and no 25',
    change: (i) => {
      line(i, 0).modifiers = [];
      line(i, 1).procedureCode = '11102';
    },
    fields: ['/lines/0/modifiers'],
  },
  { rule: 'duplicate-diagnosis', name: 'E11.9 twice (with and without the dot)', change: (i) => (claim(i).diagnoses = [...i.claim.diagnoses, { code: 'E119', qualifier: 'ABF' }]), fields: ['/diagnoses/2/code', '/diagnoses/2'] },
  { rule: 'diagnosis-unused', name: 'a diagnosis no line points at', change: (i) => (claim(i).diagnoses = [...i.claim.diagnoses, { code: 'Z79.4', qualifier: 'ABF' }]), fields: ['/diagnoses/2'] },
  { rule: 'referring-npi-missing', name: 'referring provider without NPI', change: (i) => (claim(i).referringProvider = { npi: null, lastName: 'Ruiz', firstName: null }), fields: ['/referringProvider/npi'] },
];

describe('scrubber rules', () => {
  it('finds nothing on a clean claim', () => {
    expect(scrub(clean())).toEqual([]);
  });

  it('has a case below for every rule of the table', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(scrubRules.map((r) => r.code)));
    expect(new Set(scrubRules.map((r) => r.code)).size).toBe(scrubRules.length);
  });

  it.each(cases)('$rule: $name', ({ rule, change, fields }) => {
    const input = clean();
    change(input);
    const findings = scrub(input);
    const own = findings.filter((f) => f.code === rule);
    const severity = scrubRules.find((r) => r.code === rule)!.severity;
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((f) => f.severity === severity && f.message.length > 0)).toBe(true);
    // The fields the rule names; other rules may fire on the same change (listed fields only).
    expect(own.map((f) => f.field).sort()).toEqual(fields.filter((f) => own.some((o) => o.field === f)).sort());
    expect(own.map((f) => f.field)).toEqual(expect.arrayContaining([fields[0]]));
  });
});

describe('provider-not-credentialed', () => {
  const codes = (i: ScrubInput) => scrub(i).map((f) => f.code);

  it('is an error for a lapsed licence and only a warning for a provider HR never announced', () => {
    const lapsed = clean();
    withCredentials(lapsed, RENDERING_NPI, { licences: [{ ...licensedFl, to: '2026-05-19' }], enrollments: [enrolled60054] });
    expect(hasErrors(scrub(lapsed))).toBe(true);
    expect(scrub(lapsed).find((f) => f.code === 'provider-not-credentialed')!.message).toMatch(/no FL licence in effect on 2026-05-20/);
    const unknown = clean();
    withCredentials(unknown, RENDERING_NPI, null);
    expect(scrub(unknown).map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:provider-credentials-unknown']);
  });

  it('counts the first and last day of a licence and an enrollment as in effect', () => {
    const input = clean();
    withCredentials(input, RENDERING_NPI, { licences: [{ ...licensedFl, to: '2026-05-20' }], enrollments: [{ ...enrolled60054, from: '2026-05-20', to: '2026-05-20' }] });
    expect(scrub(input)).toEqual([]);
  });

  it('reports both a missing licence and a missing enrollment, naming the dates of a multi-day claim that are not covered', () => {
    const input = clean();
    claim(input).serviceDateFrom = '2026-05-19';
    line(input, 0).serviceDate = '2026-05-19';
    withCredentials(input, RENDERING_NPI, { licences: [{ ...licensedFl, from: '2026-05-20' }], enrollments: [{ ...enrolled60054, to: '2026-05-19' }] });
    const messages = scrub(input).filter((f) => f.code === 'provider-not-credentialed').map((f) => f.message);
    expect(messages).toEqual([expect.stringMatching(/no FL licence in effect on 2026-05-19$/), expect.stringMatching(/not enrolled with payer 60054 on 2026-05-20$/)]);
  });

  it('matches states and EDI payer ids whatever their case, and skips the licence without a practice state', () => {
    const input = clean();
    withCredentials(input, RENDERING_NPI, { licences: [{ ...licensedFl, state: 'fl' }], enrollments: [{ ...enrolled60054, payerId: ' 60054 ' }] });
    expect(codes(input)).toEqual([]);
    const stateless = clean();
    stateless.practiceState = null;
    withCredentials(stateless, RENDERING_NPI, { licences: [], enrollments: [enrolled60054] });
    expect(codes(stateless)).toEqual([]);
  });

  it('leaves the enrollment to payer-incomplete when the payer is missing or has no EDI id', () => {
    const input = clean();
    input.payer = { ...input.payer!, ediPayerId: '' };
    withCredentials(input, RENDERING_NPI, { licences: [licensedFl], enrollments: [] });
    expect(codes(input)).not.toContain('provider-not-credentialed');
  });
});

describe('scrub', () => {
  it('reports every finding at once, errors before warnings', () => {
    const input = clean();
    line(input, 1).units = 0;
    line(input, 1).modifiers = ['25'];
    input.today = '2026-09-01';
    withProvider(input, BILLING, { npi: '1234567890' });
    const findings = scrub(input);
    expect(findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['error:npi-check-digit', 'error:units-positive', 'warning:timely-filing', 'warning:modifier-25-without-em']);
    expect(hasErrors(findings)).toBe(true);
    expect(hasErrors(findings.filter((f) => f.severity === 'warning'))).toBe(false);
  });

  it("takes the payer's timely-filing limit, else the agreement's for the payer, else the agreement's", () => {
    expect(timelyFilingDaysFor({ id: PAYER, timelyFilingDays: 365 }, { timelyFilingDays: 90, timelyFilingDaysByPayer: { [PAYER]: 180 } })).toBe(365);
    expect(timelyFilingDaysFor({ id: PAYER, timelyFilingDays: null }, { timelyFilingDays: 90, timelyFilingDaysByPayer: { [PAYER]: 180 } })).toBe(180);
    expect(timelyFilingDaysFor({ id: PAYER, timelyFilingDays: null }, { timelyFilingDays: 90 })).toBe(90);
    expect(timelyFilingDaysFor({ id: PAYER, timelyFilingDays: null }, undefined)).toBeNull();
  });

  it('treats the last day of the timely-filing limit as in time', () => {
    const input = clean();
    input.today = '2026-08-18'; // 2026-05-20 + 90 days
    expect(scrub(input)).toEqual([]);
  });
});
