import fc from 'fast-check';
import { X12Parser } from 'node-x12';
import { describe, expect, it } from 'vitest';
import { X12Error, parse837P, tokenize, write837P, type Address, type Claim837, type Provider837, type Write837Input } from './index.js';

const ADDRESS: Address = { line1: '1 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' };

function claim(overrides: Partial<Claim837> = {}): Claim837 {
  return {
    patientControlNumber: 'PCN-1',
    chargeCents: 15000,
    frequencyCode: '1',
    placeOfService: '11',
    diagnoses: [
      { qualifier: 'ABK', code: 'E119' },
      { qualifier: 'ABF', code: 'I10' },
    ],
    billingProvider: { name: 'ACME CLINIC', npi: '1234567893', taxId: '123456789', taxonomy: '207Q00000X', address: ADDRESS },
    subscriber: { lastName: 'DOE', firstName: 'JOHN', memberId: 'M123', relationship: '18', dateOfBirth: '1980-01-31', gender: 'M', address: ADDRESS },
    payer: { name: 'HEALTH PLAN', id: 'HP001' },
    lines: [
      {
        procedure: { qualifier: 'HC', code: '99213', modifiers: ['25'] },
        chargeCents: 10000,
        units: 1,
        unitType: 'UN',
        diagnosisPointers: [1, 2],
        serviceDate: '2024-02-15',
        lineControlNumber: 'L1',
      },
      {
        procedure: { qualifier: 'HC', code: '36415', modifiers: [] },
        chargeCents: 5000,
        units: 1,
        unitType: 'UN',
        diagnosisPointers: [1],
        serviceDate: '2024-02-15',
      },
    ],
    ...overrides,
  };
}

function input(claims: Claim837[], extra: Partial<Write837Input> = {}): Write837Input {
  return {
    submitter: { name: 'ACME CLINIC', id: 'SUB01', contactName: 'BILLING', phone: '5555551212' },
    receiver: { name: 'CLEARINGHOUSE', id: 'CH01' },
    interchange: { senderId: 'SUB01', receiverId: 'CH01', controlNumber: 17, usage: 'T', date: '2024-03-01', time: '09:30' },
    claims,
    ...extra,
  };
}

const DEPENDENT = { lastName: 'DOE', firstName: 'JANE', relationship: '19', dateOfBirth: '2015-06-01', gender: 'F', address: ADDRESS };

describe('write837P envelope and hierarchy', () => {
  const claims = [
    claim(),
    claim({ patientControlNumber: 'PCN-2' }),
    claim({ patientControlNumber: 'PCN-3', subscriber: { ...claim().subscriber, relationship: '' }, patient: DEPENDENT }),
    claim({ patientControlNumber: 'PCN-4', billingProvider: { ...claim().billingProvider, npi: '1245319599' } }),
  ];
  const text = write837P(input(claims));
  const segs = tokenize(text);

  it('writes a fixed-width ISA and the control numbers and counts', () => {
    expect(text.indexOf('~')).toBe(105);
    expect(text.slice(0, 106)).toBe('ISA*00*          *00*          *ZZ*SUB01          *ZZ*CH01           *240301*0930*^*00501*000000017*0*T*:~');
    const st = segs.findIndex((s) => s.id === 'ST');
    const se = segs.findIndex((s) => s.id === 'SE');
    expect(segs[se]?.elements).toEqual([String(se - st + 1), '0001']);
    expect(segs[st]?.elements).toEqual(['837', '0001', '005010X222A1']);
    expect(segs.find((s) => s.id === 'GS')?.elements).toEqual(['HC', 'SUB01', 'CH01', '20240301', '0930', '17', 'X', '005010X222A1']);
    expect(segs.find((s) => s.id === 'GE')?.elements).toEqual(['1', '17']);
    expect(segs.find((s) => s.id === 'IEA')?.elements).toEqual(['1', '000000017']);
    expect(segs.find((s) => s.id === 'BHT')?.elements).toEqual(['0019', '00', '17', '20240301', '0930', 'CH']);
  });

  it('builds the HL hierarchy: 20 per billing provider, 22 per subscriber, 23 when the patient differs', () => {
    const hl = segs.filter((s) => s.id === 'HL').map((s) => s.elements);
    expect(hl).toEqual([
      ['1', '', '20', '1'],
      ['2', '1', '22', '0'],
      ['3', '1', '22', '1'],
      ['4', '3', '23', '0'],
      ['5', '', '20', '1'],
      ['6', '5', '22', '0'],
    ]);
    expect(segs.filter((s) => s.id === 'CLM')).toHaveLength(4);
    expect(segs.find((s) => s.id === 'PAT')?.elements).toEqual(['19']);
  });

  it('reads back to the same claims, without warnings', () => {
    const back = parse837P(text);
    expect(back.warnings).toEqual([]);
    expect(back.claims).toStrictEqual(claims);
  });

  it('is accepted by node-x12 in strict mode', () => {
    const parser = new X12Parser(true);
    const interchange = parser.parse(text) as { functionalGroups: { transactions: { segments: unknown[] }[] }[] };
    expect(parser.diagnostics).toEqual([]);
    expect(interchange.functionalGroups[0]?.transactions[0]?.segments.length).toBe(segs.length - 6);
  });

  it('is deterministic and takes its date from the input', () => {
    expect(write837P(input(claims))).toBe(text);
    const dated = write837P(input(claims, { interchange: { ...input([]).interchange, date: new Date('2023-12-31T23:05:00Z'), time: undefined } }));
    expect(dated.slice(70, 81)).toBe('231231*2305');
    const base = input([]).interchange;
    const stamp = (interchange: Partial<Write837Input['interchange']>) =>
      tokenize(write837P(input(claims, { interchange: { ...base, time: undefined, ...interchange } })))[1]?.elements.slice(3, 5);
    expect(stamp({ date: '20240229' })).toEqual(['20240229', '0000']);
    expect(stamp({ date: '2024-02-29T07:45:59Z' })).toEqual(['20240229', '0745']);
    expect(stamp({ date: '2024-02-29', time: '23:59:30' })).toEqual(['20240229', '2359']);
    expect(() => stamp({ date: '2023-02-29' })).toThrow(expect.objectContaining({ code: 'invalid-date', segmentId: 'ISA' }));
    expect(() => stamp({ date: '2024-02-29', time: '24:00' })).toThrow(expect.objectContaining({ code: 'invalid-date' }));
    const undated = write837P(input(claims, { interchange: { senderId: 'A', receiverId: 'B', controlNumber: 1, usage: 'P' } }));
    expect(tokenize(undated)[1]?.elements.slice(3, 5)).toEqual(['20240215', '0000']);
  });

  it('splits large batches into several transactions with their own SE counts', () => {
    const many = Array.from({ length: 7 }, (_, i) => claim({ patientControlNumber: `P${i}` }));
    const out = write837P(input(many, { maxClaimsPerTransaction: 3, lineBreaks: true }));
    expect(out.split('\n')[0]).toHaveLength(106);
    const t = tokenize(out);
    expect(t.filter((s) => s.id === 'ST').map((s) => s.elements[1])).toEqual(['0001', '0002', '0003']);
    expect(t.find((s) => s.id === 'GE')?.elements[0]).toBe('3');
    const back = parse837P(out);
    expect(back.warnings).toEqual([]);
    expect(back.claims).toStrictEqual(many);
    expect(new X12Parser(true).parse(out)).toBeTruthy();
  });

  it('writes with other delimiters', () => {
    const out = write837P(input(claims, { separators: { element: '|', component: '>', repetition: '!', segment: '\n' } }));
    expect(out).toContain('SV1|HC>99213>25|100|UN|1|||1>2\n');
    expect(parse837P(out).claims).toStrictEqual(claims);
  });
});

describe('write837P rejects what it cannot write', () => {
  const fail = (c: Claim837, extra: Partial<Write837Input> = {}): X12Error => {
    try {
      write837P(input([c], extra));
    } catch (e) {
      if (e instanceof X12Error) return e;
      throw e;
    }
    throw new Error('expected an X12Error');
  };

  it('delimiters inside data, bad dates, amounts and pointers, missing values', () => {
    expect(fail(claim({ patientControlNumber: 'A*B' }))).toMatchObject({ code: 'invalid-character', segmentId: 'CLM' });
    expect(fail(claim({ patientControlNumber: 'A~B' })).message).toContain('claims[0].patientControlNumber');
    expect(fail(claim({ patientControlNumber: '' }))).toMatchObject({ code: 'missing-element' });
    expect(fail(claim({ referringProvider: { lastName: 'REF', taxonomy: '207Q00000X' } }))).toMatchObject({ code: 'unsupported-value', segmentId: 'NM1' });
    expect(fail(claim({ chargeCents: 10.5 }))).toMatchObject({ code: 'invalid-amount' });
    expect(fail(claim({ chargeCents: 1e15 }))).toMatchObject({ code: 'invalid-amount', segmentId: 'CLM' });
    const line = claim().lines[0] as Claim837['lines'][number];
    expect(fail(claim({ lines: [{ ...line, serviceDate: '2024-02-30' }] }))).toMatchObject({ code: 'invalid-date', segmentId: 'DTP' });
    expect(fail(claim({ lines: [{ ...line, diagnosisPointers: [1, 2, 3, 4, 5] }] }))).toMatchObject({ code: 'invalid-number', segmentId: 'SV1' });
    expect(fail(claim(), { interchange: { senderId: 'X'.repeat(16), receiverId: 'B', controlNumber: 1, usage: 'T', date: '2024-01-01' } })).toMatchObject({
      code: 'invalid-character',
      segmentId: 'ISA',
    });
    expect(fail(claim(), { interchange: { senderId: 'A', receiverId: 'B', controlNumber: 0, usage: 'T', date: '2024-01-01' } })).toMatchObject({ code: 'invalid-number' });
  });

  // found by fuzzing: each was written (or threw a RangeError) where parse837P could not read it back
  it('units that are not an X12 decimal of at most 15 digits: tiny, huge, exponent notation', () => {
    const line = claim().lines[0] as Claim837['lines'][number];
    for (const units of [1e-21, Number.MIN_VALUE, 1e21, -1e21, Number.MAX_VALUE, 1e15, 0.1234567890123456]) {
      const e = fail(claim({ lines: [{ ...line, units }] }));
      expect(e).toMatchObject({ code: 'invalid-number', segmentId: 'SV1' });
      expect(e.message).toContain('claims[0].lines[0].units');
    }
    const written = write837P(input([claim({ lines: [{ ...line, units: 123456789012345 }, claim().lines[1]!] })]));
    expect(parse837P(written).claims[0]?.lines[0]?.units).toBe(123456789012345);
  });

  it('diagnosis qualifiers other than ABK, ABF, BK and BF (parse837P would drop the code)', () => {
    for (const qualifier of ['ZZ', 'abk', ' ', 'APR']) {
      const e = fail(claim({ diagnoses: [{ qualifier, code: 'E119' }, { qualifier: 'ABF', code: 'I10' }] }));
      expect(e).toMatchObject({ code: 'unsupported-value', segmentId: 'HI' });
      expect(e.message).toContain('claims[0].diagnoses[0].qualifier');
    }
    const icd9 = write837P(input([claim({ diagnoses: [{ qualifier: 'BK', code: '25000' }, { qualifier: 'BF', code: '4019' }] })]));
    expect(parse837P(icd9).claims[0]?.diagnoses).toEqual([{ qualifier: 'BK', code: '25000' }, { qualifier: 'BF', code: '4019' }]);
  });
});

// ---- property-based round trip ----

const text = (max: number) => fc.stringMatching(new RegExp(`^[A-Z0-9][A-Z0-9 .#/-]{0,${max - 1}}$`));
const word = (max: number) => fc.stringMatching(new RegExp(`^[A-Z][A-Z0-9]{0,${max - 1}}$`));
const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const isoDate = fc
  .date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const address: fc.Arbitrary<Address> = fc.record(
  { line1: text(30), line2: text(20), city: text(20), state: word(2), postalCode: digits(9), countryCode: word(2) },
  { requiredKeys: ['line1', 'city', 'state', 'postalCode'] },
);
const provider: fc.Arbitrary<Provider837> = fc.record(
  { lastName: text(20), firstName: fc.oneof(text(12), fc.constant('')), middleName: word(5), suffix: word(3), npi: digits(10), taxonomy: digits(10) },
  { requiredKeys: ['lastName'] },
);
const procedure = fc.record(
  {
    qualifier: fc.constantFrom('HC', 'WK', 'ER'),
    code: word(5),
    modifiers: fc.array(fc.stringMatching(/^[A-Z0-9]{2}$/), { maxLength: 4 }),
    description: text(20),
  },
  { requiredKeys: ['qualifier', 'code', 'modifiers'] },
);

const dated = (qualifiers: string[]) =>
  fc.record({ qualifier: fc.constantFrom(...qualifiers), date: isoDate, endDate: isoDate }, { requiredKeys: ['qualifier', 'date'] });

const claimArb: fc.Arbitrary<Claim837> = fc
  .record({
    claim: fc.record(
      {
        patientControlNumber: text(20),
        frequencyCode: fc.constantFrom('1', '7', '8'),
        placeOfService: fc.constantFrom('11', '22', '02', '10'),
        priorAuthorization: text(15),
        referralNumber: text(15),
        payerClaimControlNumber: text(15),
        medicalRecordNumber: text(15),
        patientPaidCents: fc.integer({ min: 0, max: 100_000 }),
        claimFilingIndicator: fc.constantFrom('CI', 'MB', 'MC', '12', 'BL'),
        payerResponsibility: fc.constantFrom('S', 'T', 'A'),
        providerSignature: fc.constant('N'),
        assignmentParticipation: fc.constantFrom('B', 'C'),
        benefitsAssignment: fc.constantFrom('N', 'W'),
        releaseOfInformation: fc.constant('I'),
        patientSignatureSource: fc.constant('P'),
        renderingProvider: provider,
        referringProvider: provider.map(({ taxonomy: _t, ...p }) => p),
        facility: fc.record({ name: text(20), npi: digits(10), address }, { requiredKeys: ['name', 'address'] }),
        dates: fc.array(dated(['431', '454', '304', '453', '439', '484', '455', '471', '314', '360', '361', '297', '296', '435', '096', '090', '091', '444', '050']), { minLength: 1, maxLength: 4 }),
      },
      { requiredKeys: ['patientControlNumber', 'frequencyCode', 'placeOfService'] },
    ),
    diagnoses: fc.array(fc.stringMatching(/^[A-Z][0-9]{2}[0-9A-Z]{0,4}$/), { minLength: 1, maxLength: 12 }),
    billingProvider: fc.record(
      { name: text(30), firstName: text(12), npi: digits(10), taxId: digits(9), taxonomy: digits(10), address, payToAddress: address },
      { requiredKeys: ['name', 'npi', 'address'] },
    ),
    subscriber: fc.record(
      {
        lastName: text(20),
        firstName: fc.oneof(text(12), fc.constant('')),
        middleName: word(5),
        suffix: word(3),
        memberId: text(15),
        dateOfBirth: isoDate,
        gender: fc.constantFrom('F', 'M', 'U'),
        address,
        groupNumber: text(10),
        groupName: text(20),
      },
      { requiredKeys: ['lastName', 'firstName', 'memberId'] },
    ),
    patient: fc.option(
      fc.record(
        {
          lastName: text(20),
          firstName: text(12),
          middleName: word(5),
          suffix: word(3),
          relationship: fc.constantFrom('01', '19', '20', '21', 'G8'),
          dateOfBirth: isoDate,
          gender: fc.constantFrom('F', 'M', 'U'),
          address,
        },
        { requiredKeys: ['lastName', 'firstName', 'relationship'] },
      ),
      { nil: undefined },
    ),
    payer: fc.record({ name: text(30), id: text(10), address }, { requiredKeys: ['name', 'id'] }),
    lines: fc.array(
      fc.record(
        {
          line: fc.record(
            {
              procedure,
              chargeCents: fc.integer({ min: 0, max: 10_000_000 }),
              units: fc.oneof(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 99_999 }).map((n) => n / 100)),
              unitType: fc.constantFrom('UN', 'MJ'),
              serviceDate: isoDate,
              placeOfService: fc.constantFrom('11', '22'),
              emergency: fc.constant(true),
              lineControlNumber: text(20),
              dates: fc.array(dated(['471', '607', '463', '461', '304', '738', '739', '011', '455']), { minLength: 1, maxLength: 3 }),
              renderingProvider: provider,
            },
            { requiredKeys: ['procedure', 'chargeCents', 'units', 'unitType', 'serviceDate'] },
          ),
          pointers: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 4 }),
          end: fc.option(isoDate, { nil: undefined }),
        },
      ),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ claim: c, diagnoses, billingProvider, subscriber, patient, payer, lines }) => {
    const out: Claim837 = {
      ...c,
      chargeCents: 0,
      diagnoses: diagnoses.map((code, i) => ({ qualifier: i === 0 ? 'ABK' : 'ABF', code })),
      billingProvider,
      subscriber: { ...subscriber, relationship: patient ? '' : '18' },
      payer,
      lines: lines.map(({ line, pointers, end }) => {
        const l = { ...line, diagnosisPointers: pointers.map((p) => ((p - 1) % diagnoses.length) + 1).filter((p, i, a) => a.indexOf(p) === i) };
        return end === undefined ? l : { ...l, serviceDateEnd: end };
      }),
    };
    if (patient) out.patient = patient;
    out.chargeCents = out.lines.reduce((a, l) => a + l.chargeCents, 0);
    // fast-check records may have a null prototype: compare plain objects
    return structuredClone(out);
  });

describe('write837P → parse837P round trip (property-based)', () => {
  it('gives back the generated claims exactly, with no warnings', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 999_999_999 }), fc.constantFrom('T', 'P'), (claims, control, usage) => {
        const out = write837P(input(claims, { interchange: { senderId: 'SENDER', receiverId: 'RECEIVER', controlNumber: control, usage, date: '2024-03-01' } }));
        const back = parse837P(out);
        expect(back.warnings).toEqual([]);
        expect(back.claims).toStrictEqual(claims);
      }),
      { numRuns: 120 },
    );
  }, 90_000);

  it('every generated file passes node-x12 strict parsing', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { minLength: 1, maxLength: 4 }), (claims) => {
        const parser = new X12Parser(true);
        parser.parse(write837P(input(claims)));
        expect(parser.diagnostics).toEqual([]);
      }),
      { numRuns: 40 },
    );
  }, 90_000);
});
