import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataOf } from '@mso/contracts';
import { claimAdjudicated, claimSubmitted } from '@mso/contracts/billing';
import * as c from '@mso/contracts/collections';
import { testService, type TestService } from '@mso/testing';
import { collections } from './service.js';

// Guarantor accounts from billing's events, payments that post once, refunds, write-offs and plans,
// through the service's operations and consumers.

let t: TestService;
let practiceId: string;
beforeAll(async () => {
  t = await testService(collections, { clock: '2026-06-01T15:00:00Z' });
  practiceId = await t.practice({ timeZone: 'America/New_York' });
});
afterAll(() => t?.close());

const as = (role: 'practice-admin' | 'practice-user' = 'practice-user', practice = practiceId) => ({ practiceId: practice, role });
const key = () => ({ idempotencyKey: randomUUID() });

function submitted(claimId: string, patientId: string, chargeCents: number): DataOf<typeof claimSubmitted> {
  return { claimId, patientId, payerId: randomUUID(), renderingProviderNpi: null, serviceDate: '2026-05-01', submittedOn: '2026-05-02', chargeCents, frequencyCode: '1' };
}

/** An adjudication with patient responsibility: a deductible on the first line, a copay on the second. */
function adjudicated(claimId: string, patientId: string, deductible: number, copay: number, paymentDate = '2026-05-20', reversal = false): DataOf<typeof claimAdjudicated> {
  const sign = reversal ? -1 : 1;
  const pr = (reason: 'deductible' | 'copay' | 'coinsurance', amount: number) => (amount ? [{ reason, amountCents: sign * amount }] : []);
  return {
    claimId,
    remittanceId: randomUUID(),
    adjudicationId: randomUUID(),
    patientId,
    payerId: randomUUID(),
    paymentDate,
    paidCents: sign * 10_000,
    adjustments: [{ group: 'CO', reason: '45', amountCents: sign * 1_000 }],
    patientResponsibility: [...pr('deductible', deductible), ...pr('copay', copay)],
    lines: [
      { lineId: randomUUID(), serviceDate: '2026-05-01', chargeCents: sign * 12_000, paidCents: sign * 8_000, patientResponsibility: pr('deductible', deductible) },
      { lineId: randomUUID(), serviceDate: '2026-05-01', chargeCents: sign * 4_000, paidCents: sign * 2_000, patientResponsibility: pr('copay', copay) },
    ],
    reversal,
  };
}

const account = (guarantorId: string, practice = practiceId) => t.call(c.getAccount, { guarantorId }, as('practice-user', practice));

describe('balances from billing', () => {
  it('keeps insurance pending apart until the claim is adjudicated, then the patient responsibility is the balance', async () => {
    const patient = randomUUID();
    const claim = randomUUID();
    await t.deliver(claimSubmitted, submitted(claim, patient, 16_000), { practiceId });
    expect(await account(patient)).toMatchObject({ balanceCents: 0, insurancePendingCents: 16_000, items: [] });

    await t.deliver(claimAdjudicated, adjudicated(claim, patient, 1_500, 2_500), { practiceId });
    const acct = await account(patient);
    expect(acct).toMatchObject({ balanceCents: 4_000, insurancePendingCents: 0, agedFromAdjudication: true, aging: { current: 4_000 } });
    expect(acct.items).toEqual([
      expect.objectContaining({
        claimId: claim,
        serviceDate: '2026-05-01',
        chargeCents: 16_000,
        insurancePaidCents: 10_000,
        adjustmentCents: 1_000,
        patientResponsibilityCents: 4_000,
        responsibility: expect.arrayContaining([
          { reason: 'deductible', amountCents: 1_500 },
          { reason: 'copay', amountCents: 2_500 },
        ]),
        openCents: 4_000,
        agedFrom: '2026-05-20',
        agingBasis: 'adjudication',
      }),
    ]);
  });

  it('a reversal removes what it undid; the same event again changes nothing', async () => {
    const patient = randomUUID();
    const claim = randomUUID();
    const event = adjudicated(claim, patient, 3_000, 0);
    const id = randomUUID();
    await t.deliver(claimAdjudicated, event, { practiceId, id });
    await t.deliver(claimAdjudicated, event, { practiceId, id });
    expect((await account(patient)).balanceCents).toBe(3_000);
    await t.deliver(claimAdjudicated, { ...adjudicated(claim, patient, 3_000, 0, '2026-05-25', true), lines: event.lines.map((l) => ({ ...l, chargeCents: -l.chargeCents, paidCents: -l.paidCents, patientResponsibility: l.patientResponsibility.map((p) => ({ ...p, amountCents: -p.amountCents })) })) }, { practiceId });
    const acct = await account(patient);
    expect(acct.balanceCents).toBe(0);
    const history = await t.call(c.listAccountHistory, { guarantorId: patient }, as());
    expect(history.items.map((h) => [h.kind, h.amountCents])).toEqual([
      ['responsibility', 3_000],
      ['reversal', -3_000],
    ]);
  });

  it('what a reversal leaves paid beyond the responsibility becomes a credit', async () => {
    const patient = randomUUID();
    const claim = randomUUID();
    const event = adjudicated(claim, patient, 2_000, 0);
    await t.deliver(claimAdjudicated, event, { practiceId });
    await t.call(c.postPayment, { guarantorId: patient, amountCents: 2_000, method: 'card' }, { ...as(), ...key() });
    const negate = <T extends { amountCents: number }>(x: T) => ({ ...x, amountCents: -x.amountCents });
    await t.deliver(
      claimAdjudicated,
      { ...event, adjudicationId: randomUUID(), reversal: true, paidCents: -event.paidCents, patientResponsibility: event.patientResponsibility.map(negate), lines: event.lines.map((l) => ({ ...l, patientResponsibility: l.patientResponsibility.map(negate) })) },
      { practiceId },
    );
    expect(await account(patient)).toMatchObject({ balanceCents: 0, creditCents: 2_000, items: [expect.objectContaining({ patientResponsibilityCents: 0, paidCents: 0 })] });
  });

  it("answers 404 for another practice's guarantor", async () => {
    const patient = randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), patient, 1_000, 0), { practiceId });
    const other = await t.practice();
    await expect(account(patient, other)).rejects.toMatchObject({ status: 404 });
    await expect(t.call(c.postPayment, { guarantorId: patient, amountCents: 100, method: 'cash' }, { ...as('practice-user', other), ...key() })).rejects.toMatchObject({ status: 404 });
  });
});

describe('guarantor contact details', () => {
  it('are set and read back, and a bad time zone is refused naming the field', async () => {
    const patient = randomUUID();
    const details = {
      id: patient,
      name: 'Dana Smith',
      mailingAddress: { line1: '1 Main St', city: 'Columbus', state: 'OH', postalCode: '43004' },
      email: 'dana@example.com',
      phone: '6145550100',
      timeZone: 'America/New_York',
      preferredChannel: 'email' as const,
      consent: { email: true, sms: false },
      hold: false,
    };
    expect(await t.call(c.putGuarantor, details, as())).toMatchObject({ ...details, patientId: patient });
    expect(await t.call(c.getGuarantor, { id: patient }, as())).toMatchObject({ name: 'Dana Smith', consent: { email: true, sms: false } });
    await expect(t.call(c.putGuarantor, { ...details, timeZone: 'Mars/Olympus' }, as())).rejects.toMatchObject({ status: 422, errors: [{ path: '/timeZone' }] });
  });
});

describe('payments', () => {
  let patient: string;
  const claims = [randomUUID(), randomUUID()];
  beforeAll(async () => {
    patient = randomUUID();
    // The older balance first (adjudicated on 05-10), then a newer one.
    await t.deliver(claimAdjudicated, adjudicated(claims[0]!, patient, 2_000, 0, '2026-05-10'), { practiceId });
    await t.deliver(claimAdjudicated, adjudicated(claims[1]!, patient, 0, 3_000, '2026-05-20'), { practiceId });
  });

  it('posts once per idempotency key, applying to the oldest balance first; another amount with the key is refused', async () => {
    const k = randomUUID();
    const first = await t.call(c.postPayment, { guarantorId: patient, amountCents: 2_500, method: 'card', reference: 'auth 1234' }, { ...as(), idempotencyKey: k });
    expect(first).toMatchObject({ amountCents: 2_500, creditCents: 0, receivedOn: '2026-06-01', applications: [{ claimId: claims[0], amountCents: 2_000 }, { claimId: claims[1], amountCents: 500 }] });
    const again = await t.call(c.postPayment, { guarantorId: patient, amountCents: 2_500, method: 'card', reference: 'auth 1234' }, { ...as(), idempotencyKey: k });
    expect(again).toEqual(first);
    await expect(t.call(c.postPayment, { guarantorId: patient, amountCents: 2_600, method: 'card', reference: 'auth 1234' }, { ...as(), idempotencyKey: k })).rejects.toMatchObject({ status: 422, code: 'idempotency-key-reused' });
    const events = (await t.events(c.paymentReceived)).filter((e) => e.data.guarantorId === patient);
    expect(events.map((e) => e.data)).toEqual([{ paymentId: first.id, guarantorId: patient, amountCents: 2_500, method: 'card', date: '2026-06-01', applications: first.applications }]);
    expect((await account(patient)).balanceCents).toBe(2_500);
    await expect(t.call(c.postPayment, { guarantorId: patient, amountCents: 100, method: 'cash' }, as())).rejects.toMatchObject({ status: 400, code: 'idempotency-key-required' });
  });

  it('an overpayment becomes a credit that can be refunded, not beyond it', async () => {
    const paid = await t.call(c.postPayment, { guarantorId: patient, amountCents: 4_000, method: 'check', claimId: claims[1] }, { ...as(), ...key() });
    expect(paid).toMatchObject({ applications: [{ claimId: claims[1], amountCents: 2_500 }], creditCents: 1_500 });
    expect(await account(patient)).toMatchObject({ balanceCents: 0, creditCents: 1_500 });
    await expect(t.call(c.postRefund, { guarantorId: patient, amountCents: 1_600 }, { ...as(), ...key() })).rejects.toMatchObject({ status: 422, errors: [{ path: '/amountCents' }] });
    const refund = await t.call(c.postRefund, { guarantorId: patient, amountCents: 1_500, paymentId: paid.id }, { ...as(), ...key() });
    expect(refund).toMatchObject({ amountCents: 1_500, creditCents: 0, paymentId: paid.id });
    expect((await t.events(c.paymentRefunded)).filter((e) => e.data.guarantorId === patient).map((e) => e.data.amountCents)).toEqual([1_500]);
    expect((await account(patient)).creditCents).toBe(0);
  });

  it('refuses a payment to a claim the guarantor owes nothing on, naming the field', async () => {
    await expect(t.call(c.postPayment, { guarantorId: patient, amountCents: 100, method: 'cash', claimId: randomUUID() }, { ...as(), ...key() })).rejects.toMatchObject({ status: 422, errors: [{ path: '/claimId' }] });
    await expect(t.call(c.postPayment, { guarantorId: patient, amountCents: -5, method: 'cash' } as never, { ...as(), ...key() })).rejects.toMatchObject({ status: 400 });
  });
});

describe('write-offs', () => {
  it('a hardship write-off posts only when a practice admin approves it', async () => {
    const patient = randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), patient, 5_000, 0), { practiceId });
    const asked = await t.call(c.requestWriteOff, { guarantorId: patient, amountCents: 3_000, reason: 'hardship' }, { ...as(), ...key() });
    expect(asked.status).toBe('requested');
    expect((await account(patient)).balanceCents).toBe(5_000);
    await expect(t.call(c.approveWriteOff, { id: asked.id }, as('practice-user'))).rejects.toMatchObject({ status: 403 });
    const approved = await t.call(c.approveWriteOff, { id: asked.id }, as('practice-admin'));
    expect(approved).toMatchObject({ status: 'posted', amountCents: 3_000 });
    await expect(t.call(c.approveWriteOff, { id: asked.id }, as('practice-admin'))).rejects.toMatchObject({ status: 409 });
    expect((await account(patient)).balanceCents).toBe(2_000);
    expect((await t.events(c.balanceWrittenOff)).filter((e) => e.data.guarantorId === patient).map((e) => [e.data.reason, e.data.amountCents])).toEqual([['hardship', 3_000]]);
  });

  it('a write-off across claims takes the oldest first and is announced per claim', async () => {
    const patient = randomUUID();
    const [older, newer] = [randomUUID(), randomUUID()];
    await t.deliver(claimAdjudicated, adjudicated(older, patient, 5_000, 0, '2026-04-01'), { practiceId });
    await t.deliver(claimAdjudicated, adjudicated(newer, patient, 4_000, 0, '2026-05-01'), { practiceId });
    const asked = await t.call(c.requestWriteOff, { guarantorId: patient, amountCents: 7_000, reason: 'hardship' }, { ...as(), ...key() });
    const posted = await t.call(c.approveWriteOff, { id: asked.id }, as('practice-admin'));
    expect(posted.applications).toEqual([
      { claimId: older, amountCents: 5_000 },
      { claimId: newer, amountCents: 2_000 },
    ]);
    const events = (await t.events(c.balanceWrittenOff)).filter((e) => e.data.guarantorId === patient).map((e) => [e.data.writeOffId, e.data.claimId, e.data.amountCents]);
    expect(events).toEqual([
      [asked.id, older, 5_000],
      [asked.id, newer, 2_000],
    ]);
    expect((await account(patient)).balanceCents).toBe(2_000);
  });

  it('writes off small balances below the practice threshold on its nightly run', async () => {
    const small = await t.practice();
    const tiny = randomUUID();
    const big = randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), tiny, 400, 0), { practiceId: small });
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), big, 4_000, 0), { practiceId: small });
    await t.call(c.putSettings, { smallBalanceThresholdCents: 500, planGraceDays: 10 }, as('practice-admin', small));
    await t.runJob('small-balance-write-off');
    expect((await account(tiny, small)).balanceCents).toBe(0);
    expect((await account(big, small)).balanceCents).toBe(4_000);
    const events = (await t.events(c.balanceWrittenOff)).filter((e) => e.tenantid === small);
    expect(events.map((e) => [e.data.guarantorId, e.data.reason, e.data.amountCents])).toEqual([[tiny, 'small-balance', 400]]);
    await t.runJob('small-balance-write-off');
    expect((await t.events(c.balanceWrittenOff)).filter((e) => e.tenantid === small)).toHaveLength(1);
  });
});

describe('bad debt', () => {
  it('an agency placement writes the balance off as bad debt; a recovery reverses part of it and is paid', async () => {
    const patient = randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), patient, 6_000, 0), { practiceId });
    const agency = await t.call(c.createAgency, { name: 'Acme Recovery' }, as('practice-admin'));
    const placement = await t.call(c.placeAccount, { guarantorId: patient, agencyId: agency.id }, { ...as('practice-admin'), ...key() });
    expect(placement.placedCents).toBe(6_000);
    expect((await account(patient)).balanceCents).toBe(0);
    await t.call(c.recordRecovery, { id: placement.id, amountCents: 2_500 }, { ...as('practice-admin'), ...key() });
    const events = (await t.events(c.balanceWrittenOff)).filter((e) => e.data.guarantorId === patient).map((e) => [e.data.reason, e.data.amountCents]);
    expect(events).toEqual([
      ['bad-debt', 6_000],
      ['agency-recovery', -2_500],
    ]);
    expect((await t.events(c.paymentReceived)).filter((e) => e.data.guarantorId === patient).map((e) => e.data.amountCents)).toEqual([2_500]);
    expect((await account(patient)).items[0]).toMatchObject({ openCents: 0, paidCents: 2_500, writtenOffCents: 3_500 });
    await expect(t.call(c.recordRecovery, { id: placement.id, amountCents: 3_600 }, { ...as('practice-admin'), ...key() })).rejects.toMatchObject({ status: 422 });
  });
});

describe('payment plans', () => {
  it('payments pay installments; a missed installment defaults the plan after the grace period', async () => {
    const practice = await t.practice({ timeZone: 'America/Chicago' });
    await t.call(c.putSettings, { smallBalanceThresholdCents: 0, planGraceDays: 10 }, as('practice-admin', practice));
    const patient = randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), patient, 30_000, 0), { practiceId: practice });
    const plan = await t.call(c.createPlan, { guarantorId: patient, totalCents: 30_000, installmentCount: 3, firstDueOn: '2026-06-15', minInstallmentCents: 5_000 }, { ...as('practice-user', practice), ...key() });
    expect(plan.installments.map((i) => [i.dueOn, i.amountCents])).toEqual([
      ['2026-06-15', 10_000],
      ['2026-07-15', 10_000],
      ['2026-08-15', 10_000],
    ]);
    expect((await account(patient, practice)).planId).toBe(plan.id);
    await expect(t.call(c.createPlan, { guarantorId: patient, totalCents: 1_000, installmentCount: 2, firstDueOn: '2026-06-15' }, { ...as('practice-user', practice), ...key() })).rejects.toMatchObject({ status: 409 });

    const paid = await t.call(c.postPayment, { guarantorId: patient, amountCents: 10_000, method: 'online' }, { ...as('practice-user', practice), ...key() });
    expect(paid.planId).toBe(plan.id);
    // The second installment (07-15) unpaid: still current on 07-25 (10 days' grace), defaulted on the 26th.
    t.clock.set('2026-07-25T12:00:00Z');
    await t.runJob('plan-default');
    expect((await t.call(c.getPlan, { id: plan.id }, as('practice-user', practice))).status).toBe('active');
    t.clock.set('2026-07-26T12:00:00Z');
    await t.runJob('plan-default');
    const after = await t.call(c.getPlan, { id: plan.id }, as('practice-user', practice));
    expect(after).toMatchObject({ status: 'defaulted', defaultedOn: '2026-07-26', paidCents: 10_000 });
    expect((await account(patient, practice)).planId).toBeNull();
    const history = await t.call(c.listAccountHistory, { guarantorId: patient }, as('practice-user', practice));
    expect(history.items.map((h) => h.kind)).toEqual(['responsibility', 'plan-created', 'payment', 'plan-installment-paid', 'plan-defaulted']);
    t.clock.set('2026-06-01T15:00:00Z');
  });

  it('a plan whose balance is written off meanwhile ends completed, not defaulted', async () => {
    t.clock.set('2026-06-01T15:00:00Z');
    const patient = randomUUID();
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), patient, 9_000, 0), { practiceId });
    const plan = await t.call(c.createPlan, { guarantorId: patient, totalCents: 9_000, installmentCount: 3, firstDueOn: '2026-06-10' }, { ...as(), ...key() });
    const asked = await t.call(c.requestWriteOff, { guarantorId: patient, amountCents: 9_000, reason: 'hardship' }, { ...as(), ...key() });
    await t.call(c.approveWriteOff, { id: asked.id }, as('practice-admin'));
    t.clock.set('2026-07-10T15:00:00Z');
    await t.runJob('plan-default');
    expect((await t.call(c.getPlan, { id: plan.id }, as())).status).toBe('completed');
    t.clock.set('2026-06-01T15:00:00Z');
  });
});

describe('reports', () => {
  it('shows aging with insurance pending apart, the collection rate and payments by channel', async () => {
    t.clock.set('2026-06-01T15:00:00Z');
    const practice = await t.practice();
    const patient = randomUUID();
    await t.deliver(claimSubmitted, submitted(randomUUID(), patient, 7_000), { practiceId: practice });
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), patient, 6_000, 0, '2026-03-01'), { practiceId: practice });
    await t.deliver(claimAdjudicated, adjudicated(randomUUID(), patient, 4_000, 0, '2026-05-25'), { practiceId: practice });
    await t.call(c.postPayment, { guarantorId: patient, amountCents: 1_000, method: 'cash' }, { ...as('practice-user', practice), ...key() });
    const aging = await t.call(c.agingReport, {}, as('practice-user', practice));
    expect(aging).toMatchObject({ asOf: '2026-06-01', totalCents: 9_000, insurancePendingCents: 7_000, agedFromAdjudicationCents: 9_000, aging: { current: 4_000, days31to60: 0, days61to90: 0, days91to120: 5_000, over120: 0 } });
    const rate = await t.call(c.collectionRateReport, { from: '2026-03-01', to: '2026-06-30' }, as('practice-user', practice));
    expect(rate).toMatchObject({ responsibilityCents: 10_000, collectedCents: 1_000, rateBasisPoints: 1_000 });
    const channels = await t.call(c.paymentsByChannelReport, { from: '2026-06-01', to: '2026-06-01' }, as('practice-user', practice));
    expect(channels.totalCents).toBe(1_000);
    expect(channels.channels.find((x) => x.method === 'cash')).toEqual({ method: 'cash', count: 1, amountCents: 1_000 });
    await expect(t.call(c.collectionRateReport, { from: '2026-06-30', to: '2026-06-01' }, as('practice-user', practice))).rejects.toMatchObject({ status: 422, errors: [{ path: '/to' }] });
  });
});
