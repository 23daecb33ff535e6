import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse835, type Remittance, type X12Issue } from './index.js';
import { envelope, header835, isaSegment, joinSegments, thrown, type Delimiters } from './testing/fixtures.js';
import { generate835 } from './testing/generate835.js';

const SHARED = new URL('../../../../shared/x12/', import.meta.url);

function text835(body: string[], d: Delimiters = {}, options: Parameters<typeof envelope>[1] = {}): string {
  return joinSegments(envelope(body, options), d);
}

const CLAIM = [
  'CLP*PCN1*1*100*70*10*12*PAYERCLM1',
  'NM1*QC*1*DOE*JANE****MI*MEM1',
  'NM1*82*1*HOUSE*GREG****XX*1245319599',
  'MOA***MA01*MA18',
  'SVC*HC:99213:25:59*100*70**1',
  'DTM*472*20240215',
  'CAS*CO*45*20',
  'CAS*PR*2*10',
  'REF*6R*LINE1',
  'AMT*B6*80',
  'LQ*HE*N130',
  'LQ*RX*999',
];

describe('parse835 reads every part of a remittance', () => {
  it('maps header, payer, payee, claim, service, adjustments and remarks', () => {
    const { remittances, warnings } = parse835(text835([...header835('70'), ...CLAIM]));
    expect(warnings).toEqual([]);
    expect(remittances).toEqual<Remittance[]>([
      {
        controlNumber: '0001',
        payer: { name: 'TEST PAYER', id: 'PAYER01' },
        payee: { name: 'TEST CLINIC', npi: '1234567893', taxId: '987654321' },
        payment: {
          amountCents: 7000,
          creditDebit: 'C',
          method: 'ACH',
          date: '2024-03-02',
          traceNumber: 'TRACE0001',
          originatorId: '1512345678',
        },
        claims: [
          {
            patientControlNumber: 'PCN1',
            statusCode: '1',
            chargeCents: 10000,
            paidCents: 7000,
            patientResponsibilityCents: 1000,
            claimFilingIndicator: '12',
            payerClaimControlNumber: 'PAYERCLM1',
            patient: { lastName: 'DOE', firstName: 'JANE', memberId: 'MEM1' },
            renderingProviderNpi: '1245319599',
            adjustments: [],
            remarks: ['MA01', 'MA18'],
            services: [
              {
                procedure: { qualifier: 'HC', code: '99213', modifiers: ['25', '59'] },
                chargeCents: 10000,
                paidCents: 7000,
                units: 1,
                serviceDate: '2024-02-15',
                lineControlNumber: 'LINE1',
                allowedCents: 8000,
                adjustments: [
                  { group: 'CO', reason: '45', amountCents: 2000 },
                  { group: 'PR', reason: '2', amountCents: 1000 },
                ],
                remarks: ['N130'],
              },
            ],
          },
        ],
        providerAdjustments: [],
      },
    ]);
  });

  it('dates the payment with DTM*405, or BPR16 with a warning when there is no DTM*405', () => {
    const withoutDtm = header835('70').filter((seg) => !seg.startsWith('DTM*405'));
    const { remittances, warnings } = parse835(text835([...withoutDtm, ...CLAIM]));
    expect(remittances[0]?.payment.date).toBe('2024-03-01');
    expect(warnings).toEqual([expect.objectContaining({ code: 'missing-segment', segmentId: 'BPR', elementIndex: 16, segmentIndex: 3 })]);
    const neither = parse835(text835([...withoutDtm.map((seg) => seg.replace('*20240301', '')), ...CLAIM]));
    expect(neither.remittances[0]?.payment.date).toBe('');
    expect(neither.warnings[0]?.message).toContain('payment.date is empty');
    const badDtm = parse835(text835([...header835('70').map((seg) => seg.replace('DTM*405*20240302', 'DTM*405*20241302')), ...CLAIM]));
    expect(badDtm.remittances[0]?.payment.date).toBe('2024-03-01');
    expect(badDtm.warnings.map((w) => [w.code, w.segmentId])).toEqual([
      ['invalid-date', 'DTM'],
      ['missing-segment', 'BPR'],
    ]);
  });

  it('reads a CAS with six triplets, quantities included', () => {
    const body = [
      ...header835('40'),
      'CLP*PCN6*1*100*40*0*12',
      'CAS*CO*45*10*1*A1*5**B1*5*2*B2*5**B3*10*1.5*B4*25',
    ];
    const { remittances, warnings } = parse835(text835(body));
    expect(warnings).toEqual([]);
    expect(remittances[0]?.claims[0]?.adjustments).toEqual([
      { group: 'CO', reason: '45', amountCents: 1000, quantity: 1 },
      { group: 'CO', reason: 'A1', amountCents: 500 },
      { group: 'CO', reason: 'B1', amountCents: 500, quantity: 2 },
      { group: 'CO', reason: 'B2', amountCents: 500 },
      { group: 'CO', reason: 'B3', amountCents: 1000, quantity: 1.5 },
      { group: 'CO', reason: 'B4', amountCents: 2500 },
    ]);
  });

  it('reads a PLB with several pairs and balances BPR02 = Σ CLP04 − Σ PLB', () => {
    const body = [
      ...header835('50'),
      'CLP*PCN1*1*100*70*0*12',
      'CAS*CO*45*30',
      'PLB*1234567893*20241231*WO:INV001*15*L6*5*72:REF9*-10',
      'PLB*1234567893*20241231*FB*10',
    ];
    const { remittances, warnings } = parse835(text835(body));
    expect(warnings).toEqual([]);
    expect(remittances[0]?.providerAdjustments).toEqual([
      { providerId: '1234567893', fiscalPeriodDate: '2024-12-31', reason: 'WO', reference: 'INV001', amountCents: 1500 },
      { providerId: '1234567893', fiscalPeriodDate: '2024-12-31', reason: 'L6', amountCents: 500 },
      { providerId: '1234567893', fiscalPeriodDate: '2024-12-31', reason: '72', reference: 'REF9', amountCents: -1000 },
      { providerId: '1234567893', fiscalPeriodDate: '2024-12-31', reason: 'FB', amountCents: 1000 },
    ]);
    const wrong = parse835(text835(body.map((s) => s.replace('BPR*I*50*', 'BPR*I*70*'))));
    expect(wrong.warnings).toEqual([
      expect.objectContaining({ code: 'unbalanced-payment', segmentId: 'BPR', elementIndex: 2, segmentIndex: 3, transactionControlNumber: '0001' }),
    ]);
    expect(wrong.warnings[0]?.message).toContain('70');
  });

  it('reads reversals (CLP02 = 22) with negative amounts that still balance', () => {
    const body = [
      ...header835('-0'),
      'CLP*PCN1*22*-100*-70*-10*12*ORIG1',
      'SVC*HC:99213*-100*-70**-1',
      'CAS*CO*45*-20*-1*A2*0',
      'CAS*PR*2*-10',
      'CLP*PCN1*1*100*70*10*12*NEW1',
      'SVC*HC:99213*100*70**1',
      'CAS*CO*45*20',
      'CAS*PR*2*10',
    ];
    const { remittances, warnings } = parse835(text835(body));
    expect(warnings).toEqual([]);
    const [reversal, corrected] = remittances[0]?.claims ?? [];
    expect(reversal).toMatchObject({ statusCode: '22', chargeCents: -10000, paidCents: -7000, patientResponsibilityCents: -1000 });
    expect(reversal?.services[0]).toMatchObject({ chargeCents: -10000, paidCents: -7000, units: -1 });
    expect(corrected?.paidCents).toBe(7000);
    expect(remittances[0]?.payment.amountCents).toBe(0);
  });

  it('treats a debit (BPR03 = D) as a negative payment when balancing', () => {
    const body = [...header835('30').map((s) => s.replace('*C*ACH', '*D*ACH')), 'CLP*PCN1*22*-100*-30*0*12', 'CAS*CO*45*-70'];
    expect(parse835(text835(body)).warnings).toEqual([]);
  });

  it('reports unbalanced lines, claims and patient responsibility, naming the claim and line', () => {
    const body = [
      ...header835('70'),
      'CLP*PCN9*1*100*70*15*12',
      'SVC*HC:99214*100*70',
      'CAS*CO*45*20',
      'CAS*PR*2*5',
    ];
    const { warnings } = parse835(text835(body));
    expect(warnings.map((w) => [w.code, w.segmentId, w.segmentIndex])).toEqual([
      ['unbalanced-service-line', 'SVC', 13],
      ['unbalanced-claim', 'CLP', 12],
      ['unbalanced-patient-responsibility', 'CLP', 12],
    ]);
    expect(warnings[0]?.message).toContain('claim PCN9 service line 1 (HC:99214)');
    expect(warnings[0]?.message).toContain('30');
    expect(warnings[1]?.message).toContain('claim PCN9');
    expect(warnings[2]?.message).toMatch(/15.*5/);
  });
});

describe('parse835 tolerates real-world layout', () => {
  const sample = readFileSync(new URL('LinuxForHealth__x12__managed-care.835', SHARED), 'latin1');
  const reference = parse835(sample);

  it('byte-order mark, CR/LF and indentation give the same result', () => {
    const segs = sample.split('~').map((s) => s.trim()).filter(Boolean);
    const messy = `\uFEFF${segs.map((s) => `  ${s}~\r\n`).join('')}`;
    expect(parse835(messy)).toEqual(reference);
    expect(parse835(new TextEncoder().encode(messy))).toEqual(reference);
  });

  it('non-default separators give the same result', () => {
    const segs = sample.split('~').map((s) => s.trim()).filter(Boolean);
    const other = joinSegments(segs, { element: '|', component: '>', repetition: '!', segment: '\n' });
    expect(other).toContain('SVC|HC>99211|800.00|500.00\n');
    expect(parse835(other)).toEqual(reference);
  });

  it('reads several interchanges (with different separators) in one file', () => {
    const a = joinSegments(envelope([...header835('70'), ...CLAIM], { control: 1 }));
    const b = joinSegments(envelope([...header835('0'), 'CLP*PCN2*4*50*0*0*12', 'CAS*CO*50*50'], { control: 2, stControl: '0002' }), {
      element: '^',
      component: '>',
      repetition: '{',
      segment: "'",
      after: '\n',
    });
    const { remittances, warnings } = parse835(`${a}\n${b}`);
    expect(warnings).toEqual([]);
    expect(remittances.map((r) => [r.controlNumber, r.claims.length, r.payment.amountCents])).toEqual([
      ['0001', 1, 7000],
      ['0002', 1, 0],
    ]);
  });

  it('reads several transactions in one group', () => {
    const one = envelope([...header835('70'), ...CLAIM]);
    const st2 = ['ST*835*0002', ...header835('0'), 'CLP*PCN2*4*50*0*0*12', 'CAS*CO*50*50', `SE*${header835('0').length + 4}*0002`];
    const segs = [...one.slice(0, -2), ...st2, 'GE*2*1', one[one.length - 1] as string];
    const { remittances, warnings } = parse835(joinSegments(segs));
    expect(warnings).toEqual([]);
    expect(remittances).toHaveLength(2);
  });
});

describe('parse835 reports envelope problems as warnings', () => {
  const body = [...header835('70'), ...CLAIM];

  it('wrong SE01 count', () => {
    const { remittances, warnings } = parse835(text835(body, {}, { seCount: 5 }));
    expect(remittances).toHaveLength(1);
    expect(warnings).toEqual([
      {
        code: 'se-count-mismatch',
        message: `SE01 says 5 segments, transaction 0001 has ${body.length + 2}`,
        segmentIndex: body.length + 3,
        segmentId: 'SE',
        elementIndex: 1,
        transactionControlNumber: '0001',
      },
    ]);
  });

  it('control numbers that do not match and wrong GE01/IEA01 counts', () => {
    const segs = envelope(body);
    const n = segs.length;
    segs[n - 3] = (segs[n - 3] as string).replace('*0001', '*0002');
    segs[n - 2] = 'GE*2*9';
    segs[n - 1] = 'IEA*3*000000002';
    const { remittances, warnings } = parse835(joinSegments(segs));
    expect(remittances).toHaveLength(1);
    expect(warnings.map((w) => [w.code, w.segmentId, w.elementIndex])).toEqual([
      ['control-number-mismatch', 'SE', 2],
      ['ge-count-mismatch', 'GE', 1],
      ['control-number-mismatch', 'GE', 2],
      ['iea-count-mismatch', 'IEA', 1],
      ['control-number-mismatch', 'IEA', 2],
    ]);
  });

  it('missing SE, GE and IEA', () => {
    const segs = envelope(body).slice(0, -3);
    const { remittances, warnings } = parse835(joinSegments(segs));
    expect(remittances[0]?.claims).toHaveLength(1);
    expect(warnings.map((w) => w.code)).toEqual(['missing-se', 'missing-ge', 'missing-iea']);
  });

  it('unknown and misplaced segments are named in warnings', () => {
    const { warnings } = parse835(text835([...header835('70'), 'ZZZ*1', ...CLAIM, 'BPR*I*1*C*CHK']));
    expect(warnings.map((w) => [w.code, w.segmentId, w.segmentIndex])).toEqual([
      ['unexpected-segment', 'ZZZ', 12],
      ['unexpected-segment', 'BPR', 25],
    ]);
    expect(warnings[0]?.message).toContain('ZZZ');
  });

  it('skips other transaction types with a warning, and fails when no 835 is left', () => {
    const other = joinSegments(envelope(['BHT*0019*00*1*20240101*1200*CH'], { type: '837' }));
    const both = parse835(other + text835([...header835('70'), ...CLAIM], {}, { control: 2 }));
    expect(both.remittances).toHaveLength(1);
    expect(both.warnings).toEqual([expect.objectContaining({ code: 'unexpected-transaction-type', segmentId: 'ST', segmentIndex: 2 })]);
    expect(thrown(() => parse835(other))).toMatchObject({ code: 'missing-st' });
  });
});

describe('parse835 throws X12Error with the location of unreadable content', () => {
  const at = (body: string[]) => thrown(() => parse835(text835([...header835('70'), ...body])));

  it('a CLP without amounts', () => {
    expect(at(['CLP*PCN1*1'])).toMatchObject({ code: 'missing-element', segmentIndex: 12, segmentId: 'CLP', elementIndex: 3, transactionControlNumber: '0001' });
  });

  it('non-numeric and malformed amounts', () => {
    expect(at(['CLP*PCN1*1*1,000.00*70'])).toMatchObject({ code: 'invalid-amount', segmentId: 'CLP', elementIndex: 3 });
    expect(at(['CLP*PCN1*1*100*70', 'CAS*CO*45*ABC'])).toMatchObject({ code: 'invalid-amount', segmentIndex: 13, segmentId: 'CAS', elementIndex: 3 });
    expect(at(['CLP*PCN1*1*100*70', 'CAS*CO*45*30**A2*3,5'])).toMatchObject({ code: 'invalid-amount', segmentId: 'CAS', elementIndex: 6 });
    expect(at(['CLP*PCN1*1*100*70', 'SVC*HC:99213*100*70.001'])).toMatchObject({ code: 'invalid-amount', segmentId: 'SVC', elementIndex: 3 });
    expect(at(['CLP*PCN1*1*100*70', 'SVC*HC:99213*100*70**two'])).toMatchObject({ code: 'invalid-number', segmentId: 'SVC', elementIndex: 5 });
    expect(at(['PLB*1*20241231*WO'])).toMatchObject({ code: 'missing-element', segmentId: 'PLB', elementIndex: 4 });
  });

  it('an unknown adjustment group and a CAS amount without reason', () => {
    expect(at(['CLP*PCN1*1*100*70', 'CAS*XX*45*30'])).toMatchObject({ code: 'invalid-code', segmentId: 'CAS', elementIndex: 1 });
    expect(at(['CLP*PCN1*1*100*70', 'CAS*CO**30'])).toMatchObject({ code: 'missing-element', segmentId: 'CAS', elementIndex: 2 });
  });

  it('a BPR amount that is not a number, and no BPR at all', () => {
    expect(thrown(() => parse835(text835([...header835('ABC')])))).toMatchObject({ code: 'invalid-amount', segmentIndex: 3, segmentId: 'BPR', elementIndex: 2 });
    expect(thrown(() => parse835(text835(header835('1').slice(1))))).toMatchObject({ code: 'missing-segment', segmentId: 'SE' });
  });

  it('no ISA, an empty input, no ST', () => {
    expect(thrown(() => parse835('ST*835*0001~SE*2*0001~'))).toMatchObject({ code: 'missing-isa', segmentIndex: 0, segmentId: 'ST' });
    expect(thrown(() => parse835(''))).toMatchObject({ code: 'missing-isa' });
    expect(thrown(() => parse835(joinSegments([isaSegment(1), 'IEA*0*000000001'])))).toMatchObject({ code: 'missing-st', segmentIndex: 1 });
  });
});

describe('a generated 10,000-claim 835', () => {
  it('gives the generator’s counts and sums without warnings', () => {
    const g = generate835(10_000);
    expect(g.text.length).toBeGreaterThan(1_400_000);
    const { remittances, warnings } = parse835(g.text);
    expect(warnings).toEqual([]);
    expect(remittances).toHaveLength(1);
    const r = remittances[0] as Remittance;
    let services = 0;
    let adjustments = 0;
    let charge = 0;
    let paid = 0;
    let pr = 0;
    for (const c of r.claims) {
      charge += c.chargeCents;
      paid += c.paidCents;
      pr += c.patientResponsibilityCents;
      services += c.services.length;
      adjustments += c.adjustments.length;
      for (const s of c.services) adjustments += s.adjustments.length;
    }
    expect({ claims: r.claims.length, services, adjustments, charge, paid, pr, payment: r.payment.amountCents }).toEqual({
      claims: 10_000,
      services: g.services,
      adjustments: g.adjustments,
      charge: g.chargeCents,
      paid: g.paidCents,
      pr: g.patientResponsibilityCents,
      payment: g.paymentCents,
    });
    expect(r.claims[9_999]?.patientControlNumber).toBe('PCN0010000');
  }, 90_000);

  it('reports every unbalanced claim of a large file', () => {
    const g = generate835(500);
    // break every claim: raise the paid amount in each CLP04 by one cent
    const broken = g.text.replace(/(CLP\*[^*]*\*1\*[^*]*\*)([0-9.]+)/g, (_m, head: string, paid: string) => {
      const cents = Math.round(Number(paid) * 100) + 1;
      return `${head}${(cents / 100).toFixed(2)}`;
    });
    const warnings: X12Issue[] = parse835(broken).warnings;
    expect(warnings.filter((w) => w.code === 'unbalanced-claim')).toHaveLength(500);
    expect(warnings.filter((w) => w.code === 'unbalanced-payment')).toHaveLength(1);
  });
});

describe('the built-in warm-up remittance', () => {
  it('reads cleanly, so its reader, handler and result stay alive', async () => {
    const { warmSample } = await import('./parse835.js');
    const { text, kept } = warmSample();
    expect(kept).toBe(4);
    const { remittances, warnings } = parse835(text);
    expect(warnings).toEqual([]);
    expect(remittances[0]?.claims).toHaveLength(3);
  });
});
