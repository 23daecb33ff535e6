import { describe, expect, it } from 'vitest';
import { X12Error, parse837P, type Claim837 } from './index.js';
import { envelope, joinSegments, type Delimiters } from './testing/fixtures.js';

const HEADER = [
  'BHT*0019*00*REF1*20240301*1200*CH',
  'NM1*41*2*ACME CLINIC*****46*SUB01',
  'PER*IC*BILLING*TE*5555551212',
  'NM1*40*2*CLEARINGHOUSE*****46*CH01',
];
const BILLING = [
  'HL*1**20*1',
  'PRV*BI*PXC*207Q00000X',
  'NM1*85*2*ACME CLINIC*****XX*1234567893',
  'N3*1 MAIN ST*SUITE 2',
  'N4*SPRINGFIELD*IL*627010001',
  'REF*EI*123456789',
  'NM1*87*2',
  'N3*PO BOX 9',
  'N4*SPRINGFIELD*IL*62702',
];
const SUBSCRIBER_NOT_PATIENT = [
  'HL*2*1*22*1',
  'SBR*P**GRP01*ACME GROUP*****CI',
  'NM1*IL*1*DOE*JOHN*Q***MI*M123',
  'N3*2 ELM ST',
  'N4*SPRINGFIELD*IL*62704',
  'DMG*D8*19800131*M',
  'NM1*PR*2*HEALTH PLAN*****PI*HP001',
];
const PATIENT = ['HL*3*2*23*0', 'PAT*19', 'NM1*QC*1*DOE*JANE', 'N3*2 ELM ST', 'N4*SPRINGFIELD*IL*62704', 'DMG*D8*20150601*F'];
const CLAIM = [
  'CLM*PCN-7*150***11:B:7*Y*A*Y*Y',
  'DTP*431*D8*20240110',
  'DTP*360*RD8*20240101-20240105',
  'AMT*F5*20',
  'REF*G1*AUTH1',
  'REF*F8*ORIGCLAIM9',
  'HI*ABK:E119*ABF:I10',
  'NM1*DN*1*REFER*RITA****XX*1245319599',
  'NM1*82*1*HOUSE*GREG****XX*1234567893',
  'PRV*PE*PXC*207R00000X',
  'NM1*77*2*ACME ANNEX*****XX*1245319599',
  'N3*3 OAK ST',
  'N4*SPRINGFIELD*IL*62705',
  'LX*1',
  'SV1*HC:99213:25*100*UN*1*22**1:2**Y',
  'DTP*472*D8*20240215',
  'DTP*471*D8*20240201',
  'REF*6R*LINE-1',
  'NM1*82*1*WATSON*JOHN****XX*1245319599',
  'PRV*PE*PXC*208D00000X',
  'LX*2',
  'SV1*HC:36415*50*UN*1***1',
  'DTP*472*RD8*20240215-20240216',
];

const text837 = (body: string[], d: Delimiters = {}, control = 1) => joinSegments(envelope(body, { type: '837', control }), d);

describe('parse837P', () => {
  it('maps a claim for a dependent (HL 23) with all its parties', () => {
    const { claims, warnings } = parse837P(text837([...HEADER, ...BILLING, ...SUBSCRIBER_NOT_PATIENT, ...PATIENT, ...CLAIM]));
    expect(warnings).toEqual([]);
    expect(claims).toStrictEqual<Claim837[]>([
      {
        patientControlNumber: 'PCN-7',
        chargeCents: 15000,
        frequencyCode: '7',
        placeOfService: '11',
        diagnoses: [
          { qualifier: 'ABK', code: 'E119' },
          { qualifier: 'ABF', code: 'I10' },
        ],
        billingProvider: {
          name: 'ACME CLINIC',
          npi: '1234567893',
          taxonomy: '207Q00000X',
          taxId: '123456789',
          address: { line1: '1 MAIN ST', line2: 'SUITE 2', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
          payToAddress: { line1: 'PO BOX 9', city: 'SPRINGFIELD', state: 'IL', postalCode: '62702' },
        },
        subscriber: {
          lastName: 'DOE',
          firstName: 'JOHN',
          middleName: 'Q',
          memberId: 'M123',
          relationship: '',
          groupNumber: 'GRP01',
          groupName: 'ACME GROUP',
          address: { line1: '2 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
          dateOfBirth: '1980-01-31',
          gender: 'M',
        },
        patient: {
          lastName: 'DOE',
          firstName: 'JANE',
          relationship: '19',
          address: { line1: '2 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
          dateOfBirth: '2015-06-01',
          gender: 'F',
        },
        payer: { name: 'HEALTH PLAN', id: 'HP001' },
        claimFilingIndicator: 'CI',
        dates: [
          { qualifier: '431', date: '2024-01-10' },
          { qualifier: '360', date: '2024-01-01', endDate: '2024-01-05' },
        ],
        patientPaidCents: 2000,
        priorAuthorization: 'AUTH1',
        payerClaimControlNumber: 'ORIGCLAIM9',
        referringProvider: { lastName: 'REFER', firstName: 'RITA', npi: '1245319599' },
        renderingProvider: { lastName: 'HOUSE', firstName: 'GREG', npi: '1234567893', taxonomy: '207R00000X' },
        facility: { name: 'ACME ANNEX', npi: '1245319599', address: { line1: '3 OAK ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62705' } },
        lines: [
          {
            procedure: { qualifier: 'HC', code: '99213', modifiers: ['25'] },
            chargeCents: 10000,
            units: 1,
            unitType: 'UN',
            placeOfService: '22',
            diagnosisPointers: [1, 2],
            emergency: true,
            serviceDate: '2024-02-15',
            dates: [{ qualifier: '471', date: '2024-02-01' }],
            lineControlNumber: 'LINE-1',
            renderingProvider: { lastName: 'WATSON', firstName: 'JOHN', npi: '1245319599', taxonomy: '208D00000X' },
          },
          {
            procedure: { qualifier: 'HC', code: '36415', modifiers: [] },
            chargeCents: 5000,
            units: 1,
            unitType: 'UN',
            diagnosisPointers: [1],
            serviceDate: '2024-02-15',
            serviceDateEnd: '2024-02-16',
          },
        ],
      },
    ]);
  });

  it('attaches claims to the right HL when several billing providers, subscribers and patients follow each other', () => {
    const body = [
      ...HEADER,
      ...BILLING,
      ...SUBSCRIBER_NOT_PATIENT,
      ...PATIENT,
      ...CLAIM,
      'HL*4*2*23*0',
      'PAT*01',
      'NM1*QC*1*DOE*MARY',
      ...CLAIM.map((s) => s.replace('PCN-7', 'PCN-8')),
      'HL*5**20*1',
      'NM1*85*1*SOLO*DAVE****XX*1245319599',
      'N3*9 PINE ST',
      'N4*SPRINGFIELD*IL*62706',
      'HL*6*5*22*0',
      'SBR*S*18*******MB',
      'NM1*IL*1*ROE*RICHARD****MI*M999',
      'NM1*PR*2*MEDICARE*****PI*00001',
      ...CLAIM.map((s) => s.replace('PCN-7', 'PCN-9')),
    ];
    const { claims, warnings } = parse837P(text837(body));
    expect(warnings).toEqual([]);
    expect(claims.map((c) => [c.patientControlNumber, c.billingProvider.npi, c.subscriber.memberId, c.patient?.firstName, c.patient?.relationship])).toEqual([
      ['PCN-7', '1234567893', 'M123', 'JANE', '19'],
      ['PCN-8', '1234567893', 'M123', 'MARY', '01'],
      ['PCN-9', '1245319599', 'M999', undefined, undefined],
    ]);
    expect(claims[2]).toMatchObject({ payerResponsibility: 'S', claimFilingIndicator: 'MB', billingProvider: { name: 'SOLO', firstName: 'DAVE' } });
  });

  it('reads the same claims with other delimiters, a byte-order mark, CR/LF and several interchanges', () => {
    const body = [...HEADER, ...BILLING, ...SUBSCRIBER_NOT_PATIENT, ...PATIENT, ...CLAIM];
    const plain = parse837P(text837(body));
    const two = `\uFEFF${text837(body, { after: '\r\n', before: '  ' })}${text837(body, { element: '|', component: '>', repetition: '!', segment: '\n' }, 2)}`;
    const both = parse837P(two);
    expect(both.warnings).toEqual([]);
    expect(both.claims).toEqual([...plain.claims, ...plain.claims]);
  });

  it('reports what it does not map, and claims whose lines do not add up', () => {
    const body = [
      ...HEADER,
      ...BILLING,
      ...SUBSCRIBER_NOT_PATIENT,
      ...PATIENT,
      'CLM*PCN-1*999***11:B:1*Y*A*Y*Y',
      'DTP*431*D8*20240101',
      'PWK*OZ*BM',
      'HI*ABK:E119',
      'SBR*S*01*******MB',
      'NM1*IL*1*OTHER*SUB****MI*X1',
      'NM1*PR*2*OTHER PAYER*****PI*OP1',
      'LX*1',
      'SV1*HC:99213*100*UN*1***1:3',
      'DTP*472*D8*20240215',
      'SVD*OP1*80*HC:99213**1',
      'CAS*CO*45*20',
      'FOO*BAR',
    ];
    const { claims, warnings } = parse837P(text837(body));
    expect(claims).toHaveLength(1);
    expect(claims[0]?.dates).toEqual([{ qualifier: '431', date: '2024-01-01' }]);
    expect(warnings.map((w) => [w.code, w.segmentId])).toEqual([
      ['unmapped-segment', 'PWK'],
      ['unmapped-segment', 'SBR'],
      ['unmapped-segment', 'SVD'],
      ['invalid-diagnosis-pointer', 'SV1'],
      ['unbalanced-claim', 'CLM'],
    ]);
    expect(warnings[3]?.message).toContain('pointer 3');
    expect(warnings[4]?.message).toMatch(/PCN-1.*999.*100/);
  });

  it('reports subscriber PAT (2000B) as not mapped', () => {
    const sub = ['HL*2*1*22*0', 'SBR*P*18*******CI', 'PAT****D8*20240101', 'NM1*IL*1*DOE*JOHN****MI*M1', 'NM1*PR*2*PLAN*****PI*P1'];
    const { claims, warnings } = parse837P(text837([...HEADER, ...BILLING, ...sub, ...CLAIM]));
    expect(claims).toHaveLength(1);
    expect(warnings).toEqual([expect.objectContaining({ code: 'unmapped-segment', segmentId: 'PAT', segmentIndex: 3 + HEADER.length + BILLING.length + 2 })]);
  });

  it('names unknown segments', () => {
    const { warnings } = parse837P(text837([...HEADER, ...BILLING, 'XYZ*1', ...SUBSCRIBER_NOT_PATIENT, ...PATIENT, ...CLAIM]));
    expect(warnings).toEqual([expect.objectContaining({ code: 'unexpected-segment', segmentId: 'XYZ', segmentIndex: 16 })]);
  });

  it('throws X12Error with the location of unreadable content', () => {
    const at = (claim: string[]): X12Error => {
      try {
        parse837P(text837([...HEADER, ...BILLING, ...SUBSCRIBER_NOT_PATIENT, ...PATIENT, ...claim]));
      } catch (e) {
        if (e instanceof X12Error) return e;
        throw e;
      }
      throw new Error('expected an X12Error');
    };
    const base = 3 + HEADER.length + BILLING.length + SUBSCRIBER_NOT_PATIENT.length + PATIENT.length;
    expect(at(['CLM*PCN-1'])).toMatchObject({ code: 'missing-element', segmentId: 'CLM', elementIndex: 2, segmentIndex: base, transactionControlNumber: '0001' });
    expect(at(['CLM*PCN-1*12.3.4***11:B:1'])).toMatchObject({ code: 'invalid-amount', segmentId: 'CLM', elementIndex: 2 });
    expect(at(['CLM*PCN-1*100***11:B:1*Y*A*Y*Y', 'HI*ABK:E119', 'LX*1', 'SV1*HC:99213*100*UN'])).toMatchObject({ code: 'missing-element', segmentId: 'SV1', elementIndex: 4 });
    expect(at(['CLM*PCN-1*100***11:B:1*Y*A*Y*Y', 'HI*ABK:E119', 'LX*1', 'SV1*HC:99213*100*UN*1***1'])).toMatchObject({ code: 'missing-segment', segmentId: 'SV1', segmentIndex: base + 3 });
    expect(at(['CLM*PCN-1*100***11:B:1*Y*A*Y*Y', 'HI*ABK:E119', 'LX*1', 'SV1*HC:99213*100*UN*1***1', 'DTP*472*D8*20240231'])).toMatchObject({ code: 'invalid-date', segmentId: 'DTP', elementIndex: 3 });
  });

  it('rejects input without ISA, or without an 837', () => {
    expect(() => parse837P('hello')).toThrow(expect.objectContaining({ code: 'missing-isa' }));
    const e835 = joinSegments(envelope(['BPR*I*0*C*NON']));
    expect(() => parse837P(e835)).toThrow(expect.objectContaining({ code: 'missing-st' }));
    // an institutional 837 is not read as professional
    const inst = joinSegments(envelope([...HEADER], { type: '837', version: '005010X223A2' }));
    expect(() => parse837P(inst)).toThrow(expect.objectContaining({ code: 'missing-st' }));
  });
});
