import { describe, expect, it } from 'vitest';
import { balanceOf } from '../claim-status.js';
import { checkManualPayment, fromManualPayment } from './manual.js';
import { planRemittance } from './plan.js';
import { decidePosting, isDeniedService, patientResponsibilityOf, postAdjudication, type PayerAdjudication, type PostingClaim } from './posting.js';
import { adjudicatedEventData, deniedLinesOf } from './records.js';

let n = 0;
const ids = () => `id-${++n}`;

const claim = (over: Partial<PostingClaim> = {}): PostingClaim => ({
  id: 'c1',
  status: 'submitted',
  chargeCents: 30000,
  paidCents: 0,
  adjustmentCents: 0,
  patientResponsibilityCents: 0,
  forwardedTo: null,
  payerClaimControlNumber: null,
  lines: [
    { id: 'l1', lineNumber: 1, procedureCode: '99214', modifiers: [], serviceDate: '2026-03-01', lineControlNumber: 'P1-1', chargeCents: 20000, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, denied: false },
    { id: 'l2', lineNumber: 2, procedureCode: '93000', modifiers: [], serviceDate: '2026-03-01', lineControlNumber: 'P1-2', chargeCents: 10000, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, denied: false },
  ],
  postings: [],
  ...over,
});

const era = (over: Partial<PayerAdjudication> = {}): PayerAdjudication => ({
  source: 'era',
  statusCode: '1',
  payerClaimControlNumber: 'ICN1',
  chargeCents: 30000,
  paidCents: 11000,
  patientResponsibilityCents: 4000,
  adjustments: [],
  remarks: [],
  services: [
    { procedure: { code: '99214', modifiers: [] }, serviceDate: '2026-03-01', lineControlNumber: 'P1-1', chargeCents: 20000, paidCents: 11000, adjustments: [{ group: 'CO', reason: '45', amountCents: 5000 }, { group: 'PR', reason: '1', amountCents: 3000 }, { group: 'PR', reason: '3', amountCents: 1000 }], remarks: ['N130'] },
    { procedure: { code: '93000', modifiers: [] }, serviceDate: '2026-03-01', lineControlNumber: 'P1-2', chargeCents: 10000, paidCents: 0, adjustments: [{ group: 'CO', reason: '50', amountCents: 10000 }], remarks: [] },
  ],
  ...over,
});

describe('posting an adjudication', () => {
  it('posts payment, contractual adjustments, patient responsibility and a denied line to claim and lines', () => {
    const { claim: after, record, denials } = postAdjudication(claim(), era(), ids);
    expect(after).toMatchObject({ status: 'partially-paid', paidCents: 11000, adjustmentCents: 15000, patientResponsibilityCents: 4000, payerClaimControlNumber: 'ICN1' });
    expect(balanceOf(after)).toBe(0);
    expect(after.lines[0]).toMatchObject({ paidCents: 11000, adjustmentCents: 5000, patientResponsibilityCents: 4000, denied: false });
    expect(after.lines[1]).toMatchObject({ paidCents: 0, adjustmentCents: 10000, denied: true });
    expect(record).toMatchObject({ paidCents: 11000, patientResponsibilityCents: 4000, reversal: false, deniedLineIds: ['l2'] });
    expect(record.lines).toEqual([{ lineId: 'l1', paidCents: 11000, remarks: ['N130'] }, { lineId: 'l2', paidCents: 0, remarks: [] }]);
    expect(denials).toEqual([{ reason: 'CO-50', amountCents: 10000 }]);
  });

  it('marks a claim paid when no line is denied and denied when the payer denied it (CLP02 4)', () => {
    const paid = era({ services: [era().services[0]!, { ...era().services[1]!, paidCents: 6000, adjustments: [{ group: 'CO', reason: '45', amountCents: 4000 }] }] });
    expect(postAdjudication(claim(), paid, ids).claim.status).toBe('paid');
    const denied = postAdjudication(claim(), era({ statusCode: '4', paidCents: 0, patientResponsibilityCents: 0, services: [], adjustments: [{ group: 'CO', reason: '29', amountCents: 30000 }] }), ids);
    expect(denied.claim.status).toBe('denied');
    expect(denied.denials).toEqual([{ reason: 'CO-29', amountCents: 30000 }]);
  });

  it('does not call a line that went to the deductible denied', () => {
    expect(isDeniedService({ chargeCents: 100, paidCents: 0, adjustments: [{ group: 'CO', reason: '45', amountCents: 40 }, { group: 'PR', reason: '1', amountCents: 60 }] }, '1')).toBe(false);
    expect(isDeniedService({ chargeCents: 100, paidCents: 0, adjustments: [{ group: 'PI', reason: '204', amountCents: 100 }] }, '1')).toBe(true);
    expect(isDeniedService({ chargeCents: 100, paidCents: 0, adjustments: [{ group: 'OA', reason: '23', amountCents: 100 }] }, '2')).toBe(false);
    expect(isDeniedService({ chargeCents: 100, paidCents: 0, adjustments: [{ group: 'OA', reason: 'A7', amountCents: 100 }] }, '4')).toBe(true);
  });

  it('sorts patient responsibility by CARC: 1 deductible, 2 coinsurance, 3 copay, else other', () => {
    expect(patientResponsibilityOf([{ group: 'PR', reason: '3', amountCents: 5 }, { group: 'PR', reason: '2', amountCents: 7 }, { group: 'PR', reason: '1', amountCents: 1 }, { group: 'PR', reason: '96', amountCents: 2 }, { group: 'CO', reason: '45', amountCents: 9 }])).toEqual([
      { reason: 'deductible', amountCents: 1 },
      { reason: 'coinsurance', amountCents: 7 },
      { reason: 'copay', amountCents: 5 },
      { reason: 'other', amountCents: 2 },
    ]);
  });

  it('posts CLP05 as patient responsibility when the payer sent no PR adjustment, with a warning', () => {
    const p = postAdjudication(claim(), era({ services: [], paidCents: 26000, patientResponsibilityCents: 4000 }), ids);
    expect(p.claim.patientResponsibilityCents).toBe(4000);
    expect(p.warnings.map((w) => w.code)).toEqual(['patient-responsibility-without-cas']);
  });

  it('keeps claim-level adjustments on the claim, and the amounts of a service that matches no line', () => {
    const p = postAdjudication(claim(), era({ adjustments: [{ group: 'CO', reason: 'A2', amountCents: 500 }], services: [{ ...era().services[0]!, procedure: { code: '11111', modifiers: [] }, lineControlNumber: undefined }] }), ids);
    expect(p.claim.adjustmentCents).toBe(5500);
    expect(p.claim.lines.every((l) => l.paidCents === 0)).toBe(true);
    expect(p.record.adjustments.filter((a) => a.lineId === null)).toHaveLength(4);
    expect(p.warnings.map((w) => w.code)).toEqual(['line-not-matched']);
  });

  it('marks a claim forwarded to the next payer (CLP02 19)', () => {
    expect(postAdjudication(claim(), era({ statusCode: '19' }), ids).claim.forwardedTo).toBe('secondary payer');
  });
});

describe('reversals (CLP02 22)', () => {
  it('undo the earlier posting: negated record, totals and denials back, the claim accepted; a corrected CLP then posts anew', () => {
    const reversal = era({ statusCode: '22', paidCents: -11000, chargeCents: -30000, patientResponsibilityCents: -4000, services: [] });
    const corrected = era({ statusCode: '1', payerClaimControlNumber: 'ICN2', paidCents: 16000, patientResponsibilityCents: 4000, services: [era().services[0]!, { ...era().services[1]!, paidCents: 5000, adjustments: [{ group: 'CO', reason: '45', amountCents: 5000 }] }] });
    const plan = planRemittance(
      [{ ...era(), patientControlNumber: 'P1' }, { ...reversal, patientControlNumber: 'P1' }, { ...corrected, patientControlNumber: 'P1' }],
      new Map([['P1', claim()]]),
      ids,
    );
    const [first, undo, again] = plan.claims;
    expect(undo!.posting!.record).toMatchObject({ reversal: true, reversesId: first!.posting!.record.id, paidCents: -11000, patientResponsibilityCents: -4000 });
    expect(undo!.posting!.record.adjustments.map((a) => a.amountCents)).toEqual([-5000, -3000, -1000, -10000]);
    expect(undo!.posting!.claim).toMatchObject({ status: 'accepted', paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0 });
    expect(undo!.posting!.claim.lines.map((l) => [l.paidCents, l.adjustmentCents, l.denied])).toEqual([[0, 0, false], [0, 0, false]]);
    // The denial the first posting made is lifted by the same amount (finance moves it back).
    expect(first!.posting!.denials).toEqual([{ reason: 'CO-50', amountCents: 10000 }]);
    expect(undo!.posting!.denials).toEqual([{ reason: 'CO-50', amountCents: -10000 }]);
    expect(again!.posting!.denials).toEqual([]);
    expect([undo!.from, undo!.to, again!.from, again!.to]).toEqual(['partially-paid', 'accepted', 'accepted', 'paid']);
    expect(plan.states.get('c1')).toMatchObject({ status: 'paid', paidCents: 16000, adjustmentCents: 10000, patientResponsibilityCents: 4000 });
  });

  it('find nothing to undo on a claim never posted: the CLP waits for a biller', () => {
    expect(decidePosting(claim(), era({ statusCode: '22' }), ids)).toEqual({ kind: 'unmatched', reason: 'nothing-to-reverse' });
  });

  it('work out the denied lines of a stored posting again', () => {
    const { record } = postAdjudication(claim(), era(), ids);
    const { deniedLineIds, ...stored } = record;
    expect(deniedLinesOf(stored, claim().lines)).toEqual(deniedLineIds);
  });
});

describe('what the poster refuses or sets aside', () => {
  it('sets aside a claim not with the payer, and a CLP for no known claim', () => {
    expect(decidePosting(claim({ status: 'draft' }), era(), ids)).toEqual({ kind: 'unmatched', reason: 'claim-not-submitted' });
    const plan = planRemittance([{ ...era(), patientControlNumber: 'NOPE' }], new Map(), ids);
    expect(plan.claims[0]).toMatchObject({ claimId: null, unmatchedReason: 'no-claim' });
  });
});

describe('manual (paper EOB) postings', () => {
  it('post like an ERA when they balance, and name each field that does not', () => {
    const input = { paidCents: 11000, lines: [{ lineId: 'l1', paidCents: 11000, adjustments: [{ group: 'CO' as const, reason: '45', amountCents: 5000 }, { group: 'PR' as const, reason: '2', amountCents: 4000 }] }, { lineId: 'l2', paidCents: 0, adjustments: [{ group: 'CO' as const, reason: '97', amountCents: 10000 }] }] };
    expect(checkManualPayment(claim(), input)).toEqual([]);
    const p = postAdjudication(claim(), fromManualPayment(claim(), input), ids);
    expect(p.claim).toMatchObject({ status: 'partially-paid', paidCents: 11000, adjustmentCents: 15000, patientResponsibilityCents: 4000 });
    expect(p.record.source).toBe('manual');

    expect(checkManualPayment(claim(), { paidCents: 100 })).toEqual([{ path: '/paidCents', message: expect.stringContaining('must equal the charge covered 30000') }]);
    expect(checkManualPayment(claim(), { paidCents: 0, lines: [{ lineId: 'l1', paidCents: 5 }, { lineId: 'zz', paidCents: 0 }] }).map((x) => x.path)).toEqual(['/lines/0', '/lines/1/lineId']);
  });
});

describe('the adjudicated event', () => {
  it('carries ids and cents: adjustments without PR, patient responsibility by kind, per line; negative for a reversal', () => {
    const { record } = postAdjudication(claim(), era(), ids);
    const data = adjudicatedEventData(record, { id: 'c1', patientId: 'p1', payerId: 'y1' }, claim().lines, 'r1', '2026-03-20');
    expect(data).toMatchObject({
      claimId: 'c1',
      remittanceId: 'r1',
      paidCents: 11000,
      adjustments: [{ group: 'CO', reason: '45', amountCents: 5000 }, { group: 'CO', reason: '50', amountCents: 10000 }],
      patientResponsibility: [{ reason: 'deductible', amountCents: 3000 }, { reason: 'copay', amountCents: 1000 }],
      reversal: false,
    });
    expect(data.lines[0]).toEqual({ lineId: 'l1', serviceDate: '2026-03-01', chargeCents: 20000, paidCents: 11000, patientResponsibility: [{ reason: 'deductible', amountCents: 3000 }, { reason: 'copay', amountCents: 1000 }] });
  });
});
