import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase } from '@mso/db';
import { startTestPlatform, type TestPlatform } from '@mso/testing';
import { parse835 } from '@mso/x12';
import { generate835 } from '@mso/x12/testing';
import { claimLines, claims } from './db/schema.js';
import { billing } from './service.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', billing], transport: 'real' });
}, 60_000);
afterAll(() => p?.close());

// Through the gateway on NATS and PostgreSQL: an ERA larger than the synchronous limit is posted by a
// job with progress; the same payment again posts nothing. (The 10,000-claim figure is the benchmark's.)
const CLAIMS = Number(process.env.REMITTANCE_TEST_CLAIMS ?? 4_000);

it('posts a large ERA as a job with progress, and the same payment again posts nothing', async () => {
  const practice = await p.createPractice({ services: ['billing'] });
  const call = (method: string, url: string, body?: unknown) => p.request({ method, url, key: practice.key, ...(body ? { body } : {}) });
  const payer = (await call('POST', '/v1/billing/payers', { name: 'Bench', ediPayerId: '1512345678', claimFilingIndicatorCode: 'CI' })).json;
  const patient = (await call('POST', '/v1/billing/patients', { firstName: 'A', lastName: 'B', dateOfBirth: '1980-01-01', sex: 'F', address: { line1: '1 X', city: 'Y', state: 'FL', postalCode: '33606' } })).json;
  const provider = (await call('POST', '/v1/billing/providers', { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Clinic' })).json;
  const gen = generate835(CLAIMS);
  const era = parse835(gen.text).remittances[0]!;
  // Claims as an 837P import leaves them (submitted, one line each), written straight to the database.
  const database = await openDatabase({ url: p.databaseUrl! });
  const now = new Date();
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mso.all_practices', 'on', true)`);
    const rows = era.claims.map((c) => ({ c, id: randomUUID() }));
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await tx.insert(claims).values(
        part.map(({ c, id }) => ({
          id, practiceId: practice.id, patientControlNumber: c.patientControlNumber, status: 'submitted', frequencyCode: '1', patientId: patient.id, payerId: payer.id,
          billingProviderId: provider.id, placeOfService: '11', diagnoses: [], serviceDateFrom: c.services[0]!.serviceDate!, serviceDateTo: c.services[0]!.serviceDate!,
          chargeCents: c.chargeCents, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, submissionCount: 1, findings: [], duplicateKey: id, details: {}, version: 1, createdAt: now, updatedAt: now,
        })),
      );
      await tx.insert(claimLines).values(
        part.map(({ c, id }) => ({
          id: randomUUID(), practiceId: practice.id, claimId: id, lineNumber: 1, procedureCode: c.services[0]!.procedure.code, modifiers: c.services[0]!.procedure.modifiers, units: 1,
          chargeCents: c.chargeCents, diagnosisPointers: [1], serviceDate: c.services[0]!.serviceDate!, lineControlNumber: `${c.patientControlNumber}-1`, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, denied: false, details: {},
        })),
      );
    }
  });
  await database.close();
  const started = performance.now();
  const posted = await postAndWait(practice.key, gen.text);
  console.log(`${CLAIMS}-claim ERA (${gen.text.length} bytes) posted through the gateway in ${Math.round(performance.now() - started)} ms`);
  expect(posted.job).toMatchObject({ status: 'succeeded', progress: { done: CLAIMS, total: CLAIMS } });
  const result = posted.job.result as { id: string; matchedClaimCount: number; claimPaymentCents: number };
  expect(result).toMatchObject({ matchedClaimCount: CLAIMS, claimPaymentCents: gen.paidCents });
  const remittance = (await call('GET', `/v1/billing/remittances/${result.id}`)).json;
  expect(remittance.claims).toHaveLength(CLAIMS);

  const again = await postAndWait(practice.key, gen.text);
  expect(again.job).toMatchObject({ status: 'succeeded', result: { id: result.id } });
  const other = await p.createPractice({ services: ['billing'] });
  expect((await p.request({ method: 'GET', url: `/v1/billing/remittances/${result.id}`, key: other.key })).status).toBe(404);
}, 300_000);

async function postAndWait(key: string, text: string) {
  const response = await p.app.inject({ method: 'POST', url: '/v1/billing/remittances', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/edi-x12' }, payload: Buffer.from(text) });
  expect(response.statusCode).toBe(202);
  const { id } = JSON.parse(response.body) as { id: string };
  for (;;) {
    const job = (await p.request({ method: 'GET', url: `/v1/billing/jobs/${id}`, key })).json as { status: string; progress: unknown; result?: unknown };
    if (job.status !== 'queued' && job.status !== 'running') return { job };
    await new Promise((r) => setTimeout(r, 100));
  }
}
