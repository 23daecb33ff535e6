// The clearinghouse's 999 and the payer's 277CA for a batch the demo sent, written as the X12 text
// those parties send back.
import { tokenize } from '@mso/x12';
import { envelope, joinSegments } from '@mso/x12/testing';
import type { Claim837 } from '@mso/x12';

/** A 999 accepting every transaction set of an 837P file. */
export function ack999(file837: string, control: number): string {
  const segs = tokenize(file837);
  const gs = segs.find((s) => s.id === 'GS')!;
  const sts = segs.filter((s) => s.id === 'ST');
  const body = [`AK1*HC*${gs.elements[5]}*${gs.elements[7]}`];
  for (const st of sts) body.push(`AK2*837*${st.elements[1]}*005010X222A1`, 'IK5*A');
  body.push(`AK9*A*${sts.length}*${sts.length}*${sts.length}`);
  return joinSegments(envelope(body, { type: '999', control }));
}

/** A 277CA accepting every claim sent but `rejectedPcn`, rejected for the subscriber's id (A7). */
export function ack277(claims: readonly Claim837[], provider: { name: string; npi: string }, rejectedPcn: string, control: number, date: string): string {
  const d = date.replaceAll('-', '');
  const body = [
    `BHT*0085*08*277X214*${d}*1200*TH`,
    'HL*1**20*1',
    'NM1*PR*2*BENCH HEALTH PLAN*****PI*60054',
    `TRN*1*RECEIPT${control}`,
    `DTP*050*D8*${d}`,
    `DTP*009*D8*${d}`,
    'HL*2*1*21*1',
    `NM1*41*2*${provider.name}*****46*SUB1234`,
    'TRN*2*41',
    `STC*A1:19:PR*${d}*WQ*100`,
    'HL*3*2*19*1',
    `NM1*85*2*${provider.name}*****XX*${provider.npi}`,
    'TRN*1*0',
  ];
  claims.forEach((claim, i) => {
    const charge = (claim.chargeCents / 100).toFixed(2);
    const pcn = claim.patientControlNumber;
    body.push(`HL*${4 + i}*3*PT`, `NM1*QC*1*${claim.subscriber.lastName}*${claim.subscriber.firstName}****MI*${claim.subscriber.memberId}`, `TRN*2*${pcn}`);
    if (pcn === rejectedPcn) body.push(`STC*A7:33:IL*${d}*U*${charge}`);
    else body.push(`STC*A2:20:PR*${d}*WQ*${charge}`, `REF*1K*PAYER${control}${i + 1}`);
  });
  return joinSegments(envelope(body, { type: '277', control, stControl: '2770' }));
}
