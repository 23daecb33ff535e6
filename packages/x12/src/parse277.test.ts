import { describe, expect, it } from 'vitest';
import {
  CATEGORY_DECISIONS,
  decide277,
  parse277,
  parse837P,
  type Claim277,
  type Party277,
} from './index.js';
import { ACK_277, CLAIMS_277 as CLAIMS, HEADER_277 as HEADER, officeVisit, write837ToClearinghouse } from './testing/acknowledgments.js';
import { envelope, isaSegment, joinSegments, thrown } from './testing/fixtures.js';

const PAYER: Party277 = { name: 'HEALTH PLAN', id: 'HP001', idQualifier: 'PI' };
const RECEIVER: Party277 = {
  name: 'ACME CLINIC',
  id: 'SUB01',
  idQualifier: '46',
  statuses: [{ category: 'A1', code: '19', entity: 'PR', date: '2024-03-05', actionCode: 'WQ', chargeCents: 25000 }],
};
const PROVIDER: Party277 = { name: 'ACME CLINIC', id: '1234567893', idQualifier: 'XX' };

const EXPECTED: Claim277[] = [
  {
    transactionControlNumber: '1001',
    patientControlNumber: 'PCN-A',
    payerClaimControlNumber: '2024065000123',
    clearinghouseTraceNumber: 'CH-TRACE-1',
    status: 'accepted',
    statuses: [{ category: 'A2', code: '20', entity: 'PR', date: '2024-03-05', actionCode: 'WQ', chargeCents: 10000 }],
    serviceDate: '2024-02-15',
    patient: { lastName: 'DOE', firstName: 'JOHN', memberId: 'M123' },
    payer: PAYER,
    receiver: RECEIVER,
    billingProvider: PROVIDER,
    lines: [],
  },
  {
    transactionControlNumber: '1001',
    patientControlNumber: 'PCN-B',
    clearinghouseTraceNumber: 'CH-TRACE-2',
    status: 'rejected',
    statuses: [
      { category: 'A7', code: '21', entity: '85', date: '2024-03-05', actionCode: 'U', chargeCents: 15000 },
      { category: 'A7', code: '562', entity: '85', date: '2024-03-05', actionCode: 'U' },
      { category: 'A8', code: '145', entity: 'IL', date: '2024-03-05', actionCode: 'U' },
    ],
    serviceDate: '2024-02-15',
    serviceDateEnd: '2024-02-16',
    patient: { lastName: 'DOE', firstName: 'JANE', memberId: 'M124' },
    payer: PAYER,
    receiver: RECEIVER,
    billingProvider: PROVIDER,
    lines: [
      {
        procedure: { qualifier: 'HC', code: '99213', modifiers: ['25'] },
        chargeCents: 10000,
        units: 1,
        lineControlNumber: 'L1',
        serviceDate: '2024-02-15',
        status: 'rejected',
        statuses: [{ category: 'A7', code: '453', entity: '82', date: '2024-03-05', actionCode: 'U', chargeCents: 10000 }],
      },
      {
        procedure: { qualifier: 'HC', code: '36415', modifiers: [] },
        chargeCents: 5000,
        units: 1,
        lineControlNumber: 'L2',
        status: 'accepted',
        statuses: [{ category: 'A2', code: '20', date: '2024-03-05', actionCode: 'WQ', chargeCents: 5000 }],
      },
    ],
  },
];

describe('parse277 (277CA)', () => {
  it('reads an accepted and a rejected claim with REF*1K, STC10/STC11 and line-level STC', () => {
    const { claims, warnings } = parse277(ACK_277);
    expect(warnings).toEqual([]);
    expect(claims).toEqual(EXPECTED);
    // claims under one HL share the objects of the levels above
    expect(claims[0]?.payer).toBe(claims[1]?.payer);
  });

  it('maps categories to decisions as the table says, the strongest status winning', () => {
    expect(['A1', 'A2', 'A5', 'DR01', 'DR08'].map((c) => CATEGORY_DECISIONS[c])).toEqual(Array(5).fill('accepted'));
    expect(['A3', 'A4', 'A6', 'A7', 'A8', 'DR03', 'E0'].map((c) => CATEGORY_DECISIONS[c])).toEqual(Array(7).fill('rejected'));
    expect(['P1', 'R3', 'R16'].map((c) => CATEGORY_DECISIONS[c])).toEqual(Array(3).fill('pended'));
    expect(CATEGORY_DECISIONS.A0).toBe('forwarded');
    expect(decide277([{ category: 'A1' }, { category: 'A3' }])).toBe('rejected');
    expect(decide277([{ category: 'A2' }, { category: 'R3' }])).toBe('pended');
    expect(decide277([{ category: 'A0' }, { category: 'A1' }])).toBe('accepted');
    expect(decide277([{ category: 'F1' }])).toBe('unknown');
    expect(decide277([])).toBe('unknown');
  });

  it('acknowledges the claims of a file written by write837P (TRN*2 = CLM01, REF*FJ = REF*6R)', () => {
    const text837 = write837ToClearinghouse(
      [
        officeVisit('ACME-0001 #7', { procedure: '99214', chargeCents: 12500, serviceDate: '2024-02-20', lineControlNumber: 'LN-1' }),
        officeVisit('ACME-0002', { procedure: '99214', chargeCents: 12500, serviceDate: '2024-02-20', lineControlNumber: 'LN-2' }),
      ],
      52,
    );
    const sent = parse837P(text837).claims;
    const body = [...HEADER];
    sent.forEach((c, i) => {
      const accepted = i === 0;
      body.push(
        `HL*${4 + i}*3*PT`,
        `NM1*QC*1*${c.subscriber.lastName}*${c.subscriber.firstName}****MI*${c.subscriber.memberId}`,
        `TRN*2*${c.patientControlNumber}`,
        accepted ? `STC*A2:20:PR*20240305*WQ*125` : `STC*A3:21:85*20240305*U*125`,
        `REF*1K*PAYER-${i}`,
        `SVC*HC:${c.lines[0]?.procedure.code}*125*0****1`,
        accepted ? 'STC*A2:20*20240305*WQ*125' : 'STC*A3:21*20240305*U*125',
        `REF*FJ*${c.lines[0]?.lineControlNumber}`,
      );
    });
    const { claims, warnings } = parse277(joinSegments(envelope(body, { type: '277' }), { after: '\n' }));
    expect(warnings).toEqual([]);
    const byPcn = new Map(sent.map((c) => [c.patientControlNumber, c]));
    expect(claims.map((c) => [c.patientControlNumber, c.status, c.payerClaimControlNumber])).toEqual([
      ['ACME-0001 #7', 'accepted', 'PAYER-0'],
      ['ACME-0002', 'rejected', 'PAYER-1'],
    ]);
    for (const c of claims) {
      const original = byPcn.get(c.patientControlNumber);
      expect(original).toBeDefined();
      expect(c.statuses[0]?.chargeCents).toBe(original?.chargeCents);
      expect(c.lines.map((l) => l.lineControlNumber)).toEqual(original?.lines.map((l) => l.lineControlNumber));
    }
  });

  it('tolerates BOM, CR/LF, indentation, other separators and several interchanges', () => {
    const first = joinSegments(envelope([...HEADER, ...CLAIMS], { type: '277', control: 1, stControl: '1001' }), {
      element: '|',
      component: '>',
      repetition: '!',
      segment: '\n',
      before: '   ',
    });
    const second = joinSegments(envelope([...HEADER, ...CLAIMS.slice(0, 7)], { type: '277', control: 2, stControl: '2002' }), { after: '\r\n' });
    const bytes = new TextEncoder().encode(`\uFEFF${first}\uFEFF${second}`);
    const { claims, warnings } = parse277(bytes);
    expect(warnings.filter((w) => w.code !== 'isa-length')).toEqual([]);
    expect(claims.slice(0, 2)).toEqual(EXPECTED);
    expect(claims[2]).toEqual({ ...EXPECTED[0], transactionControlNumber: '2002' });
  });

  it('rejects input that holds no 277CA', () => {
    const status277 = joinSegments(envelope([...HEADER, ...CLAIMS], { type: '277', version: '005010X212' }));
    expect(thrown(() => parse277(status277))).toMatchObject({ code: 'wrong-transaction-type', segmentId: 'ST', segmentIndex: 2, elementIndex: 1 });
    expect(thrown(() => parse277(status277)).message).toBe('the input holds 277 (005010X212) transaction sets, not 277CA (005010X214 claim acknowledgment)');
    const ack999 = joinSegments(envelope(['AK1*HC*1', 'AK2*837*0001', 'IK5*A', 'AK9*A*1*1*1'], { type: '999' }));
    expect(thrown(() => parse277(ack999))).toMatchObject({ code: 'wrong-transaction-type' });
    expect(thrown(() => parse277(joinSegments([isaSegment(1), 'IEA*0*000000001'])))).toMatchObject({ code: 'missing-st' });
  });

  it('throws X12Error naming the segment and element of unreadable content', () => {
    const withClaim = (claim: string[]): string => joinSegments(envelope([...HEADER, ...claim], { type: '277', stControl: '0042' }));
    const stcIndex = 3 + HEADER.length + 3; // ISA, GS, ST, header, HL/NM1/TRN
    expect(thrown(() => parse277(withClaim(['HL*4*3*PT', 'NM1*QC*1*DOE', 'TRN*2*P1', 'STC*A2:20*20240305*WQ*1,000'])))).toMatchObject({
      code: 'invalid-amount',
      segmentIndex: stcIndex,
      segmentId: 'STC',
      elementIndex: 4,
      transactionControlNumber: '0042',
    });
    expect(thrown(() => parse277(withClaim(['HL*4*3*PT', 'NM1*QC*1*DOE', 'TRN*2*P1', 'STC*:20*20240305'])))).toMatchObject({
      code: 'missing-element',
      segmentId: 'STC',
      elementIndex: 1,
    });
    expect(thrown(() => parse277(withClaim(['HL*4*3*PT', 'NM1*QC*1*DOE', 'TRN*2*P1', 'STC*A2:20', 'SVC*HC:99213*abc'])))).toMatchObject({
      code: 'invalid-amount',
      segmentId: 'SVC',
      elementIndex: 2,
    });
    // a claim must name its patient control number
    expect(thrown(() => parse277(withClaim(['HL*4*3*PT', 'NM1*QC*1*DOE', 'STC*A2:20'])))).toMatchObject({
      code: 'missing-segment',
      segmentId: 'HL',
      segmentIndex: 3 + HEADER.length,
    });
  });

  it('warns about unknown categories, claims without status, broken hierarchy and contradicting action codes', () => {
    const text = joinSegments(
      envelope(
        [
          ...HEADER,
          'HL*4*9*PT',
          'TRN*2*P1',
          'STC*F1:65*20240305*WQ',
          'HL*5*3*PT',
          'TRN*2*P2',
          'HL*6*3*PT',
          'TRN*2*P3',
          'STC*A7:21*2024-03-05*WQ',
          'DTP*472*D8*20241301',
          'SVC*HC:99213*10',
          'MSG*HELLO',
        ],
        { type: '277' },
      ),
    );
    const { claims, warnings } = parse277(text);
    expect(claims.map((c) => [c.patientControlNumber, c.status])).toEqual([
      ['P1', 'unknown'],
      ['P2', 'unknown'],
      ['P3', 'rejected'],
    ]);
    expect(claims[0]?.billingProvider?.id).toBe('1234567893');
    expect(claims[2]?.lines[0]?.status).toBe('unknown');
    expect(warnings.map((w) => [w.code, w.segmentId, w.elementIndex])).toEqual([
      ['hl-parent-mismatch', 'HL', 2],
      ['invalid-code', 'STC', 1],
      ['missing-segment', 'HL', undefined],
      ['invalid-date', 'STC', 2],
      ['inconsistent-acknowledgment', 'STC', 3],
      ['invalid-date', 'DTP', 3],
      ['unexpected-segment', 'MSG', undefined],
      ['missing-segment', 'SVC', undefined],
    ]);
  });
});
