import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse835, parse837P, write837P, type Claim837, type Remittance } from './index.js';

/** /work/shared/x12 locally; `../shared/x12` next to the repository in CI. */
const SHARED = new URL('../../../../shared/x12/', import.meta.url);
const read = (name: string): Buffer => readFileSync(new URL(name, SHARED));

interface Totals835 {
  bpr: number;
  clp: number;
  clp04: number;
  clp03: number;
  cas: number;
  svc: number;
}

function totals835(remittances: Remittance[]): Totals835 {
  let clp = 0;
  let clp04 = 0;
  let clp03 = 0;
  let cas = 0;
  let svc = 0;
  let bpr = 0;
  for (const r of remittances) {
    bpr += r.payment.amountCents;
    for (const c of r.claims) {
      clp++;
      clp04 += c.paidCents;
      clp03 += c.chargeCents;
      cas += c.adjustments.length;
      for (const s of c.services) {
        svc++;
        cas += s.adjustments.length;
      }
    }
  }
  return { bpr, clp, clp04, clp03, cas, svc };
}

describe('shared 835 samples give the totals of the README', () => {
  it('cob-contractural-adjustment.835: secondary claim, negative OA, ">" kept as data in SVC01', () => {
    const { remittances, warnings } = parse835(read('LinuxForHealth__x12__cob-contractural-adjustment.835'));
    expect(totals835(remittances)).toEqual({ bpr: 3400, clp: 1, clp04: 3400, clp03: 54100, cas: 2, svc: 1 });
    const claim = remittances[0]?.claims[0];
    expect(claim?.statusCode).toBe('2');
    expect(claim?.services[0]?.adjustments).toEqual([
      { group: 'OA', reason: '23', amountCents: 51600 },
      { group: 'OA', reason: '94', amountCents: -900 },
    ]);
    // ISA16 is ':' so 'HC>55669' is one component: read as such, and reported
    expect(claim?.services[0]?.procedure).toEqual({ qualifier: 'HC>55669', code: '', modifiers: [] });
    expect(warnings.some((w) => w.code === 'missing-element' && w.segmentId === 'SVC' && w.message.includes("'HC>55669'"))).toBe(true);
    expect(claim?.services[0]?.allowedCents).toBe(55000);
    expect(claim?.patient).toEqual({ lastName: 'BURCK', firstName: 'RAYMOND', memberId: '987654321' });
    expect(remittances[0]?.payment).toEqual({
      amountCents: 3400,
      creditDebit: 'C',
      method: 'CHK',
      date: '2005-03-18',
      traceNumber: '0063158ABC',
      originatorId: '1566339911',
    });
    expect(remittances[0]?.payer).toEqual({ name: 'YOUR TAX DOLLARS AT WORK', id: '1566339911' });
    expect(warnings).toHaveLength(1);
  });

  it('managed-care.835: two claims, claim-level CO*A2, line PR*1 and CO*45, SVC without units', () => {
    const { remittances, warnings } = parse835(read('LinuxForHealth__x12__managed-care.835'));
    expect(totals835(remittances)).toEqual({ bpr: 94500, clp: 2, clp04: 94500, clp03: 200000, cas: 5, svc: 2 });
    const r = remittances[0] as Remittance;
    expect(r.controlNumber).toBe('112233');
    expect(r.payee).toEqual({ name: 'ACME MEDICAL CENTER', npi: '5544667733', taxId: '777667755' });
    expect(r.payment).toMatchObject({ amountCents: 94500, creditDebit: 'C', method: 'ACH', traceNumber: '7170066655', originatorId: '1935665544' });
    expect(r.claims[0]?.services[0]?.units).toBeUndefined();
    expect(r.claims[1]?.patientResponsibilityCents).toBe(60000);
    expect(r.claims[0]?.services[0]?.serviceDate).toBe('2002-03-01');
    expect(r.payment.date).toBe('2002-03-14');
    expect(warnings).toEqual([]);
  });

  it('835_mult_loops.txt: denied claim, zero-dollar NON payment, TS3, three SVC with CAS and LQ*HE', () => {
    const { remittances, warnings } = parse835(read('azoner__pyx12__835_mult_loops.txt'));
    expect(totals835(remittances)).toEqual({ bpr: 0, clp: 1, clp04: 0, clp03: 91539, cas: 3, svc: 3 });
    const r = remittances[0] as Remittance;
    expect(r.payment.method).toBe('NON');
    expect(r.payment.date).toBe('2013-09-01');
    expect(r.claims[0]?.statusCode).toBe('4');
    expect(r.claims[0]?.services.map((s) => s.remarks)).toEqual([['N14'], ['N14'], ['N14']]);
    expect(r.claims[0]?.services.map((s) => s.units)).toEqual([68, 16, 36]);
    expect(warnings).toEqual([]);
  });
});

describe('shared 837P samples give the totals of the README', () => {
  const sum = (claims: Claim837[]) => ({
    clm: claims.length,
    clm02: claims.reduce((a, c) => a + c.chargeCents, 0),
    sv1: claims.reduce((a, c) => a + c.lines.length, 0),
    sv102: claims.reduce((a, c) => a + c.lines.reduce((b, l) => b + l.chargeCents, 0), 0),
  });

  it('demo.example7.837: DME claim with a space and # in CLM01, two rental lines', () => {
    const { claims, warnings } = parse837P(read('LinuxForHealth__x12__demo.example7.837'));
    expect(sum(claims)).toEqual({ clm: 1, clm02: 52024, sv1: 2, sv102: 52024 });
    const c = claims[0] as Claim837;
    expect(c.patientControlNumber).toBe('R03996273 #01');
    expect(c.diagnoses).toEqual([
      { qualifier: 'BK', code: '496' },
      { qualifier: 'BF', code: '51881' },
      { qualifier: 'BF', code: '2859' },
    ]);
    expect(c.lines[0]).toMatchObject({ procedure: { qualifier: 'HC', code: 'E1390', modifiers: ['RR'] }, units: 1, unitType: 'UN', diagnosisPointers: [1, 2], serviceDate: '2005-03-21' });
    expect(c.lines[1]?.dates).toEqual([
      { qualifier: '607', date: '2005-03-21' },
      { qualifier: '463', date: '2004-03-21' },
      { qualifier: '461', date: '2005-03-01' },
    ]);
    // PWK, CR3, the ordering provider (NM1*DK and its loop) and LQ/FRM are not mapped: each is reported
    const unmapped = warnings.filter((w) => w.code === 'unmapped-segment').map((w) => w.segmentId);
    expect(unmapped).toEqual(['PWK', 'CR3', 'NM1', 'LQ', 'PWK', 'CR3', 'NM1', 'LQ']);
    expect(warnings.filter((w) => w.code !== 'unmapped-segment')).toEqual([]);
  });

  it('UHIN 837.edi: one $2 claim, ICD-10 ABK:R69, billing NPI 1245319599', () => {
    const { claims, warnings } = parse837P(read('UHIN__x12-parser-library__837.edi'));
    expect(sum(claims)).toEqual({ clm: 1, clm02: 200, sv1: 1, sv102: 200 });
    const c = claims[0] as Claim837;
    expect(c.diagnoses).toEqual([{ qualifier: 'ABK', code: 'R69' }]);
    expect(c.billingProvider).toMatchObject({ name: 'NY UHIN PROVIDER', npi: '1245319599', taxId: '123456789', taxonomy: '111N00000X' });
    expect(c.subscriber).toMatchObject({ lastName: 'MARQUARDT', firstName: 'RALPH', memberId: '601239742', relationship: '18', dateOfBirth: '1946-11-11', gender: 'F' });
    expect(c.payer).toEqual({ name: 'FLORIDA DIRECT UHIN PAYER', id: 'FLHIN' });
    expect(c.lines[0]).toMatchObject({ serviceDate: '2024-08-15', serviceDateEnd: '2024-08-20' });
    expect(warnings).toEqual([]);
  });

  it('both 837P samples survive parse → write837P → parse unchanged', () => {
    for (const name of ['LinuxForHealth__x12__demo.example7.837', 'UHIN__x12-parser-library__837.edi']) {
      const { claims } = parse837P(read(name));
      const text = write837P({
        submitter: { name: 'SUBMITTER', id: 'S1', phone: '5555551212' },
        receiver: { name: 'RECEIVER', id: 'R1' },
        interchange: { senderId: 'S1', receiverId: 'R1', controlNumber: 42, usage: 'T', date: '2024-03-01' },
        claims,
      });
      const again = parse837P(text);
      expect(again.claims).toStrictEqual(claims);
      expect(again.warnings).toEqual([]);
    }
  });
});
