import { describe, expect, it } from 'vitest';
import { denialsOf, resolutionOf, type Posting } from './denials.js';

const posting = (over: Partial<Posting> = {}): Posting => ({
  id: 'p1',
  claimId: 'c1',
  statusCode: '1',
  reversal: false,
  reversed: false,
  paymentDate: '2026-05-20',
  postedAt: new Date('2026-05-21T10:00:00Z'),
  paidCents: 0,
  adjustments: [],
  lines: [],
  remarks: [],
  ...over,
});

describe('denialsOf', () => {
  it('takes every non-patient adjustment of a line paid nothing as its denial, with line and claim remarks', () => {
    const p = posting({
      lines: [{ lineId: 'l1', paidCents: 0, remarks: ['N130'] }],
      adjustments: [
        { lineId: 'l1', group: 'CO', reason: '45', amountCents: 1000 },
        { lineId: 'l1', group: 'CO', reason: '50', amountCents: 9000 },
      ],
      remarks: ['MA01', 'N130'],
    });
    expect(denialsOf(p)).toEqual([
      {
        adjudicationId: 'p1',
        claimId: 'c1',
        lineId: 'l1',
        deniedOn: '2026-05-20',
        deniedCents: 10000,
        adjustments: [
          { group: 'CO', reason: '45', amountCents: 1000 },
          { group: 'CO', reason: '50', amountCents: 9000 },
        ],
        remarks: ['N130', 'MA01'],
      },
    ]);
  });

  it('takes only the denial codes of a paid line; contractual write-downs and the patient share are not denials', () => {
    const p = posting({
      paidCents: 12000,
      lines: [
        { lineId: 'l1', paidCents: 12000, remarks: [] },
        { lineId: 'l2', paidCents: 0, remarks: [] },
      ],
      adjustments: [
        { lineId: 'l1', group: 'CO', reason: '45', amountCents: 8000 },
        { lineId: 'l1', group: 'CO', reason: '253', amountCents: 200 },
        { lineId: 'l1', group: 'OA', reason: '151', amountCents: 3000 },
        { lineId: 'l1', group: 'PR', reason: '2', amountCents: 3000 },
        { lineId: 'l2', group: 'PR', reason: '1', amountCents: 5000 },
      ],
    });
    expect(denialsOf(p)).toMatchObject([{ lineId: 'l1', deniedCents: 3000, adjustments: [{ group: 'OA', reason: '151' }] }]);
  });

  it('works an unknown code as a denial rather than dropping it', () => {
    const p = posting({ paidCents: 100, lines: [{ lineId: 'l1', paidCents: 100, remarks: [] }], adjustments: [{ lineId: 'l1', group: 'CO', reason: 'ZZ9', amountCents: 500 }] });
    expect(denialsOf(p)).toMatchObject([{ adjustments: [{ reason: 'ZZ9' }] }]);
  });

  it('makes a claim-level denial of a denied claim without line detail, and of claim-level denial codes', () => {
    expect(denialsOf(posting({ statusCode: '4', adjustments: [{ lineId: null, group: 'CO', reason: '45', amountCents: 100 }, { lineId: null, group: 'CO', reason: '29', amountCents: 9900 }] }))).toMatchObject([
      { lineId: null, deniedCents: 10000 },
    ]);
    expect(denialsOf(posting({ paidCents: 500, adjustments: [{ lineId: null, group: 'CO', reason: '45', amountCents: 100 }, { lineId: null, group: 'PI', reason: '16', amountCents: 400 }] }))).toMatchObject([
      { lineId: null, deniedCents: 400, adjustments: [{ reason: '16' }] },
    ]);
  });

  it('denies nothing in a reversal or a posting that was reversed', () => {
    const denied = { lines: [{ lineId: 'l1', paidCents: 0, remarks: [] }], adjustments: [{ lineId: 'l1', group: 'CO', reason: '50', amountCents: 100 }] };
    expect(denialsOf(posting({ ...denied, reversed: true }))).toEqual([]);
    expect(denialsOf(posting({ ...denied, reversal: true }))).toEqual([]);
  });
});

describe('resolutionOf', () => {
  const first = posting({ lines: [{ lineId: 'l1', paidCents: 0, remarks: [] }, { lineId: 'l2', paidCents: 500, remarks: [] }] });
  const later = (over: Partial<Posting>) => posting({ id: 'p2', postedAt: new Date('2026-06-01T10:00:00Z'), ...over });

  it('stays open until a later posting covers the line', () => {
    expect(resolutionOf({ adjudicationId: 'p1', lineId: 'l1' }, [first])).toBeNull();
    expect(resolutionOf({ adjudicationId: 'p1', lineId: 'l1' }, [first, later({ lines: [{ lineId: 'l2', paidCents: 100, remarks: [] }] })])).toBeNull();
  });

  it('is paid when a later posting pays the line, adjudicated again when it denies it again', () => {
    expect(resolutionOf({ adjudicationId: 'p1', lineId: 'l1' }, [first, later({ paidCents: 100, lines: [{ lineId: 'l1', paidCents: 100, remarks: [] }] })])).toBe('paid');
    expect(resolutionOf({ adjudicationId: 'p1', lineId: 'l1' }, [first, later({ lines: [{ lineId: 'l1', paidCents: 0, remarks: [] }] })])).toBe('adjudicated-again');
    expect(resolutionOf({ adjudicationId: 'p1', lineId: null }, [first, later({ paidCents: 100 })])).toBe('paid');
  });

  it('is settled when its posting was reversed', () => {
    expect(resolutionOf({ adjudicationId: 'p1', lineId: 'l1' }, [{ ...first, reversed: true }])).toBe('posting-reversed');
  });
});
