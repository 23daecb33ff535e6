import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated } from '@mso/contracts/billing';
import {
  balanceWrittenOff,
  createAgency,
  createPlan,
  dunningStepsReport,
  exportPlacements,
  getDunningPolicy,
  getDunningState,
  listAccountHistory,
  listPlacements,
  listStatements,
  paymentReceived,
  postPayment,
  putDunningPolicy,
  putGuarantor,
  putPracticeProfile,
  recallPlacement,
  recordRecovery,
  runStatements,
} from '@mso/contracts/collections';
import { addDays } from '@mso/kit';
import { testService, type TestService } from '@mso/testing';
import { dunningPositions } from '../../db/dunning.js';
import { collections } from '../../service.js';

let t: TestService;
let practiceId: string;
let agencyId: string;
const as = () => ({ practiceId, role: 'practice-admin' as const });
const key = () => ({ ...as(), idempotencyKey: randomUUID() });
const walker = randomUUID(); // pays once, then nothing
const planner = randomUUID(); // takes a plan and misses its installments
const terms = { reminder1AfterDays: 10, reminder2AfterDays: 10, finalNoticeAfterDays: 10, agencyReferralAfterDays: 10, onPayment: 'pause' as const, pauseDays: 15 };

async function owe(patientId: string, cents: number) {
  await t.deliver(
    claimAdjudicated,
    {
      claimId: randomUUID(),
      remittanceId: null,
      adjudicationId: randomUUID(),
      patientId,
      payerId: randomUUID(),
      paymentDate: '2026-03-20',
      paidCents: 10_000,
      adjustments: [{ group: 'PR', reason: '1', amountCents: cents }],
      patientResponsibility: [],
      lines: [{ lineId: randomUUID(), serviceDate: '2026-03-02', chargeCents: 10_000 + cents, paidCents: 10_000, patientResponsibility: [{ reason: 'deductible', amountCents: cents }] }],
      reversal: false,
    },
    { practiceId },
  );
  await t.call(putGuarantor, { id: patientId, name: 'Sam Ortiz', mailingAddress: { line1: '9 Oak Ave', city: 'Dayton', state: 'OH', postalCode: '45402' }, preferredChannel: 'mail' }, as());
}

/** The steps each account took, as `date step`, running the daily jobs from the day after `from` through `to`. */
async function runDays(from: string, to: string, onDay: (day: string) => Promise<void> = async () => {}) {
  const steps: Record<string, string[]> = { [walker]: [], [planner]: [] };
  const last: Record<string, string> = {};
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) {
    t.clock.set(`${day}T12:00:00Z`); // 08:00 in New York
    await onDay(day);
    await t.runJob('plan-default');
    await t.runJob('dunning');
    const positions = await t.database!.db.select().from(dunningPositions).where(eq(dunningPositions.practiceId, practiceId));
    for (const g of [walker, planner]) {
      const step = positions.find((p) => p.guarantorId === g)?.step ?? 'none';
      if (last[g] !== step) steps[g]!.push(`${day} ${step}`);
      last[g] = step;
    }
  }
  return steps;
}

beforeAll(async () => {
  t = await testService(collections, { clock: '2026-04-01T12:00:00Z' });
  practiceId = await t.practice({ services: ['collections'], timeZone: 'America/New_York', terms: { collections: { statementCycleDay: 1, dunning: terms } } });
  await t.call(putPracticeProfile, { name: 'Dayton Family Care', address: { line1: '1 Main St', city: 'Dayton', state: 'OH', postalCode: '45402' } }, as());
  agencyId = (await t.call(createAgency, { name: 'Midwest Recovery', feeBasisPoints: 2500 }, as())).id;
  await owe(walker, 10_000);
  await owe(planner, 6_000);
  await t.call(runStatements, {}, as());
});
afterAll(() => t.close());

describe('dunning', () => {
  it('reads the policy from the agreement until the practice sets its own', async () => {
    expect(await t.call(getDunningPolicy, {}, as())).toMatchObject({ ...terms, agencyId: null, source: 'agreement' });
    expect(await t.call(putDunningPolicy, { ...terms, agencyId }, as())).toMatchObject({ agencyId, source: 'practice' });
    await expect(t.call(putDunningPolicy, { ...terms, agencyId: randomUUID() }, as())).rejects.toMatchObject({ status: 422, errors: [{ path: '/agencyId' }] });
  });

  it('walks each account through the steps, pausing on a payment and resuming when a plan defaults', async () => {
    const steps = await runDays('2026-04-01', '2026-05-31', async (day) => {
      if (day === '2026-04-05') await t.call(createPlan, { guarantorId: planner, totalCents: 6_000, installmentCount: 2, firstDueOn: '2026-04-10' }, key());
      if (day === '2026-04-15') await t.call(postPayment, { guarantorId: walker, amountCents: 1_000, method: 'card' }, key());
    });
    expect(steps[walker]).toEqual([
      '2026-04-02 statement',
      '2026-04-11 reminder-1',
      // paid on 04-15: reminder 2 (due 04-21) waits 15 days from the payment
      '2026-04-30 reminder-2',
      '2026-05-10 final-notice',
      '2026-05-20 agency-referral',
    ]);
    // In a current plan the account waits at its statement; the plan defaults 15 days after the missed
    // installment of 04-10, and the account goes on where it stood.
    expect(steps[planner]![0]).toBe('2026-04-02 statement');
    expect(steps[planner]![1]).toMatch(/^2026-04-2[5-7] reminder-1$/);
    const notices = (await t.call(listStatements, { guarantorId: walker }, as())).items.map((s) => [s.statementDate, s.kind, s.amountDueCents]);
    expect(notices.reverse()).toEqual([
      ['2026-04-01', 'statement', 10_000],
      ['2026-04-11', 'reminder-1', 10_000],
      ['2026-04-30', 'reminder-2', 9_000],
      ['2026-05-10', 'final-notice', 9_000],
    ]);
    expect(await t.call(getDunningState, { guarantorId: walker }, as())).toMatchObject({ step: 'agency-referral', stepOn: '2026-05-20', nextStepOn: null });
    const history = (await t.call(listAccountHistory, { guarantorId: walker, limit: 200 }, as())).items.map((h) => h.kind);
    expect(history.filter((k) => k.startsWith('dunning') || k.startsWith('agency') || k === 'statement')).toEqual([
      'statement',
      'dunning-notice',
      'dunning-step',
      'dunning-paused',
      'dunning-notice',
      'dunning-step',
      'dunning-notice',
      'dunning-step',
      'dunning-step',
      'agency-placement',
    ]);
  }, 120_000);

  it('places the account with the agency at the referral step, writing the balance off as bad debt', async () => {
    const { items } = await t.call(listPlacements, { agencyId }, as());
    const placement = items.find((p) => p.guarantorId === walker)!;
    expect(placement).toMatchObject({ status: 'placed', source: 'dunning', placedOn: '2026-05-20', placedCents: 9_000, recoveredCents: 0 });
    const badDebt = (await t.events(balanceWrittenOff)).filter((e) => e.data.guarantorId === walker);
    expect(badDebt.map((e) => [e.data.reason, e.data.amountCents])).toEqual([['bad-debt', 9_000]]);
    const csv = new TextDecoder().decode((await t.call(exportPlacements, { agencyId }, as())).bytes).split('\r\n');
    expect(csv[0]).toBe('placement_id,account_id,name,address_line1,address_line2,city,state,postal_code,placed_on,placed_amount,recovered_amount,status,recalled_on');
    expect(csv).toContain(`${placement.id},${walker},Sam Ortiz,9 Oak Ave,,Dayton,OH,45402,2026-05-20,90.00,0.00,placed,`);
    const report = await t.call(dunningStepsReport, {}, as());
    // Both accounts reached the referral step by the end of May; placed, they owe nothing here.
    expect(report.rows.find((r) => r.step === 'agency-referral')).toEqual({ step: 'agency-referral', accounts: 2, balanceCents: 0 });
    expect(report.rows.filter((r) => r.step !== 'agency-referral').every((r) => r.accounts === 0)).toBe(true);
  });

  it('records a recovery as a reversal of the bad debt and a payment, and recalls the account', async () => {
    const placement = (await t.call(listPlacements, { agencyId, status: 'placed' }, as())).items.find((p) => p.guarantorId === walker)!;
    const r = await t.call(recordRecovery, { id: placement.id, amountCents: 4_000, reference: 'MR-1001' }, key());
    expect(r.placement).toMatchObject({ recoveredCents: 4_000 });
    const reversal = (await t.events(balanceWrittenOff)).find((e) => e.data.writeOffId === r.writeOffId)!;
    expect(reversal.data).toMatchObject({ reason: 'agency-recovery', amountCents: -4_000 });
    const payment = (await t.events(paymentReceived)).find((e) => e.data.paymentId === r.paymentId)!;
    expect(payment.data).toMatchObject({ guarantorId: walker, amountCents: 4_000 });
    await expect(t.call(recordRecovery, { id: placement.id, amountCents: 5_001 }, key())).rejects.toMatchObject({ status: 422, errors: [{ path: '/amountCents' }] });

    expect(await t.call(recallPlacement, { id: placement.id }, as())).toMatchObject({ status: 'recalled', recalledOn: '2026-05-31' });
    await expect(t.call(recallPlacement, { id: placement.id }, as())).rejects.toMatchObject({ status: 409 });
    expect((await t.call(listPlacements, { agencyId, status: 'placed' }, as())).items.map((p) => p.guarantorId)).not.toContain(walker);
  });
});
