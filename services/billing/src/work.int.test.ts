import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase } from '@mso/db';
import type { Db } from '@mso/kit';
import { startTestPlatform, type TestPlatform } from '@mso/testing';
import { claimAdjudications, claimLines, claims } from './db/schema.js';
import { enqueueDenials } from './handlers/work/index.js';
import { billing } from './service.js';

// On the running NATS and PostgreSQL, through the gateway: the denial queue a posting fills (as the
// posting's own transaction does), another practice kept out, and the MSO's report across practices.

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', { ...billing, operations: billing.handlers.map((h) => h.operation) }], transport: 'real' });
  p.clock.set('2026-06-01T15:00:00Z');
}, 60_000);
afterAll(() => p?.close());

async function practiceWithDenials(claimCount: number) {
  const practice = await p.createPractice({ services: ['billing'] });
  const call = (method: string, url: string, body?: unknown) => p.request({ method, url, key: practice.key, ...(body ? { body } : {}) });
  const payer = (await call('POST', '/v1/billing/payers', { name: 'Gulf Coast', ediPayerId: 'GCHP1', claimFilingIndicatorCode: 'CI' })).json;
  const patient = (await call('POST', '/v1/billing/patients', { firstName: 'A', lastName: 'B', dateOfBirth: '1980-01-01', sex: 'F', address: { line1: '1 X', city: 'Y', state: 'FL', postalCode: '33606' } })).json;
  const provider = (await call('POST', '/v1/billing/providers', { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Clinic' })).json;
  const database = await openDatabase({ url: p.databaseUrl! });
  const now = p.clock.now();
  const claimIds = Array.from({ length: claimCount }, () => randomUUID());
  let elapsed = 0;
  await database.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.execute(sql`select set_config('mso.all_practices', 'on', true)`);
    const rows = claimIds.map((id, i) => ({ id, lineId: randomUUID(), pcn: `D${i}` }));
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      const base = { practiceId: practice.id, frequencyCode: '1', patientId: patient.id, payerId: payer.id, billingProviderId: provider.id, placeOfService: '11', diagnoses: [], serviceDateFrom: '2026-04-01', serviceDateTo: '2026-04-01', findings: [], details: {} };
      await tx.insert(claims).values(
        part.map((r) => ({ ...base, id: r.id, patientControlNumber: r.pcn, status: 'denied', chargeCents: 20000, paidCents: 0, adjustmentCents: 20000, patientResponsibilityCents: 0, submissionCount: 1, firstSubmittedAt: now, lastSubmittedAt: now, duplicateKey: r.id, version: 1, createdAt: now, updatedAt: now })),
      );
      await tx.insert(claimLines).values(
        part.map((r) => ({ id: r.lineId, practiceId: practice.id, claimId: r.id, lineNumber: 1, procedureCode: '97110', modifiers: [], units: 1, chargeCents: 20000, diagnosisPointers: [1], serviceDate: '2026-04-01', lineControlNumber: `${r.pcn}-1`, paidCents: 0, adjustmentCents: 20000, patientResponsibilityCents: 0, denied: true, details: {} })),
      );
      await tx.insert(claimAdjudications).values(
        part.map((r) => ({
          id: randomUUID(), practiceId: practice.id, claimId: r.id, source: 'era', statusCode: '4', reversal: false, paidCents: 0, patientResponsibilityCents: 0,
          adjustments: [{ lineId: r.lineId, group: 'CO' as const, reason: '50', amountCents: 20000 }], lines: [{ lineId: r.lineId, paidCents: 0, remarks: ['N115'] }], remarks: [], paymentDate: '2026-05-20', postedAt: now, postedBy: 'test',
        })),
      );
    }
    const started = performance.now();
    await enqueueDenials(tx, practice.id, claimIds, now);
    elapsed = performance.now() - started;
  });
  await database.close();
  return { practice, call, elapsed };
}

it('fills the denial queue of a large posting at once and keeps it to its practice', async () => {
  const { practice, call, elapsed } = await practiceWithDenials(5000);
  console.log(`5,000 denied claims queued in ${Math.round(elapsed)} ms`);
  const page = await call('GET', '/v1/billing/denials?reason=CO-50&limit=200');
  expect(page.status).toBe(200);
  expect(page.json.items).toHaveLength(200);
  expect(page.json.items[0]).toMatchObject({ deniedCents: 20000, reasons: [{ group: 'CO', reason: '50', known: true }], remarks: [{ code: 'N115', known: true }] });
  const id = page.json.items[0].id as string;

  const other = await p.createPractice({ services: ['billing'] });
  expect((await p.request({ method: 'GET', url: `/v1/billing/denials/${id}`, key: other.key })).status).toBe(404);
  expect((await p.request({ method: 'GET', url: '/v1/billing/denials', key: other.key })).json.items).toEqual([]);

  const report = await p.request({ method: 'GET', url: '/v1/billing/reports/revenue-cycle-by-practice?from=2026-04-01&to=2026-05-31' });
  expect(report.status).toBe(200);
  const mine = report.json.items.find((r: { practiceId: string }) => r.practiceId === practice.id);
  expect(mine.denialRate).toMatchObject({ adjudicatedClaims: 5000, deniedClaims: 5000, percent: 100, byReason: [{ reason: '50', claims: 5000 }] });
  expect(report.json.total.denialRate.deniedClaims).toBeGreaterThanOrEqual(5000);
  // A practice's key may not look across practices.
  expect((await call('GET', '/v1/billing/reports/revenue-cycle-by-practice')).status).toBe(403);
}, 120_000);
