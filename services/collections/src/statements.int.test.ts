import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated, claimSubmitted } from '@mso/contracts/billing';
import { tablesMissingTenantWall } from '@mso/db';
import { KIT_TABLES_OUTSIDE_WALL } from '@mso/kit';
import { eventually, startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { extractText, getDocumentProxy } from 'unpdf';
import { agencies } from './db/schema.js';
import { collections } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: billing's adjudication (published on
// billing's stream as its relay would) becomes a balance; a statement run states it once a day; the
// statement reads as JSON and as a PDF.

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', collections], transport: 'real' });
  p.clock.set('2026-06-01T14:00:00Z');
});
afterAll(() => p?.close());

const as = (key: string) => (method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse> =>
  p.request({ method, url, key, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

describe('statements through the gateway', () => {
  it('states a balance once a day, never insurance pending, and serves the statement as JSON and PDF', async () => {
    const practice = await p.createPractice({ services: ['collections'], terms: { collections: { statementCycleDay: 1, minStatementBalanceCents: 500 } } });
    const call = as(practice.key);
    const patientId = crypto.randomUUID();
    const payerId = crypto.randomUUID();
    const profile = await call('PUT', '/v1/collections/practice-profile', { name: 'Harbor Internal Medicine', address: { line1: '77 Bay Rd', city: 'Tampa', state: 'FL', postalCode: '33602' }, payWithinDays: 30 });
    expect(profile.status).toBe(200);
    // Without a profile the run refuses, naming what is missing.
    const bare = await p.createPractice({ services: ['collections'] });
    const refused = await as(bare.key)('POST', '/v1/collections/statement-runs', {});
    expect(refused.status).toBe(422);
    expect(refused.json.errors[0].path).toBe('/practice-profile');

    const adjudicated = crypto.randomUUID();
    await p.publishEvent(claimSubmitted, { claimId: adjudicated, patientId, payerId, renderingProviderNpi: null, serviceDate: '2026-05-04', submittedOn: '2026-05-05', chargeCents: 25_000, frequencyCode: '1' }, practice.id);
    await p.publishEvent(
      claimAdjudicated,
      {
        claimId: adjudicated,
        remittanceId: null,
        adjudicationId: crypto.randomUUID(),
        patientId,
        payerId,
        paymentDate: '2026-05-20',
        paidCents: 15_000,
        adjustments: [{ group: 'CO', reason: '45', amountCents: 4_000 }, { group: 'PR', reason: '2', amountCents: 6_000 }],
        patientResponsibility: [],
        lines: [{ lineId: crypto.randomUUID(), serviceDate: '2026-05-04', chargeCents: 25_000, paidCents: 15_000, patientResponsibility: [{ reason: 'coinsurance', amountCents: 6_000 }] }],
        reversal: false,
      },
      practice.id,
    );
    // A second claim still at the payer.
    await p.publishEvent(claimSubmitted, { claimId: crypto.randomUUID(), patientId, payerId, renderingProviderNpi: null, serviceDate: '2026-05-28', submittedOn: '2026-05-29', chargeCents: 40_000, frequencyCode: '1' }, practice.id);
    const account = await eventually(
      () => call('GET', `/v1/collections/accounts/${patientId}`),
      (r) => r.status === 200 && r.json.balanceCents === 6_000,
    );
    expect(account.json.balanceCents).toBe(6_000);
    const contact = await call('PUT', `/v1/collections/guarantors/${patientId}`, {
      name: 'Casey Morgan',
      mailingAddress: { line1: '5 Palm Ct', city: 'Tampa', state: 'FL', postalCode: '33606' },
      preferredChannel: 'mail',
    });
    expect(contact.status).toBe(200);

    const run = await call('POST', '/v1/collections/statement-runs', {});
    expect(run.status).toBe(201);
    expect(run.json).toMatchObject({ runDate: '2026-06-01', trigger: 'on-demand', statementCount: 1, amountDueCents: 6_000 });
    const again = await call('POST', '/v1/collections/statement-runs', {});
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(run.json.id);
    expect((await call('GET', '/v1/collections/statements')).json.items).toHaveLength(1);

    const id = run.json.statementIds[0] as string;
    const statement = await call('GET', `/v1/collections/statements/${id}`);
    expect(statement.status).toBe(200);
    expect(statement.json).toMatchObject({ guarantorId: patientId, amountDueCents: 6_000, insurancePendingCents: 40_000, payByDate: '2026-07-01', channel: 'mail', delivery: 'sent' });
    expect(statement.json.lines).toEqual([expect.objectContaining({ serviceDate: '2026-05-04', chargesCents: 25_000, insurancePaidCents: 15_000, patientResponsibilityCents: 6_000, balanceCents: 6_000 })]);

    const pdf = await p.app.inject({ method: 'GET', url: `/v1/collections/statements/${id}/pdf`, headers: { authorization: `Bearer ${practice.key}` } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), { mergePages: true });
    expect(text).toContain('Harbor Internal Medicine');
    expect(text).toContain('Casey Morgan');
    expect(text).toContain('Amount due: $60.00');
    expect(text).toMatch(/0-30 days[\s\S]*\$60\.00\s+\$0\.00\s+\$0\.00\s+\$0\.00\s+\$0\.00/);
    // The claim at the payer is shown apart, never in the amount due.
    expect(text).toContain('Still with your insurance, not due now: $400.00 in charges');

    // An agency's placement list, as JSON and as the CSV the agency receives.
    const agency = await call('POST', '/v1/collections/agencies', { name: 'Gulf Recovery' });
    expect(agency.status).toBe(201);
    expect((await call('GET', `/v1/collections/agencies/${agency.json.id}/placements`)).json.items).toEqual([]);
    const csv = await call('GET', `/v1/collections/agencies/${agency.json.id}/placements.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(String(csv.json)).toMatch(/^placement_id,account_id,name,/);

    // Another practice sees neither the statement nor its PDF.
    const other = await p.createPractice({ services: ['collections'] });
    expect((await as(other.key)('GET', `/v1/collections/statements/${id}`)).status).toBe(404);
    expect((await as(other.key)('GET', `/v1/collections/statements/${id}/pdf`)).status).toBe(404);
  });

  it('keeps every collections table behind the tenant wall; a query without a practice filter sees its own practice only', async () => {
    const db = p.runtime.database!;
    expect(await tablesMissingTenantWall(db.db, ['collections'], KIT_TABLES_OUTSIDE_WALL)).toEqual([]);
    const a = await p.createPractice({ services: ['collections'] });
    const b = await p.createPractice({ services: ['collections'] });
    const now = new Date();
    await db.db.insert(agencies).values([a.id, b.id].map((practiceId) => ({ id: crypto.randomUUID(), practiceId, name: 'Agency', createdAt: now })));
    const seen = await db.tenantDb(a.id).select().from(agencies);
    expect(seen.map((r) => r.practiceId)).toEqual([a.id]);
  });
});
