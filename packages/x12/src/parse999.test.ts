import { describe, expect, it } from 'vitest';
import {
  ELEMENT_ERROR_CODES,
  SEGMENT_ERROR_CODES,
  TRANSACTION_SET_ERROR_CODES,
  parse999,
  tokenize,
  type Parse999Result,
} from './index.js';
import { ACK_999, BODY_999 as BODY, officeVisit, write837ToClearinghouse } from './testing/acknowledgments.js';
import { envelope, isaSegment, joinSegments, thrown } from './testing/fixtures.js';

const EXPECTED: Omit<Parse999Result, 'warnings'> = {
  groups: [
    {
      acknowledgmentControlNumber: '0001',
      functionalIdCode: 'HC',
      groupControlNumber: '17',
      version: '005010X222A1',
      status: 'partially-accepted',
      code: 'P',
      includedCount: 2,
      receivedCount: 2,
      acceptedCount: 1,
      syntaxErrors: [],
    },
  ],
  transactionSets: [
    {
      acknowledgmentControlNumber: '0001',
      groupControlNumber: '17',
      transactionSetId: '837',
      controlNumber: '0001',
      implementationReference: '005010X222A1',
      status: 'accepted',
      code: 'A',
      syntaxErrors: [],
      errors: [],
    },
    {
      acknowledgmentControlNumber: '0001',
      groupControlNumber: '17',
      transactionSetId: '837',
      controlNumber: '0002',
      implementationReference: '005010X222A1',
      status: 'rejected',
      code: 'R',
      syntaxErrors: ['I5'],
      errors: [
        {
          segmentId: 'CLM',
          position: 22,
          loopId: '2300',
          code: '8',
          claimControlNumber: 'PCN-2',
          businessUnit: { name: 'CLM01', value: 'PCN-2' },
          element: { position: 5, componentPosition: 3, reference: '1325', code: '7', badData: '9' },
        },
        {
          segmentId: 'NM1',
          position: 31,
          loopId: '2010BB',
          code: 'I6',
          claimControlNumber: 'PCN-2',
          businessUnit: { name: 'CLM01', value: 'PCN-2' },
          contexts: [{ name: 'SITUATIONAL TRIGGER', segmentId: 'CLM', position: 22, loopId: '2300', elementPosition: 5, reference: '1325' }],
        },
      ],
    },
  ],
};

describe('parse999', () => {
  it('reads groups, accepted and rejected transaction sets with IK3/CTX/IK4/IK5 and AK9', () => {
    const { warnings, ...result } = parse999(ACK_999);
    expect(result).toEqual(EXPECTED);
    expect(warnings).toEqual([]);
  });

  it('documents the codes it reports', () => {
    expect(SEGMENT_ERROR_CODES['8']).toBe('segment has data element errors');
    expect(ELEMENT_ERROR_CODES['7']).toBe('invalid code value');
    expect(TRANSACTION_SET_ERROR_CODES['5']).toBe('one or more segments in error');
  });

  it('gives one error per IK4, repeating the IK3 fields, and IK5 E as accepted-with-errors', () => {
    const text = joinSegments(
      envelope(
        [
          'AK1*HC*3*005010X222A1',
          'AK2*837*0007',
          'IK3*SV1*40**8',
          'IK4*1:2*235*7*99999',
          'CTX*SITUATIONAL TRIGGER*SV1*40**1:2',
          'IK4*3**5',
          'IK5*E',
          'AK9*E*1*1*1',
        ],
        { type: '999' },
      ),
    );
    const { transactionSets, groups, warnings } = parse999(text);
    expect(warnings).toEqual([]);
    expect(groups[0]).toMatchObject({ status: 'accepted-with-errors', code: 'E', acceptedCount: 1 });
    expect(transactionSets).toEqual([
      {
        acknowledgmentControlNumber: '0001',
        groupControlNumber: '3',
        transactionSetId: '837',
        controlNumber: '0007',
        status: 'accepted-with-errors',
        code: 'E',
        syntaxErrors: [],
        errors: [
          {
            segmentId: 'SV1',
            position: 40,
            code: '8',
            contexts: [{ name: 'SITUATIONAL TRIGGER', segmentId: 'SV1', position: 40, elementPosition: 1 }],
            element: { position: 1, componentPosition: 2, reference: '235', code: '7', badData: '99999' },
          },
          { segmentId: 'SV1', position: 40, code: '8', element: { position: 3, code: '5' } },
        ],
      },
    ]);
  });

  it('points at the CLM of a file written by write837P (round trip through AK2/IK3/CTX)', () => {
    const claims837 = write837ToClearinghouse([officeVisit('PCN-A'), officeVisit('PCN-B')], 41, 1);
    // build the 999 a clearinghouse would send back: the second transaction rejected at its CLM
    const segs = tokenize(claims837);
    const gs = segs.find((s) => s.id === 'GS');
    const sts = segs.filter((s) => s.id === 'ST');
    const second = sts[1];
    const clm = segs.find((s) => s.id === 'CLM' && s.index > (second?.index ?? 0));
    const position = (clm?.index ?? 0) - (second?.index ?? 0) + 1;
    const ack = joinSegments(
      envelope(
        [
          `AK1*HC*${gs?.elements[5]}*${gs?.elements[7]}`,
          `AK2*837*${sts[0]?.elements[1]}*005010X222A1`,
          'IK5*A',
          `AK2*837*${second?.elements[1]}*005010X222A1`,
          `IK3*CLM*${position}*2300*8`,
          `CTX*CLM01:${clm?.elements[0]}`,
          `IK4*2*782*6*${clm?.elements[1]}`,
          'IK5*R*5',
          'AK9*P*2*2*1',
        ],
        { type: '999' },
      ),
      { after: '\r\n' },
    );
    const { transactionSets, groups } = parse999(ack);
    expect(groups[0]?.groupControlNumber).toBe('41');
    expect(transactionSets.map((t) => [t.controlNumber, t.status])).toEqual([
      ['0001', 'accepted'],
      ['0002', 'rejected'],
    ]);
    const error = transactionSets[1]?.errors[0];
    expect(error).toMatchObject({ segmentId: 'CLM', loopId: '2300', claimControlNumber: 'PCN-B', element: { position: 2, badData: '100' } });
    // the IK3 position names the CLM segment of the acknowledged transaction set
    const inSet = segs.filter((s) => s.index >= (second?.index ?? 0));
    expect(inSet[(error?.position ?? 0) - 1]?.elements[0]).toBe('PCN-B');
  });

  it('tolerates BOM, CR/LF, indentation, other separators and several interchanges', () => {
    const first = joinSegments(envelope(BODY, { type: '999', control: 1 }), { element: '|', component: '>', segment: '\n', before: '  ' });
    const second = joinSegments(
      [isaSegment(2), 'GS*FA*S*R*20240301*1200*2*X*005010X231A1', 'ST*999*0009*005010X231A1', 'AK1*HC*18*005010X222A1', 'AK2*837*0001', 'IK5*A', 'AK9*A*1*1*1', 'SE*6*0009', 'GE*1*2', 'IEA*1*000000002'],
      { after: '\r\n' },
    );
    const bytes = new TextEncoder().encode(`\uFEFF${first}\uFEFF${second}`);
    const { groups, transactionSets, warnings } = parse999(bytes);
    expect(warnings.filter((w) => w.code !== 'isa-length')).toEqual([]);
    expect(groups.map((g) => [g.acknowledgmentControlNumber, g.groupControlNumber, g.status])).toEqual([
      ['0001', '17', 'partially-accepted'],
      ['0009', '18', 'accepted'],
    ]);
    expect(transactionSets.slice(0, 2)).toEqual(EXPECTED.transactionSets);
    expect(transactionSets[2]).toMatchObject({ acknowledgmentControlNumber: '0009', controlNumber: '0001', status: 'accepted' });
  });

  it('rejects input that holds no 999', () => {
    const e835 = joinSegments(envelope(['BPR*I*0*C*NON'], { type: '835' }));
    expect(thrown(() => parse999(e835))).toMatchObject({ code: 'wrong-transaction-type', segmentId: 'ST', segmentIndex: 2, elementIndex: 1 });
    expect(thrown(() => parse999(e835)).message).toBe('the input holds 835 (005010X221A1) transaction sets, not 999 (005010X231A1 implementation acknowledgment)');
    const e997 = joinSegments(envelope(BODY, { type: '999', version: '004010X097' }));
    expect(thrown(() => parse999(e997))).toMatchObject({ code: 'wrong-transaction-type' });
    expect(thrown(() => parse999(joinSegments([isaSegment(1), 'IEA*0*000000001'])))).toMatchObject({ code: 'missing-st' });
    expect(thrown(() => parse999(''))).toMatchObject({ code: 'missing-isa' });
    expect(thrown(() => parse999('AK1*HC*1~'))).toMatchObject({ code: 'missing-isa' });
  });

  it('throws X12Error naming the segment and element of unreadable content', () => {
    const withBody = (body: string[]): string => joinSegments(envelope(body, { type: '999', stControl: '0042' }));
    expect(thrown(() => parse999(withBody(['AK1*HC*1', 'AK2*837*0001', 'IK5*Z', 'AK9*A*1*1*1'])))).toMatchObject({
      code: 'invalid-code',
      segmentIndex: 5,
      segmentId: 'IK5',
      elementIndex: 1,
      transactionControlNumber: '0042',
    });
    expect(thrown(() => parse999(withBody(['AK1*HC*1', 'AK2*837*0001', 'IK3*CLM*X*2300*8', 'IK5*R', 'AK9*R*1*1*0'])))).toMatchObject({
      code: 'invalid-number',
      segmentId: 'IK3',
      elementIndex: 2,
    });
    expect(thrown(() => parse999(withBody(['AK1*HC*1', 'AK2*837*0001', 'IK3*CLM*5*2300', 'IK5*R', 'AK9*R*1*1*0'])))).toMatchObject({
      code: 'missing-element',
      segmentId: 'IK3',
      elementIndex: 4,
    });
    expect(thrown(() => parse999(withBody(['AK1*HC*1', 'AK2*837*0001', 'IK3*CLM*5**8', 'IK4**1028*7', 'IK5*R', 'AK9*R*1*1*0'])))).toMatchObject({
      code: 'missing-element',
      segmentId: 'IK4',
      elementIndex: 1,
    });
    // an AK2 loop without IK5 has no outcome
    expect(thrown(() => parse999(withBody(['AK1*HC*1', 'AK2*837*0001', 'AK2*837*0002', 'IK5*A', 'AK9*A*2*2*2'])))).toMatchObject({
      code: 'missing-segment',
      segmentId: 'AK2',
      segmentIndex: 5,
    });
    expect(thrown(() => parse999(withBody(['AK1*HC*1', 'AK2*837*0001', 'IK5*A', 'AK9*Q*1*1*1'])))).toMatchObject({
      code: 'invalid-code',
      segmentId: 'AK9',
      elementIndex: 1,
    });
  });

  it('warns about contradictions, unknown codes, misplaced segments and a missing AK9', () => {
    const text = joinSegments(
      envelope(
        ['AK1*HC*1', 'AK2*837*0001', 'IK3*CLM*5**ZZ', 'IK5*A*99', 'IK4*1**7', 'NTE*HELLO', 'AK9*A*1*1*0', 'AK1*HC*2', 'AK2*837*0001', 'IK5*A'],
        { type: '999' },
      ),
    );
    const { groups, transactionSets, warnings } = parse999(text);
    expect(groups).toHaveLength(1);
    expect(transactionSets).toHaveLength(2);
    expect(transactionSets[0]?.errors).toEqual([{ segmentId: 'CLM', position: 5, code: 'ZZ' }]);
    expect(warnings.map((w) => [w.code, w.segmentId, w.elementIndex])).toEqual([
      ['invalid-code', 'IK3', 4],
      ['invalid-code', 'IK5', 2],
      ['inconsistent-acknowledgment', 'IK5', 1],
      ['unexpected-segment', 'IK4', undefined],
      ['unexpected-segment', 'NTE', undefined],
      ['inconsistent-acknowledgment', 'AK9', 4],
      ['missing-segment', 'SE', undefined],
    ]);
    expect(warnings.every((w) => w.transactionControlNumber === '0001')).toBe(true);
  });
});
