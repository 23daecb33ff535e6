import { X12Parser } from 'node-x12';
import { describe, expect, it } from 'vitest';
import { parse837P, write837P } from '@mso/x12';
import { decide277, rejectionOf999 } from './acknowledgment.js';
import { batchEnvelope, batchProblems, toClaim837, type BatchClaimSource, type ProviderRecord } from './batch.js';

const address = { line1: '1 MAIN ST', city: 'TAMPA', state: 'FL', postalCode: '33606' };
const billingProvider: ProviderRecord = { id: 'bp', npi: '1234567893', name: 'CLINIC', firstName: null, taxonomyCode: '207Q00000X', address, taxId: '123456789' };
const payer = { id: 'payer', name: 'AETNA', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' };

/** A claim built from an encounter: no import details, everything from billing's records. */
const source = (extra: Partial<BatchClaimSource> = {}): BatchClaimSource => ({
  claim: {
    id: 'c1',
    patientControlNumber: 'C2345',
    frequencyCode: '1',
    payerClaimControlNumber: 'ICN1',
    placeOfService: '11',
    diagnoses: [{ code: 'E119', qualifier: 'ABK' }],
    priorAuthorization: null,
    chargeCents: 12_500,
    referringProvider: { npi: '1245319599', lastName: 'REF', firstName: 'RITA' },
    details: {},
  },
  lines: [{ procedureCode: '99213', modifiers: ['25'], units: 1, chargeCents: 12_500, diagnosisPointers: [1], serviceDate: '2026-05-01', placeOfService: null, renderingProviderId: null, lineControlNumber: 'C2345-1', details: {} }],
  patient: { firstName: 'JANE', lastName: 'DOE', middleName: null, dateOfBirth: '1980-01-01', sex: 'F', address },
  coverage: { memberId: 'M1', groupNumber: null, relationship: 'self', subscriber: null, order: 'primary' },
  payer,
  billingProvider,
  renderingProvider: null,
  providers: new Map(),
  ...extra,
});
const write = (s: BatchClaimSource) => write837P({ ...batchEnvelope(undefined, billingProvider, payer, 7, new Date('2026-05-22T15:00:00Z')), claims: [toClaim837(s)] });

describe('batch claims', () => {
  it('writes a claim built from records: strict node-x12 reads it, and the payer number is left out of an original', () => {
    const text = write(source());
    const parser = new X12Parser(true);
    parser.parse(text);
    expect(parser.diagnostics).toEqual([]);
    const [claim] = parse837P(text).claims;
    expect(claim).toMatchObject({
      patientControlNumber: 'C2345',
      subscriber: { memberId: 'M1', relationship: '18', firstName: 'JANE', dateOfBirth: '1980-01-01', gender: 'F' },
      referringProvider: { npi: '1245319599', lastName: 'REF', firstName: 'RITA' },
      claimFilingIndicator: 'CI',
      lines: [{ lineControlNumber: 'C2345-1', procedure: { code: '99213', modifiers: ['25'] } }],
    });
    expect(claim!.payerClaimControlNumber).toBeUndefined();
    expect(text).toContain('ISA*00*          *00*          *ZZ*1234567893     *ZZ*60054          *260522*1500*^*00501*000000007*0*P*:~');
  });

  it('writes a dependent under the subscriber with PAT, and REF*F8 on a corrected claim', () => {
    const subscriber = { firstName: 'JOHN', lastName: 'DOE', dateOfBirth: '1978-01-01', sex: 'M' as const, address };
    const s = source({ coverage: { memberId: 'M1', groupNumber: 'G1', relationship: 'child', subscriber, order: 'secondary' } });
    s.claim.frequencyCode = '7';
    const [claim] = parse837P(write(s)).claims;
    expect(claim).toMatchObject({ frequencyCode: '7', payerClaimControlNumber: 'ICN1', payerResponsibility: 'S', subscriber: { firstName: 'JOHN', memberId: 'M1', groupNumber: 'G1' }, patient: { firstName: 'JANE', relationship: '19' } });
  });

  it('names what keeps a claim out of a file', () => {
    expect(batchProblems(source({ billingProvider: { ...billingProvider, address: null }, coverage: null }), 3).map((p) => p.path)).toEqual(['/claims/3/billingProviderId', '/claims/3/coverageId']);
  });

  it('takes submitter, receiver and usage from the EDI terms', () => {
    const envelope = batchEnvelope({ submitterId: 'SUB1', submitterName: 'MSO BILLING', receiverId: 'RCV1', receiverName: 'CH', usage: 'T' }, billingProvider, payer, 1, new Date('2026-05-22T15:00:00Z'));
    expect(envelope).toMatchObject({ submitter: { name: 'MSO BILLING', id: 'SUB1' }, receiver: { name: 'CH', id: 'RCV1' }, interchange: { senderId: 'SUB1', receiverId: 'RCV1', usage: 'T' } });
  });
});

describe('acknowledgment decisions', () => {
  it('points a 999 rejection at the error of the claim it names', () => {
    const set = {
      acknowledgmentControlNumber: '0001',
      groupControlNumber: '7',
      transactionSetId: '837',
      controlNumber: '0001',
      status: 'rejected' as const,
      code: 'R',
      syntaxErrors: ['5'],
      errors: [
        { segmentId: 'CLM', position: 22, code: '8', claimControlNumber: 'OTHER', element: { position: 5, code: '7' } },
        { segmentId: 'NM1', position: 31, code: 'I6', claimControlNumber: 'C2345' },
      ],
    };
    expect(rejectionOf999(set, 'C2345', '2026-05-22T15:00:00.000Z')).toMatchObject({ codes: ['IK5:R', 'IK5:5', 'IK3:I6'], segment: { id: 'NM1', position: 31, element: null } });
    expect(rejectionOf999(set, 'NOT-NAMED', '2026-05-22T15:00:00.000Z').segment).toEqual({ id: 'CLM', position: 22, element: 5 });
  });

  it('moves a 277CA claim only on accepted or rejected', () => {
    const c = (status: 'accepted' | 'rejected' | 'pended') => ({ status }) as Parameters<typeof decide277>[0];
    expect([decide277(c('accepted')).to, decide277(c('rejected')).to, decide277(c('pended')).to]).toEqual(['accepted', 'rejected', null]);
  });
});
