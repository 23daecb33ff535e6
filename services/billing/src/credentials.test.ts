import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError, type DataOf } from '@mso/contracts';
import { createClaimFromEncounter, createCoverage, createEncounter, createPatient, createPayer, createProvider, getClaim, submitClaim, type Claim } from '@mso/contracts/billing';
import { providerCredentialsChanged } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { randomUUID } from 'node:crypto';
import { providerCredentials } from './db/schema.js';
import { billing } from './service.js';

// HR's `hr.provider.credentials-changed` kept as billing's view, and the scrubber obeying it at submission.

let t: TestService;
let practiceId: string;
let payerId: string;
let patientId: string;
let billingProviderId: string;
const renderingByNpi = new Map<string, string>();
const admin = () => ({ practiceId, role: 'practice-admin' as const });
const NPI = '1234567901';
const UNANNOUNCED_NPI = '1234567919';
const address = { line1: '100 Bayshore Blvd', city: 'Tampa', state: 'FL', postalCode: '33606' };

type Credentials = DataOf<typeof providerCredentialsChanged>;
/** HR announcing the provider's whole current set, as its outbox relay would. */
const announce = (set: Partial<Pick<Credentials, 'licences' | 'enrollments'>>, id = randomUUID()) =>
  t.deliver(providerCredentialsChanged, { npi: NPI, practiceId, licences: [], enrollments: [], ...set }, { practiceId, id, subject: NPI });

/** An office visit rendered by the provider with that NPI, built into a claim (scrubbed at once). */
async function claimBy(renderingNpi: string, dateOfService: string): Promise<Claim> {
  const encounter = await t.call(
    createEncounter,
    {
      patientId,
      billingProviderId,
      renderingProviderId: renderingByNpi.get(renderingNpi)!,
      placeOfService: '11',
      dateOfService,
      diagnoses: [{ code: 'E11.9' }],
      charges: [{ procedureCode: '99213', chargeCents: 12_500, diagnosisPointers: [1] }],
    },
    admin(),
  );
  return t.call(createClaimFromEncounter, { id: encounter.id }, admin());
}

async function refusal(claimId: string) {
  const error = await t.call(submitClaim, { id: claimId }, admin()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return (error as ProblemError).toProblem() as ReturnType<ProblemError['toProblem']> & { findings?: Claim['findings'] };
}

const view = async () => (await t.database!.db.select().from(providerCredentials).where(and(eq(providerCredentials.practiceId, practiceId), eq(providerCredentials.npi, NPI))))[0];

beforeAll(async () => {
  t = await testService(billing, { clock: '2026-05-22T15:00:00Z' });
  practiceId = await t.practice({ state: 'FL', timeZone: 'America/New_York' });
  payerId = (await t.call(createPayer, { name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' }, admin())).id;
  patientId = (await t.call(createPatient, { firstName: 'Maria', lastName: 'Lopez', dateOfBirth: '1975-04-12', sex: 'F', address }, admin())).id;
  await t.call(createCoverage, { patientId, payerId, memberId: 'W123456789', relationship: 'self', order: 'primary', effectiveFrom: '2026-01-01' }, admin());
  billingProviderId = (await t.call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' }, admin())).id;
  for (const npi of [NPI, UNANNOUNCED_NPI]) renderingByNpi.set(npi, (await t.call(createProvider, { kind: 'rendering', npi, taxonomyCode: '207Q00000X', name: 'Okafor', firstName: 'Grace' }, admin())).id);
});
afterAll(() => t.close());

describe('provider-not-credentialed at submission', () => {
  it('refuses a claim whose rendering provider is not enrolled with the payer, and submits it once HR adds the enrollment; a repeated event changes nothing', async () => {
    const first = randomUUID();
    await announce({ licences: [{ state: 'FL', from: '2024-02-01', to: '2028-01-31' }], enrollments: [{ payerId: '87726', from: '2026-01-01', to: null }] }, first);
    const claim = await claimBy(NPI, '2026-05-20');
    expect(claim.status).toBe('draft');

    const refused = await refusal(claim.id);
    expect(refused).toMatchObject({ code: 'claim-scrub-failed', status: 422 });
    expect(refused.findings).toEqual([{ code: 'provider-not-credentialed', severity: 'error', field: '/renderingProviderId', message: `the rendering provider (${NPI}) is not enrolled with payer 60054 on 2026-05-20` }]);

    t.clock.advance(60_000);
    await announce({ licences: [{ state: 'FL', from: '2024-02-01', to: '2028-01-31' }], enrollments: [{ payerId: '60054', from: '2026-01-01', to: null }, { payerId: '87726', from: '2026-01-01', to: null }] });
    // The first event again (a redelivery): the inbox knows its id, so the enrollment stays.
    t.clock.advance(60_000);
    await announce({ licences: [{ state: 'FL', from: '2024-02-01', to: '2028-01-31' }], enrollments: [{ payerId: '87726', from: '2026-01-01', to: null }] }, first);
    expect((await view())!.enrollments.map((e) => e.payerId)).toEqual(['60054', '87726']);

    expect(await t.call(submitClaim, { id: claim.id }, admin())).toMatchObject({ status: 'submitted', findings: [] });
  });

  it('refuses a claim after the licence lapsed before the date of service, and passes once HR records the renewal covering it', async () => {
    t.clock.advance(60_000);
    await announce({ licences: [{ state: 'FL', from: '2024-02-01', to: '2026-04-30' }], enrollments: [{ payerId: '60054', from: '2026-01-01', to: null }] });
    const claim = await claimBy(NPI, '2026-05-19');
    expect((await refusal(claim.id)).findings).toEqual([
      expect.objectContaining({ code: 'provider-not-credentialed', severity: 'error', field: '/renderingProviderId', message: `the rendering provider (${NPI}) holds no FL licence in effect on 2026-05-19` }),
    ]);
    expect(await t.call(getClaim, { id: claim.id }, admin())).toMatchObject({ status: 'draft' });

    t.clock.advance(60_000);
    await announce({ licences: [{ state: 'FL', from: '2026-05-01', to: '2028-04-30' }, { state: 'FL', from: '2024-02-01', to: '2026-04-30' }], enrollments: [{ payerId: '60054', from: '2026-01-01', to: null }] });
    expect(await t.call(submitClaim, { id: claim.id }, admin())).toMatchObject({ status: 'submitted' });
  });

  it('keeps the newer set when an older event arrives late under another id', async () => {
    const current = await view();
    t.clock.set(new Date(current!.changedAt.getTime() - 3_600_000));
    await announce({ licences: [], enrollments: [] });
    expect(await view()).toMatchObject({ licences: current!.licences, enrollments: current!.enrollments });
    t.clock.set(new Date(current!.changedAt.getTime() + 60_000));
  });

  it('only warns about a rendering provider HR has never announced, and submits the claim', async () => {
    const claim = await claimBy(UNANNOUNCED_NPI, '2026-05-20');
    expect(claim).toMatchObject({ status: 'ready', findings: [{ code: 'provider-credentials-unknown', severity: 'warning', field: '/renderingProviderId' }] });
    expect(await t.call(submitClaim, { id: claim.id }, admin())).toMatchObject({ status: 'submitted' });
  });
});
