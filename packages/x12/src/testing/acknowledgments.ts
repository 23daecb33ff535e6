/**
 * Shared by the 999 and 277CA tests (and the fuzz test): a 999 and a 277CA built from segments, and
 * the small 837P those acknowledgments answer, written by write837P.
 */
import type { Address, Claim837 } from '../types837.js';
import { write837P } from '../write837.js';
import { envelope, joinSegments } from './fixtures.js';

/** A 999 for group 17 of two 837Ps: 0001 accepted, 0002 rejected for CLM05-3 and a missing NM1. */
export const BODY_999 = [
  'AK1*HC*17*005010X222A1',
  'AK2*837*0001*005010X222A1',
  'IK5*A',
  'AK2*837*0002*005010X222A1',
  'IK3*CLM*22*2300*8',
  'CTX*CLM01:PCN-2',
  'IK4*5:3*1325*7*9',
  'IK3*NM1*31*2010BB*I6',
  'CTX*CLM01:PCN-2',
  'CTX*SITUATIONAL TRIGGER*CLM*22*2300*5:3*1325',
  'IK5*R*I5',
  'AK9*P*2*2*1',
];
export const ACK_999 = joinSegments(envelope(BODY_999, { type: '999', control: 905, stControl: '0001' }));

/** Payer, receiver and billing provider levels of a 277CA (HL 1, 2, 3). */
export const HEADER_277 = [
  'BHT*0085*08*277X214*20240305*1200*TH',
  'HL*1**20*1',
  'NM1*PR*2*HEALTH PLAN*****PI*HP001',
  'TRN*1*RECEIPT01',
  'DTP*050*D8*20240304',
  'DTP*009*D8*20240305',
  'HL*2*1*21*1',
  'NM1*41*2*ACME CLINIC*****46*SUB01',
  'TRN*2*41',
  'STC*A1:19:PR*20240305*WQ*250',
  'QTY*90*1',
  'QTY*AA*1',
  'AMT*YU*100',
  'AMT*YY*150',
  'HL*3*2*19*1',
  'NM1*85*2*ACME CLINIC*****XX*1234567893',
  'TRN*1*0',
  'REF*TJ*123456789',
  'QTY*QA*1',
  'QTY*QC*1',
  'AMT*YU*100',
  'AMT*YY*150',
];

/** One accepted claim (PCN-A) and one rejected claim (PCN-B) with line-level statuses. */
export const CLAIMS_277 = [
  'HL*4*3*PT',
  'NM1*QC*1*DOE*JOHN****MI*M123',
  'TRN*2*PCN-A',
  'STC*A2:20:PR*20240305*WQ*100',
  'REF*1K*2024065000123',
  'REF*D9*CH-TRACE-1',
  'DTP*472*D8*20240215',
  'HL*5*3*PT',
  'NM1*QC*1*DOE*JANE****MI*M124',
  'TRN*2*PCN-B',
  'STC*A7:21:85*20240305*U*150******A7:562:85*A8:145:IL',
  'REF*D9*CH-TRACE-2',
  'DTP*472*RD8*20240215-20240216',
  'SVC*HC:99213:25*100*0****1',
  'STC*A7:453:82*20240305*U*100',
  'REF*FJ*L1',
  'DTP*472*D8*20240215',
  'SVC*HC:36415*50*0****1',
  'STC*A2:20*20240305*WQ*50',
  'REF*FJ*L2',
];
export const ACK_277 = joinSegments(envelope([...HEADER_277, ...CLAIMS_277], { type: '277', control: 77, stControl: '1001' }));

const address: Address = { line1: '1 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' };

/** A one-line office visit claim of ACME CLINIC for JOHN DOE (M123), to be acknowledged. */
export function officeVisit(
  patientControlNumber: string,
  line: { procedure?: string; chargeCents?: number; serviceDate?: string; lineControlNumber?: string } = {},
): Claim837 {
  const chargeCents = line.chargeCents ?? 10000;
  return {
    patientControlNumber,
    chargeCents,
    frequencyCode: '1',
    placeOfService: '11',
    diagnoses: [{ qualifier: 'ABK', code: 'E119' }],
    billingProvider: { name: 'ACME CLINIC', npi: '1234567893', taxId: '123456789', address },
    subscriber: { lastName: 'DOE', firstName: 'JOHN', memberId: 'M123', relationship: '18', address },
    payer: { name: 'HEALTH PLAN', id: 'HP001' },
    lines: [
      {
        procedure: { qualifier: 'HC', code: line.procedure ?? '99213', modifiers: [] },
        chargeCents,
        units: 1,
        unitType: 'UN',
        diagnosisPointers: [1],
        serviceDate: line.serviceDate ?? '2024-02-15',
        ...(line.lineControlNumber ? { lineControlNumber: line.lineControlNumber } : {}),
      },
    ],
  };
}

/** The 837P ACME CLINIC sends to its clearinghouse (interchange `controlNumber`). */
export function write837ToClearinghouse(claims: Claim837[], controlNumber: number, maxClaimsPerTransaction?: number): string {
  return write837P({
    submitter: { name: 'ACME CLINIC', id: 'SUB01', phone: '5555551212' },
    receiver: { name: 'CLEARINGHOUSE', id: 'CH01' },
    interchange: { senderId: 'SUB01', receiverId: 'CH01', controlNumber, usage: 'T', date: '2024-03-01', time: '09:30' },
    claims,
    ...(maxClaimsPerTransaction ? { maxClaimsPerTransaction } : {}),
  });
}
