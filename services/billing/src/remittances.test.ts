import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  claimAdjudicated,
  claimDenied,
  createPatient,
  createPayer,
  createProvider,
  getRemittance,
  listDenials,
  listRemittances,
  listUnmatchedRemittances,
  matchUnmatchedRemittance,
  postClaimPayment,
  postRemittance,
  remittancePosted,
  type Remittance,
  type RemittancePosting,
} from '@mso/contracts/billing';
import type { Db } from '@mso/kit';
import { testService, type TestService } from '@mso/testing';
import { insertClaim, loadClaim } from './handlers/claim-store.js';
import { rowsOf } from './handlers/remittances/store.js';
import { billing } from './service.js';

let t: TestService;
let practiceId: string;
let otherPractice: string;
let payerId: string;
let patientId: string;
let providerId: string;
const admin = () => ({ practiceId, role: 'practice-admin' as const });
const db = () => t.database!.db as unknown as Db;

// ---- A small 835 writer for the cases the shared samples do not cover ---------------------------

interface Svc {
  code: string;
  modifiers?: string[];
  charge: number;
  paid: number;
  date?: string;
  ref?: string;
  cas?: [group: string, reason: string, amount: number][];
  original?: string;
}
interface Clp {
  pcn: string;
  status?: string;
  charge: number;
  paid: number;
  pr?: number;
  icn?: string;
  cas?: [group: string, reason: string, amount: number][];
  services?: Svc[];
}
const money = (cents: number) => (cents / 100).toFixed(2);

function transaction835(control: string, trace: string, claims: Clp[], plb: [reason: string, reference: string, amount: number][] = []): string[] {
  const paid = claims.reduce((n, c) => n + c.paid, 0) - plb.reduce((n, p) => n + p[2], 0);
  const segs = [
    `ST*835*${control}`,
    `BPR*I*${money(paid)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260320`,
    `TRN*1*${trace}*1512345678`,
    'DTM*405*20260320',
    'N1*PR*GULF COAST HEALTH PLAN*XV*GCHP1',
    'N3*1 PAYER WAY',
    'N4*TAMPA*FL*33606',
    'N1*PE*BAYSHORE FAMILY MEDICINE*XX*1234567893',
    'LX*1',
  ];
  for (const c of claims) {
    segs.push(`CLP*${c.pcn}*${c.status ?? '1'}*${money(c.charge)}*${money(c.paid)}*${c.pr !== undefined ? money(c.pr) : ''}*12*${c.icn ?? `ICN${c.pcn}`}`);
    for (const [g, r, a] of c.cas ?? []) segs.push(`CAS*${g}*${r}*${money(a)}`);
    segs.push('NM1*QC*1*DOE*JANE****MI*W123456789');
    for (const s of c.services ?? []) {
      segs.push(`SVC*HC:${[s.code, ...(s.modifiers ?? [])].join(':')}*${money(s.charge)}*${money(s.paid)}**1${s.original ? `*HC:${s.original}` : ''}`);
      segs.push(`DTM*472*${(s.date ?? '2026-03-02').replace(/-/g, '')}`);
      for (const [g, r, a] of s.cas ?? []) segs.push(`CAS*${g}*${r}*${money(a)}`);
      if (s.ref) segs.push(`REF*6R*${s.ref}`);
    }
  }
  for (const [reason, reference, amount] of plb) segs.push(`PLB*1234567893*20261231*${reason}:${reference}*${money(amount)}`);
  segs.push(`SE*${segs.length + 1}*${control}`);
  return segs;
}

function file835(...transactions: string[][]): Uint8Array {
  const segs = [
    'ISA*00*          *00*          *ZZ*GCHP           *ZZ*BAYSHORE       *260320*1200*^*00501*000000101*0*P*:',
    'GS*HP*GCHP*BAYSHORE*20260320*1200*101*X*005010X221A1',
    ...transactions.flat(),
    `GE*${transactions.length}*101`,
    'IEA*1*000000101',
  ];
  return new TextEncoder().encode(segs.join('~\n') + '~\n');
}

const body = (bytes: Uint8Array) => ({ body: { mediaType: 'application/edi-x12', bytes } });
/** Posts the file, then moves the clock on: postings made one after another list in that order. */
const post = async (bytes: Uint8Array, as = admin()) => {
  try {
    return await t.callForReply(postRemittance, {}, { ...as, ...body(bytes) });
  } finally {
    t.clock.advance(1000);
  }
};
const single = (r: RemittancePosting) => r as Remittance;

// ---- Claims to post to -----------------------------------------------------------------------------

let pcnSeq = 0;
async function submittedClaim(lines: { code: string; modifiers?: string[]; charge: number; date?: string }[], options: { practice?: string; status?: string; pcn?: string } = {}) {
  const pcn = options.pcn ?? `RM${String(++pcnSeq).padStart(4, '0')}`;
  const charge = lines.reduce((n, l) => n + l.charge, 0);
  const row = await insertClaim(
    db(),
    options.practice ?? practiceId,
    {
      patientControlNumber: pcn,
      status: options.status ?? 'submitted',
      frequencyCode: '1',
      patientId,
      payerId,
      billingProviderId: providerId,
      renderingProviderId: providerId,
      placeOfService: '11',
      diagnoses: [{ code: 'E119', qualifier: 'ABK' }],
      serviceDateFrom: '2026-03-02',
      serviceDateTo: '2026-03-02',
      chargeCents: charge,
      findings: [],
      duplicateKey: `${pcn}-key`,
      details: {},
    },
    lines.map((l, i) => ({
      lineNumber: i + 1,
      procedureCode: l.code,
      modifiers: l.modifiers ?? [],
      units: 1,
      chargeCents: l.charge,
      diagnosisPointers: [1],
      serviceDate: l.date ?? '2026-03-02',
      lineControlNumber: `${pcn}-${i + 1}`,
      details: {},
    })),
    { by: 'test', at: t.clock.now() },
  );
  return { id: row.id, pcn };
}

const count = async (table: string) => Number(rowsOf<{ n: number }>(await t.database!.db.execute(sql.raw(`select count(*)::int as n from billing.${table}`)))[0]!.n);

beforeAll(async () => {
  t = await testService(billing, { clock: '2026-03-21T15:00:00Z' });
  practiceId = await t.practice();
  otherPractice = await t.practice();
  payerId = (await t.call(createPayer, { name: 'Gulf Coast Health Plan', ediPayerId: 'GCHP1', claimFilingIndicatorCode: 'CI' }, admin())).id;
  patientId = (await t.call(createPatient, { firstName: 'Jane', lastName: 'Doe', dateOfBirth: '1980-01-02', sex: 'F', address: { line1: '1 Main St', city: 'Tampa', state: 'FL', postalCode: '33606' } }, admin())).id;
  providerId = (await t.call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' }, admin())).id;
}, 60_000);
afterAll(() => t.close());

describe('posting an 835', () => {
  it('pays some lines, denies others, moves patient responsibility by kind and carries the PLB', async () => {
    const full = await submittedClaim([{ code: '99214', charge: 20000 }, { code: '93000', charge: 10000 }]);
    const partly = await submittedClaim([{ code: '99213', modifiers: ['25'], charge: 15000 }, { code: '36415', charge: 2500 }]);
    const denied = await submittedClaim([{ code: '97110', charge: 9000 }]);
    const trace = 'EFT1001';
    const { status, output } = await post(
      file835(
        transaction835(
          '0001',
          trace,
          [
            {
              pcn: full.pcn,
              charge: 30000,
              paid: 19000,
              pr: 4000,
              services: [
                { code: '99214', charge: 20000, paid: 11000, ref: `${full.pcn}-1`, cas: [['CO', '45', 5000], ['PR', '1', 3000], ['PR', '3', 1000]] },
                { code: '93000', charge: 10000, paid: 8000, ref: `${full.pcn}-2`, cas: [['CO', '45', 2000]] },
              ],
            },
            {
              pcn: partly.pcn,
              charge: 17500,
              paid: 9000,
              pr: 2000,
              // No REF*6R; the payer dropped modifier 25.
              services: [
                { code: '99213', charge: 15000, paid: 9000, cas: [['CO', '45', 4000], ['PR', '2', 2000]] },
                { code: '36415', charge: 2500, paid: 0, cas: [['CO', '97', 2500]] },
              ],
            },
            { pcn: denied.pcn, status: '4', charge: 9000, paid: 0, pr: 0, services: [{ code: '97110', charge: 9000, paid: 0, cas: [['CO', '50', 9000]] }] },
            { pcn: 'UNKNOWN-1', charge: 5000, paid: 3000, pr: 0, services: [{ code: '99212', charge: 5000, paid: 3000, cas: [['CO', '45', 2000]] }] },
          ],
          [['L6', 'INTEREST', -125], ['WO', `${partly.pcn}`, 1000]],
        ),
      ),
    );
    expect(status).toBe(201);
    const r = single(output);
    expect(r).toMatchObject({
      traceNumber: trace,
      paymentAmountCents: 19000 + 9000 + 3000 + 125 - 1000,
      payer: { name: 'GULF COAST HEALTH PLAN', id: 'GCHP1' },
      payerId,
      claimCount: 4,
      matchedClaimCount: 3,
      unmatchedClaimCount: 1,
      claimPaymentCents: 31000,
      providerAdjustments: [
        { reason: 'L6', reference: 'INTEREST', amountCents: -125 },
        { reason: 'WO', reference: partly.pcn, amountCents: 1000 },
      ],
    });
    expect(r.claims.map((c) => [c.patientControlNumber, c.claimId, c.state])).toEqual([
      [full.pcn, full.id, 'posted'],
      [partly.pcn, partly.id, 'posted'],
      [denied.pcn, denied.id, 'posted'],
      ['UNKNOWN-1', null, 'unmatched'],
    ]);
    expect(r.claims[0]!.adjustments).toEqual([
      { group: 'CO', reason: '45', amountCents: 7000 },
      { group: 'PR', reason: '1', amountCents: 3000 },
      { group: 'PR', reason: '3', amountCents: 1000 },
    ]);
    expect(r.warnings.map((w) => [w.code, w.patientControlNumber])).toEqual([
      ['line-matched-without-modifiers', partly.pcn],
      ['unmatched-no-claim', 'UNKNOWN-1'],
    ]);

    const a = await loadClaim(db(), practiceId, full.id);
    expect(a).toMatchObject({ status: 'paid', paidCents: 19000, adjustmentCents: 7000, patientResponsibilityCents: 4000, balanceCents: 0, payerClaimControlNumber: `ICN${full.pcn}` });
    expect(a.lines.map((l) => [l.paidCents, l.adjustmentCents, l.patientResponsibilityCents, l.balanceCents, l.denied])).toEqual([
      [11000, 5000, 4000, 0, false],
      [8000, 2000, 0, 0, false],
    ]);
    expect(a.adjudications).toEqual([expect.objectContaining({ source: 'era', remittanceId: r.id, statusCode: '1', paidCents: 19000, reversal: false })]);
    expect(a.history.at(-1)).toMatchObject({ action: 'adjudicated', from: 'submitted', to: 'paid' });
    const b = await loadClaim(db(), practiceId, partly.id);
    expect(b).toMatchObject({ status: 'partially-paid', paidCents: 9000, adjustmentCents: 6500, patientResponsibilityCents: 2000, balanceCents: 0 });
    expect(b.lines.map((l) => l.denied)).toEqual([false, true]);
    expect(await loadClaim(db(), practiceId, denied.id)).toMatchObject({ status: 'denied', paidCents: 0, adjustmentCents: 9000, balanceCents: 0 });
    // The denied lines are in the denial work queue as soon as the posting commits.
    const queue = (await t.call(listDenials, {}, admin())).items.filter((d) => [partly.id, denied.id].includes(d.claimId));
    // Both were queued by the same posting (same time): in either order.
    expect(queue.map((d) => [d.claimId, d.line?.procedureCode]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
      [partly.id, '36415'],
      [denied.id, '97110'],
    ]);

    const adjudicated = (await t.events(claimAdjudicated)).filter((e) => e.data.remittanceId === r.id);
    expect(adjudicated.map((e) => e.subject)).toEqual([full.id, partly.id, denied.id]);
    expect(adjudicated[0]!.data).toMatchObject({ paidCents: 19000, patientResponsibility: [{ reason: 'deductible', amountCents: 3000 }, { reason: 'copay', amountCents: 1000 }], reversal: false, patientId, payerId });
    expect(JSON.stringify(adjudicated)).not.toMatch(/DOE|JANE|W123456789/);
    const deniedEvents = (await t.events(claimDenied)).filter((e) => [partly.id, denied.id].includes(e.data.claimId));
    expect(deniedEvents.map((e) => e.data)).toEqual([
      { claimId: partly.id, amountCents: 2500, reason: 'CO-97', deniedOn: '2026-03-20' },
      { claimId: denied.id, amountCents: 9000, reason: 'CO-50', deniedOn: '2026-03-20' },
    ]);
    const [posted] = (await t.events(remittancePosted)).filter((e) => e.data.remittanceId === r.id);
    expect(posted!.data).toMatchObject({ traceNumber: trace, paymentDate: '2026-03-20', claimPaymentCents: 31000, providerAdjustments: r.providerAdjustments });

    // The same remittance again: the first result, nothing posted.
    const postingEvents = async () => (await t.events()).filter((e) => e.type !== 'billing.audit.recorded');
    const before = { adjudications: await count('claim_adjudications'), events: (await postingEvents()).length };
    const again = await post(file835(transaction835('0009', trace, [{ pcn: full.pcn, charge: 30000, paid: 19000, pr: 4000 }])));
    expect(again.status).toBe(200);
    expect(single(again.output)).toMatchObject({ id: r.id, claimCount: 4, matchedClaimCount: 3 });
    expect(await count('claim_adjudications')).toBe(before.adjudications);
    expect((await postingEvents()).length).toBe(before.events);
    expect((await loadClaim(db(), practiceId, full.id)).paidCents).toBe(19000);

    expect(await t.call(getRemittance, { id: r.id }, { practiceId, role: 'practice-user' })).toEqual(r);
    expect((await t.call(listRemittances, { traceNumber: trace }, admin())).items.map((x) => x.id)).toEqual([r.id]);
    await expect(t.call(getRemittance, { id: r.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
  });

  it('reverses an earlier posting (CLP02 22) and posts the corrected claim that follows', async () => {
    const c = await submittedClaim([{ code: '99214', charge: 20000 }]);
    const svc = (paid: number, co: number): Svc => ({ code: '99214', charge: 20000, paid, ref: `${c.pcn}-1`, cas: [['CO', '45', co]] });
    const first = single((await post(file835(transaction835('0001', 'CHK500', [{ pcn: c.pcn, charge: 20000, paid: 12000, pr: 0, icn: 'A1', services: [svc(12000, 8000)] }])))).output);
    const second = single(
      (
        await post(
          file835(
            transaction835('0002', 'CHK501', [
              { pcn: c.pcn, status: '22', charge: -20000, paid: -12000, pr: 0, icn: 'A1', services: [{ ...svc(-12000, -8000), charge: -20000 }] },
              { pcn: c.pcn, charge: 20000, paid: 15000, pr: 0, icn: 'A2', services: [svc(15000, 5000)] },
            ]),
          ),
        )
      ).output,
    );
    expect(second.claims.map((x) => [x.statusCode, x.state])).toEqual([['22', 'posted'], ['1', 'posted']]);
    const claim = await loadClaim(db(), practiceId, c.id);
    expect(claim).toMatchObject({ status: 'paid', paidCents: 15000, adjustmentCents: 5000, balanceCents: 0, payerClaimControlNumber: 'A2' });
    expect(claim.adjudications.map((a) => [a.remittanceId, a.statusCode, a.paidCents, a.reversal])).toEqual([
      [first.id, '1', 12000, false],
      [second.id, '22', -12000, true],
      [second.id, '1', 15000, false],
    ]);
    expect(claim.adjudications[1]!.reversesId).toBe(claim.adjudications[0]!.id);
    expect(claim.history.slice(-3).map((h) => [h.action, h.from, h.to])).toEqual([
      ['adjudicated', 'submitted', 'paid'],
      ['reversed', 'paid', 'accepted'],
      ['adjudicated', 'accepted', 'paid'],
    ]);
    const events = (await t.events(claimAdjudicated)).filter((e) => e.subject === c.id);
    expect(events.map((e) => [e.data.paidCents, e.data.reversal, e.data.adjustments])).toEqual([
      [12000, false, [{ group: 'CO', reason: '45', amountCents: 8000 }]],
      [-12000, true, [{ group: 'CO', reason: '45', amountCents: -8000 }]],
      [15000, false, [{ group: 'CO', reason: '45', amountCents: 5000 }]],
    ]);
  });

  it('lifts the denials of the posting a later remittance reverses', async () => {
    const c = await submittedClaim([{ code: '99213', charge: 10000 }, { code: '97110', charge: 5000 }]);
    const lines = (paid: number, sign = 1): Svc[] => [
      { code: '99213', charge: sign * 10000, paid: sign * paid, ref: `${c.pcn}-1`, cas: [['CO', '45', sign * (10000 - paid)]] },
      { code: '97110', charge: sign * 5000, paid: 0, ref: `${c.pcn}-2`, cas: [['CO', '50', sign * 5000]] },
    ];
    await post(file835(transaction835('0001', 'DEN1', [{ pcn: c.pcn, charge: 15000, paid: 7000, pr: 0, services: lines(7000) }])));
    expect((await loadClaim(db(), practiceId, c.id)).lines.map((l) => l.denied)).toEqual([false, true]);
    await post(file835(transaction835('0001', 'DEN2', [{ pcn: c.pcn, status: '22', charge: -15000, paid: -7000, pr: 0, services: lines(7000, -1) }])));
    const after = await loadClaim(db(), practiceId, c.id);
    expect(after).toMatchObject({ status: 'accepted', paidCents: 0, adjustmentCents: 0, balanceCents: 15000 });
    expect(after.lines.map((l) => [l.denied, l.balanceCents])).toEqual([[false, 10000], [false, 5000]]);
  });

  it('marks a claim forwarded to another payer (CLP02 19)', async () => {
    const c = await submittedClaim([{ code: '99213', charge: 10000 }]);
    await post(file835(transaction835('0001', 'FWD1', [{ pcn: c.pcn, status: '19', charge: 10000, paid: 6000, pr: 2000, services: [{ code: '99213', charge: 10000, paid: 6000, cas: [['CO', '45', 2000], ['PR', '2', 2000]] }] }])));
    expect(await loadClaim(db(), practiceId, c.id)).toMatchObject({ status: 'paid', forwardedTo: 'secondary payer', patientResponsibilityCents: 2000 });
  });

  it('answers a file with several payments with each, one transaction each', async () => {
    const c = await submittedClaim([{ code: '99213', charge: 10000 }]);
    const { status, output } = await post(file835(transaction835('0001', 'MULTI1', [{ pcn: c.pcn, charge: 10000, paid: 10000, pr: 0, services: [{ code: '99213', charge: 10000, paid: 10000 }] }]), transaction835('0002', 'MULTI2', [], [['L6', 'INT', -50]])));
    expect(status).toBe(201);
    const { remittances } = output as { remittances: Remittance[] };
    expect(remittances.map((r) => [r.traceNumber, r.claimCount, r.paymentAmountCents])).toEqual([['MULTI1', 1, 10000], ['MULTI2', 0, 50]]);
  });

  it('refuses a malformed file with 422 naming the segment, and posts nothing', async () => {
    const c = await submittedClaim([{ code: '99213', charge: 10000 }]);
    const good = transaction835('0001', 'BAD1', [{ pcn: c.pcn, charge: 10000, paid: 10000, pr: 0, services: [{ code: '99213', charge: 10000, paid: 10000 }] }]);
    const broken = good.map((s) => (s.startsWith('CLP*') ? s.replace('*100.00*100.00*', '*100.00*ABC*') : s));
    const before = await count('remittances');
    const error = await post(file835(broken)).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, code: 'unprocessable', message: expect.stringMatching(/^CLP04 \(segment \d+\)/) });
    expect(await count('remittances')).toBe(before);
    expect((await loadClaim(db(), practiceId, c.id)).status).toBe('submitted');
    await expect(post(new TextEncoder().encode('not an 835'))).rejects.toMatchObject({ status: 422 });
    await expect(t.call(postRemittance, {}, { ...admin(), body: { mediaType: 'application/json', bytes: new Uint8Array([123, 125]) } })).rejects.toMatchObject({ status: 415 });
    await expect(post(file835(good), { practiceId, role: 'practice-user' } as never)).rejects.toMatchObject({ status: 403 });
  });

  it('posts every shared sample 835 to the totals its README lists', async () => {
    const dir = new URL('../../../../shared/x12/', import.meta.url);
    const expected: Record<string, { payment: number; claims: number; paid: number; charge: number }> = {
      'LinuxForHealth__x12__cob-contractural-adjustment.835': { payment: 3400, claims: 1, paid: 3400, charge: 54100 },
      'LinuxForHealth__x12__managed-care.835': { payment: 94500, claims: 2, paid: 94500, charge: 200000 },
      'azoner__pyx12__835_mult_loops.txt': { payment: 0, claims: 1, paid: 0, charge: 91539 },
    };
    const samples = readdirSync(dir).filter((f) => f.endsWith('.835') || f.includes('835'));
    expect(samples.sort()).toEqual(Object.keys(expected).sort());
    // Claims for the managed-care sample, so that one posts in full.
    const budd = await submittedClaim([{ code: '99211', charge: 80000, date: '2002-03-01' }], { pcn: '5554555444' });
    const settle = await submittedClaim([{ code: '93555', charge: 120000, date: '2002-03-10' }], { pcn: '8765432112' });
    for (const file of samples) {
      const r = single((await post(readFileSync(new URL(file, dir)))).output);
      const want = expected[file]!;
      expect([r.paymentAmountCents, r.claimCount, r.claimPaymentCents, r.claims.reduce((n, c) => n + c.chargeCents, 0)], file).toEqual([want.payment, want.claims, want.paid, want.charge]);
    }
    // Claim-level CO*A2 stays on the claim; the line carries its own PR and CO.
    expect(await loadClaim(db(), practiceId, budd.id)).toMatchObject({ status: 'paid', paidCents: 45000, adjustmentCents: 5000, patientResponsibilityCents: 30000, balanceCents: 0 });
    expect(await loadClaim(db(), practiceId, settle.id)).toMatchObject({ status: 'paid', paidCents: 49500, adjustmentCents: 10500, patientResponsibilityCents: 60000, balanceCents: 0 });
  });
});

describe('the unmatched-remittance queue', () => {
  it('keeps a CLP no claim was found for until a biller matches it; the posting then completes', async () => {
    const posted = single((await post(file835(transaction835('0001', 'UNM1', [{ pcn: 'TYPO-77', charge: 12000, paid: 7000, pr: 1000, services: [{ code: '99213', charge: 12000, paid: 7000, cas: [['CO', '45', 4000], ['PR', '3', 1000]] }] }])))).output);
    const queue = await t.call(listUnmatchedRemittances, { remittanceId: posted.id }, admin());
    expect(queue.items).toEqual([
      expect.objectContaining({ patientControlNumber: 'TYPO-77', reason: 'no-claim', status: 'open', paidCents: 7000, traceNumber: 'UNM1', patient: { lastName: 'DOE', firstName: 'JANE', memberId: 'W123456789' } }),
    ]);
    expect(queue.items[0]!.services).toEqual([{ procedureCode: '99213', modifiers: [], serviceDate: '2026-03-02', chargeCents: 12000, paidCents: 7000 }]);
    const c = await submittedClaim([{ code: '99213', charge: 12000 }]);
    const theirs = await submittedClaim([{ code: '99213', charge: 12000 }], { practice: otherPractice });
    await expect(t.call(matchUnmatchedRemittance, { id: queue.items[0]!.id, claimId: theirs.id }, admin())).rejects.toMatchObject({ status: 404 });
    await expect(t.call(matchUnmatchedRemittance, { id: queue.items[0]!.id, claimId: c.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });

    const matched = await t.call(matchUnmatchedRemittance, { id: queue.items[0]!.id, claimId: c.id }, { practiceId, role: 'mso-staff', principalId: 'key-biller-1' });
    expect(matched).toMatchObject({ status: 'matched', claimId: c.id, matchedBy: 'key-biller-1' });
    expect(await loadClaim(db(), practiceId, c.id)).toMatchObject({ status: 'paid', paidCents: 7000, adjustmentCents: 4000, patientResponsibilityCents: 1000, balanceCents: 0 });
    expect((await loadClaim(db(), practiceId, c.id)).lines[0]).toMatchObject({ paidCents: 7000, balanceCents: 0 });
    expect(await t.call(getRemittance, { id: posted.id }, admin())).toMatchObject({ matchedClaimCount: 1, unmatchedClaimCount: 0, claims: [{ claimId: c.id, state: 'matched' }] });
    expect((await t.events(claimAdjudicated)).filter((e) => e.subject === c.id).map((e) => e.data.remittanceId)).toEqual([posted.id]);
    expect((await t.call(listUnmatchedRemittances, { remittanceId: posted.id }, admin())).items).toEqual([]);
    await expect(t.call(matchUnmatchedRemittance, { id: queue.items[0]!.id, claimId: c.id }, admin())).rejects.toMatchObject({ status: 409 });
  });

  it('sets aside a CLP for a claim not sent to the payer, and a reversal with nothing to undo', async () => {
    const draft = await submittedClaim([{ code: '99213', charge: 10000 }], { status: 'draft' });
    const sent = await submittedClaim([{ code: '99213', charge: 10000 }]);
    const r = single((await post(file835(transaction835('0001', 'UNM2', [{ pcn: draft.pcn, charge: 10000, paid: 10000, pr: 0 }, { pcn: sent.pcn, status: '22', charge: -10000, paid: -10000, pr: 0 }])))).output);
    expect(r.unmatchedClaimCount).toBe(2);
    const items = (await t.call(listUnmatchedRemittances, { remittanceId: r.id }, admin())).items;
    expect(items.map((i) => i.reason)).toEqual(['claim-not-submitted', 'nothing-to-reverse']);
    await expect(t.call(matchUnmatchedRemittance, { id: items[0]!.id, claimId: draft.id }, admin())).rejects.toMatchObject({ status: 409 });
    expect((await loadClaim(db(), practiceId, draft.id)).status).toBe('draft');
  });
});

describe('manual posting from a paper EOB', () => {
  it('posts with the same effects and events, recorded with the poster; the idempotency key is required', async () => {
    const c = await submittedClaim([{ code: '99214', charge: 20000 }, { code: '97110', charge: 5000 }]);
    const [l1, l2] = (await loadClaim(db(), practiceId, c.id)).lines;
    const payment = {
      id: c.id,
      paymentDate: '2026-03-18',
      paidCents: 12000,
      lines: [
        { lineId: l1!.id, paidCents: 12000, adjustments: [{ group: 'CO' as const, reason: '45', amountCents: 6000 }, { group: 'PR' as const, reason: '2', amountCents: 2000 }] },
        { lineId: l2!.id, paidCents: 0, adjustments: [{ group: 'CO' as const, reason: '97', amountCents: 5000 }] },
      ],
    };
    await expect(t.call(postClaimPayment, payment, admin())).rejects.toMatchObject({ status: 400, code: 'idempotency-key-required' });
    await expect(t.call(postClaimPayment, { ...payment, paidCents: 11000 }, { ...admin(), idempotencyKey: 'eob-0' })).rejects.toMatchObject({ status: 422, errors: [{ path: '/paidCents' }] });
    const claim = await t.call(postClaimPayment, payment, { ...admin(), idempotencyKey: 'eob-1', principalId: 'key-poster-9' });
    expect(claim).toMatchObject({ status: 'partially-paid', paidCents: 12000, adjustmentCents: 11000, patientResponsibilityCents: 2000, balanceCents: 0 });
    expect(claim.adjudications).toEqual([expect.objectContaining({ source: 'manual', remittanceId: null, postedBy: 'key-poster-9', paymentDate: '2026-03-18' })]);
    expect(claim.lines.map((l) => l.denied)).toEqual([false, true]);
    // A retry with the same key posts nothing more.
    expect((await t.call(postClaimPayment, payment, { ...admin(), idempotencyKey: 'eob-1', principalId: 'key-poster-9' })).adjudications).toHaveLength(1);
    const events = (await t.events(claimAdjudicated)).filter((e) => e.subject === c.id);
    expect(events.map((e) => [e.data.remittanceId, e.data.paidCents, e.data.patientResponsibility])).toEqual([[null, 12000, [{ reason: 'coinsurance', amountCents: 2000 }]]]);
    expect((await t.events(claimDenied)).filter((e) => e.data.claimId === c.id).map((e) => e.data)).toEqual([{ claimId: c.id, amountCents: 5000, reason: 'CO-97', deniedOn: '2026-03-18' }]);

    const draft = await submittedClaim([{ code: '99214', charge: 20000 }], { status: 'draft' });
    await expect(t.call(postClaimPayment, { id: draft.id, paidCents: 20000 }, { ...admin(), idempotencyKey: 'eob-2' })).rejects.toMatchObject({ status: 409 });
    await expect(t.call(postClaimPayment, { id: c.id, paidCents: 0 }, { practiceId: otherPractice, role: 'practice-admin', idempotencyKey: 'eob-3' })).rejects.toMatchObject({ status: 404 });
  });
});
