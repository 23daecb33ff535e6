import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated, claimSubmitted } from '@mso/contracts/billing';
import { createPlan, getStatement, getStatementPdf, listStatementRuns, listStatements, putGuarantor, putPracticeProfile, runStatements, statementsSentReport } from '@mso/contracts/collections';
import { testService, type TestService } from '@mso/testing';
import { extractText, getDocumentProxy } from 'unpdf';
import { collections } from '../../service.js';

let t: TestService;
let practiceId: string;
const as = () => ({ practiceId, role: 'practice-admin' as const });

/** A claim adjudicated with `responsibilityCents` left to the patient (coinsurance), on one line. */
async function adjudicate(patientId: string, responsibilityCents: number, serviceDate = '2026-03-02', claimId = randomUUID()) {
  const chargeCents = 20_000;
  const paidCents = 12_000;
  await t.deliver(
    claimAdjudicated,
    {
      claimId,
      remittanceId: null,
      adjudicationId: randomUUID(),
      patientId,
      payerId: randomUUID(),
      paymentDate: '2026-03-20',
      paidCents,
      adjustments: [
        { group: 'CO', reason: '45', amountCents: chargeCents - paidCents - responsibilityCents },
        { group: 'PR', reason: '2', amountCents: responsibilityCents },
      ],
      patientResponsibility: [],
      lines: [{ lineId: randomUUID(), serviceDate, chargeCents, paidCents, patientResponsibility: [{ reason: 'coinsurance', amountCents: responsibilityCents }] }],
      reversal: false,
    },
    { practiceId },
  );
  return claimId;
}

async function guarantor(patientId: string, extra: Partial<Parameters<typeof t.call<typeof putGuarantor>>[1]> = {}) {
  await t.call(
    putGuarantor,
    { id: patientId, name: 'Jordan Rivers', mailingAddress: { line1: '12 Elm St', city: 'Columbus', state: 'OH', postalCode: '43004' }, preferredChannel: 'mail', ...extra },
    as(),
  );
}

const patients = { mail: randomUUID(), email: randomUUID(), hold: randomUUID(), plan: randomUUID(), small: randomUUID(), noContact: randomUUID(), pendingOnly: randomUUID() };

beforeAll(async () => {
  // 07:00 in New York, 04:00 in Los Angeles, on the practice's cycle day.
  t = await testService(collections, { clock: '2026-04-01T11:00:00Z' });
  practiceId = await t.practice({ services: ['collections'], timeZone: 'America/New_York', terms: { collections: { statementCycleDay: 1, minStatementBalanceCents: 1_000 } } });
  await t.call(putPracticeProfile, { name: 'Riverside Pediatrics', address: { line1: '400 High St', city: 'Columbus', state: 'OH', postalCode: '43215' }, phone: '6145550100' }, as());

  await adjudicate(patients.mail, 4_500, '2026-02-10');
  await adjudicate(patients.mail, 3_000, '2026-03-02');
  await adjudicate(patients.email, 2_500);
  await adjudicate(patients.hold, 6_000);
  await adjudicate(patients.plan, 9_000);
  await adjudicate(patients.small, 999);
  await adjudicate(patients.noContact, 5_000);
  // Still at the payer: never the patient's to pay.
  for (const patientId of [patients.mail, patients.pendingOnly]) {
    await t.deliver(
      claimSubmitted,
      { claimId: randomUUID(), patientId, payerId: randomUUID(), renderingProviderNpi: null, serviceDate: '2026-03-25', submittedOn: '2026-03-26', chargeCents: 30_000, frequencyCode: '1' },
      { practiceId },
    );
  }

  await guarantor(patients.mail);
  await guarantor(patients.email, { preferredChannel: 'email', email: 'jr@example.org', consent: { email: true }, timeZone: 'America/Los_Angeles' });
  await guarantor(patients.hold, { hold: true });
  await guarantor(patients.plan);
  await guarantor(patients.small);
  await t.call(createPlan, { guarantorId: patients.plan, totalCents: 9_000, installmentCount: 3, firstDueOn: '2026-04-15' }, { ...as(), idempotencyKey: randomUUID() });
});
afterAll(() => t.close());

describe('statement run', () => {
  it('states only the due accounts, and says why the others were skipped', async () => {
    await t.runJob('statement-run');
    const { items } = await t.call(listStatements, {}, as());
    expect(items.map((s) => s.guarantorId).sort()).toEqual([patients.mail, patients.email].sort());
    const { status, output: run } = await t.callForReply(runStatements, {}, as());
    expect(status).toBe(200); // the day's run had been made by the schedule
    expect(run).toMatchObject({ runDate: '2026-04-01', trigger: 'schedule', statementCount: 2, amountDueCents: 4_500 + 3_000 + 2_500 });
    expect(Object.fromEntries(run.skipped.map((s) => [s.guarantorId, s.reason]))).toEqual({
      [patients.hold]: 'on-hold',
      [patients.plan]: 'plan-current',
      [patients.small]: 'below-minimum',
      [patients.noContact]: 'no-contact',
    });
  });

  it('makes nothing new on a second run the same day', async () => {
    t.clock.set('2026-04-01T20:00:00Z');
    await adjudicate(patients.small, 5_000); // now due, but the day's run is done
    const again = await t.call(runStatements, {}, as());
    expect(again.statementCount).toBe(2);
    expect((await t.call(listStatements, {}, as())).items).toHaveLength(2);
  });

  it('shows what the patient owes, never what insurance still owes', async () => {
    const [s] = (await t.call(listStatements, { guarantorId: patients.mail }, as())).items;
    const statement = await t.call(getStatement, { id: s!.id }, as());
    expect(statement).toMatchObject({
      kind: 'statement',
      statementDate: '2026-04-01',
      payByDate: '2026-04-22',
      amountDueCents: 7_500,
      // The claim at the payer is shown apart and is not in the amount due.
      insurancePendingCents: 30_000,
      aging: { current: 7_500, days31to60: 0, days61to90: 0, days91to120: 0, over120: 0 },
      practice: { name: 'Riverside Pediatrics' },
      guarantor: { name: 'Jordan Rivers', address: { line1: '12 Elm St', city: 'Columbus', state: 'OH', postalCode: '43004' } },
      channel: 'mail',
      delivery: 'sent',
      sentAt: '2026-04-01T11:00:00.000Z',
    });
    expect(statement.lines.map((l) => [l.serviceDate, l.chargesCents, l.insurancePaidCents, l.patientResponsibilityCents, l.balanceCents])).toEqual([
      ['2026-02-10', 20_000, 12_000, 4_500, 4_500],
      ['2026-03-02', 20_000, 12_000, 3_000, 3_000],
    ]);
  });

  it('holds an e-mail statement for quiet hours in the guarantor zone and releases it at 08:00 there', async () => {
    const [s] = (await t.call(listStatements, { guarantorId: patients.email }, as())).items;
    expect(s).toMatchObject({ channel: 'email', consent: true, timeZone: 'America/Los_Angeles', delivery: 'queued', sentAt: null, queuedUntil: '2026-04-01T15:00:00.000Z' });
    t.clock.set('2026-04-01T14:59:00Z');
    await t.runJob('statement-release');
    expect((await t.call(getStatement, { id: s!.id }, as())).delivery).toBe('queued');
    t.clock.set('2026-04-01T15:00:00Z');
    await t.runJob('statement-release');
    expect(await t.call(getStatement, { id: s!.id }, as())).toMatchObject({ delivery: 'sent', sentAt: '2026-04-01T15:00:00.000Z' });
    const report = await t.call(statementsSentReport, { from: '2026-04-01', to: '2026-04-30' }, as());
    expect(report.rows).toEqual([
      { month: '2026-04', channel: 'email', kind: 'statement', statements: 1, amountDueCents: 2_500 },
      { month: '2026-04', channel: 'mail', kind: 'statement', statements: 1, amountDueCents: 7_500 },
    ]);
    expect(report.queued).toBe(0);
  });

  it('states a guarantor again only after 35 days, with the balance aged from the first statement', async () => {
    t.clock.set('2026-05-01T12:00:00Z'); // 30 days on, the next cycle day
    await t.runJob('statement-run');
    const may = (await t.call(runStatements, {}, as()));
    expect(may.runDate).toBe('2026-05-01');
    expect(may.skipped).toContainEqual({ guarantorId: patients.mail, reason: 'stated-within-35-days' });
    expect(may.statementIds).toHaveLength(1); // the guarantor whose balance reached the minimum since
    t.clock.set('2026-06-01T12:00:00Z');
    await t.runJob('statement-run');
    const [june] = (await t.call(listStatements, { guarantorId: patients.mail }, as())).items;
    expect(june).toMatchObject({ statementDate: '2026-06-01', amountDueCents: 7_500, aging: { current: 0, days31to60: 0, days61to90: 7_500 } });
  });

  it('runs on schedule only on the cycle day', async () => {
    t.clock.set('2026-06-02T12:00:00Z');
    await t.runJob('statement-run');
    expect((await t.call(listStatementRuns, {}, as())).items.map((r) => [r.runDate, r.trigger])).toEqual([
      ['2026-06-01', 'schedule'],
      ['2026-05-01', 'schedule'],
      ['2026-04-01', 'schedule'],
    ]);
  });

  it('renders the statement as a PDF with the practice, the amount due and the aging', async () => {
    const [june] = (await t.call(listStatements, { guarantorId: patients.mail }, as())).items;
    const pdf = await t.call(getStatementPdf, { id: june!.id }, as());
    expect(pdf.mediaType).toBe('application/pdf');
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.bytes)), { mergePages: true });
    expect(text).toContain('Riverside Pediatrics');
    expect(text).toContain('Jordan Rivers');
    expect(text).toContain('Amount due: $75.00');
    expect(text).toMatch(/\$0\.00\s+\$0\.00\s+\$75\.00\s+\$0\.00\s+\$0\.00/);
  });

  it('answers 404 for another practice', async () => {
    const [june] = (await t.call(listStatements, { guarantorId: patients.mail }, as())).items;
    const other = await t.practice({ services: ['collections'] });
    await expect(t.call(getStatement, { id: june!.id }, { practiceId: other, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
  });
});
