import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated, claimSubmitted } from '@mso/contracts/billing';
import { balanceWrittenOff, paymentReceived, paymentRefunded } from '@mso/contracts/collections';
import { getTrialBalance, listJournalEntries } from '@mso/contracts/finance';
import { testService, type TestService } from '@mso/testing';
import { netCollections } from './ledger/queries.js';
import { finance } from './service.js';

// Collections' payments, refunds and write-offs in the practice's books: cash and patient AR, the
// unapplied credit in refunds payable, bad debt and administrative write-offs, each posted once.

let t: TestService;
beforeAll(async () => {
  t = await testService(finance, { clock: '2026-04-10T15:00:00Z' });
});
afterAll(() => t?.close());

const mso = { role: 'mso-admin' as const };
const tb = async (practiceId: string, period?: string) => {
  const r = await t.call(getTrialBalance, { entity: practiceId, ...(period ? { period } : {}) }, mso);
  expect(r.totalDebitCents).toBe(r.totalCreditCents);
  return Object.fromEntries(r.accounts.map((a) => [a.key ?? a.code, a.balanceCents]));
};

/** A claim billed and adjudicated in February with `patientCents` left for the patient (no insurance payment). */
async function claimWithPatientBalance(practiceId: string, patientCents: number) {
  const c = { claimId: crypto.randomUUID(), patientId: crypto.randomUUID(), payerId: crypto.randomUUID() };
  await t.deliver(claimSubmitted, { ...c, renderingProviderNpi: null, serviceDate: '2026-02-01', submittedOn: '2026-02-02', chargeCents: 10_000, frequencyCode: '1' }, { practiceId });
  await t.deliver(
    claimAdjudicated,
    {
      ...c,
      remittanceId: null,
      adjudicationId: crypto.randomUUID(),
      paymentDate: '2026-02-20',
      paidCents: 0,
      adjustments: [{ group: 'CO', reason: '45', amountCents: 10_000 - patientCents }, { group: 'PR', reason: '2', amountCents: patientCents }],
      patientResponsibility: [{ reason: 'coinsurance', amountCents: patientCents }],
      lines: [],
      reversal: false,
    },
    { practiceId },
  );
  return c.claimId;
}

describe('books from collections events', () => {
  it('books a payment with an unapplied credit, its refund, once each, on their dates, in net collections', async () => {
    const practiceId = await t.practice({ services: ['collections', 'finance'] });
    const claimId = await claimWithPatientBalance(practiceId, 3_000);
    const guarantorId = crypto.randomUUID();
    const paymentId = crypto.randomUUID();
    const payment = { paymentId, guarantorId, amountCents: 5_000, method: 'card' as const, date: '2026-03-04', applications: [{ claimId, amountCents: 3_000 }] };
    const eventId = crypto.randomUUID();
    await t.deliver(paymentReceived, payment, { practiceId, id: eventId });
    await t.deliver(paymentReceived, payment, { practiceId, id: eventId }); // redelivered

    let by = await tb(practiceId);
    expect(by['cash']).toBe(5_000);
    expect(by['patient-ar']).toBe(0);
    expect(by['refunds-payable']).toBe(2_000);
    // Dated the payment's date: nothing of it in February.
    expect((await tb(practiceId, '2026-02'))['cash']).toBe(0);
    expect(await netCollections(t.database!.db, practiceId, '2026-03')).toBe(5_000);

    await t.deliver(paymentRefunded, { refundId: crypto.randomUUID(), paymentId, guarantorId, amountCents: 2_000, date: '2026-04-02' }, { practiceId });
    by = await tb(practiceId);
    expect(by['cash']).toBe(3_000);
    expect(by['refunds-payable']).toBe(0);
    // The refund is less in April's net collections; March keeps the payment.
    expect(await netCollections(t.database!.db, practiceId, '2026-03')).toBe(5_000);
    expect(await netCollections(t.database!.db, practiceId, '2026-04')).toBe(-2_000);

    const entries = (await t.call(listJournalEntries, { entity: practiceId }, mso)).items.filter((e) => e.source.kind === 'event');
    expect(entries.filter((e) => e.memo.startsWith('Patient payment'))).toHaveLength(1);
    expect(entries.find((e) => e.memo.startsWith('Patient refund'))).toMatchObject({ date: '2026-04-02' });
  });

  it('writes off to administrative write-offs or bad debt, and an agency recovery reverses bad debt', async () => {
    const practiceId = await t.practice({ services: ['collections', 'finance'] });
    const small = await claimWithPatientBalance(practiceId, 400);
    const sent = await claimWithPatientBalance(practiceId, 2_600);
    const guarantorId = crypto.randomUUID();
    const writeOff = (claimId: string | null, amountCents: number, reason: 'small-balance' | 'hardship' | 'bad-debt' | 'agency-recovery') =>
      t.deliver(balanceWrittenOff, { writeOffId: crypto.randomUUID(), guarantorId, claimId, amountCents, reason, date: '2026-03-15' }, { practiceId });

    await writeOff(small, 400, 'small-balance');
    await writeOff(sent, 600, 'hardship');
    await writeOff(sent, 2_000, 'bad-debt');
    let by = await tb(practiceId);
    expect(by['administrative-write-offs']).toBe(1_000);
    expect(by['bad-debt']).toBe(2_000);
    expect(by['patient-ar']).toBe(0);

    // The agency recovers 1,500: that much bad debt is reversed and owed again, then paid.
    await writeOff(null, -1_500, 'agency-recovery');
    by = await tb(practiceId);
    expect(by['bad-debt']).toBe(500);
    expect(by['patient-ar']).toBe(1_500);
    await t.deliver(paymentReceived, { paymentId: crypto.randomUUID(), guarantorId, amountCents: 1_500, method: 'check', date: '2026-03-20', applications: [{ claimId: sent, amountCents: 1_500 }] }, { practiceId });
    by = await tb(practiceId);
    expect(by['cash']).toBe(1_500);
    expect(by['refunds-payable']).toBe(0);
    // Patient AR nets to zero across the guarantor's recovery and the claim's payment.
    expect(by['patient-ar']).toBe(0);
    expect(by['contractual-allowance']).toBe(20_000 - 3_000);
  });
});
