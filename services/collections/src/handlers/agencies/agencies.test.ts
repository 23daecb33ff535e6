import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated } from '@mso/contracts/billing';
import { balanceWrittenOff, createAgency, listAgencies, listAccountHistory, placeAccount, putGuarantor, putPracticeProfile, runStatements } from '@mso/contracts/collections';
import { testService, type TestService } from '@mso/testing';
import { collections } from '../../service.js';

let t: TestService;
let practiceId: string;
const as = () => ({ practiceId, role: 'practice-admin' as const });
const key = () => ({ ...as(), idempotencyKey: randomUUID() });

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
      paidCents: 0,
      adjustments: [{ group: 'PR', reason: '1', amountCents: cents }],
      patientResponsibility: [],
      lines: [{ lineId: randomUUID(), serviceDate: '2026-03-02', chargeCents: cents, paidCents: 0, patientResponsibility: [{ reason: 'deductible', amountCents: cents }] }],
      reversal: false,
    },
    { practiceId },
  );
}

beforeAll(async () => {
  t = await testService(collections, { clock: '2026-04-01T15:00:00Z' });
  practiceId = await t.practice({ services: ['collections'], timeZone: 'America/Chicago' });
  await t.call(putPracticeProfile, { name: 'Prairie Clinic', address: { line1: '3 Elm St', city: 'Peoria', state: 'IL', postalCode: '61602' } }, as());
});
afterAll(() => t.close());

describe('agency placement by hand', () => {
  it('writes the open balance off as bad debt, refuses a second placement, and keeps the account out of statement runs', async () => {
    const agency = await t.call(createAgency, { name: 'Lakes Collections' }, as());
    expect((await t.call(listAgencies, {}, as())).items.map((a) => a.name)).toEqual(['Lakes Collections']);
    const g = randomUUID();
    await owe(g, 12_500);
    await t.call(putGuarantor, { id: g, name: 'Lee Park', mailingAddress: { line1: '8 Pine Rd', city: 'Peoria', state: 'IL', postalCode: '61604' }, preferredChannel: 'mail' }, as());

    const placement = await t.call(placeAccount, { guarantorId: g, agencyId: agency.id }, key());
    expect(placement).toMatchObject({ status: 'placed', source: 'manual', placedOn: '2026-04-01', placedCents: 12_500 });
    const [badDebt] = (await t.events(balanceWrittenOff)).filter((e) => e.data.guarantorId === g);
    expect(badDebt!.data).toMatchObject({ reason: 'bad-debt', amountCents: 12_500, writeOffId: placement.writeOffId });
    await expect(t.call(placeAccount, { guarantorId: g, agencyId: agency.id }, key())).rejects.toMatchObject({ status: 409 });
    await expect(t.call(placeAccount, { guarantorId: g, agencyId: randomUUID() }, key())).rejects.toMatchObject({ status: 404 });
    await expect(t.call(placeAccount, { guarantorId: randomUUID(), agencyId: agency.id }, key())).rejects.toMatchObject({ status: 422, errors: [{ path: '/guarantorId' }] });
    await expect(t.call(placeAccount, { guarantorId: g, agencyId: agency.id }, as())).rejects.toMatchObject({ status: 400, code: 'idempotency-key-required' });
    expect((await t.call(listAccountHistory, { guarantorId: g }, as())).items.map((h) => h.kind)).toContain('agency-placement');

    // A later balance of a placed account is not stated by the practice.
    await owe(g, 3_000);
    const run = await t.call(runStatements, {}, as());
    expect(run.skipped).toContainEqual({ guarantorId: g, reason: 'placed-with-agency' });
    expect(run.statementIds).toEqual([]);
  });
});
