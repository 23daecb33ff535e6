import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, type TestPlatform, type TestResponse, validNpi } from '@mso/testing';
import { finance } from '../../service.js';

// Through the gateway, on the running NATS and PostgreSQL: helpdesk's asset events reach finance's
// device count, a fee run invoices and posts once however it is asked, the invoice comes as a PDF.

let p: TestPlatform;
let practiceId: string;
let practiceKey: string;

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', 'helpdesk', finance], transport: 'real' });
  p.clock.set('2026-03-02T15:00:00Z');
  const created = await p.request({
    method: 'POST',
    url: '/v1/tenancy/practices',
    body: {
      name: 'Bayshore Family Medicine',
      npi: validNpi(Math.floor(Math.random() * 90_000_000)),
      taxId: '12-3456789',
      state: 'FL',
      agreement: {
        model: 'third-party',
        services: ['helpdesk', 'finance'],
        fees: [
          { service: 'helpdesk', basis: 'per-seat-per-month', amountCents: 40_00 },
          { service: 'finance', basis: 'flat-per-month', amountCents: 300_00 },
          { basis: 'percent-of-net-collections', rateBasisPoints: 500 },
        ],
        effectiveFrom: '2026-03-01',
      },
    },
  });
  expect(created.status).toBe(201);
  practiceId = created.json.id;
  practiceKey = (await p.request({ method: 'POST', url: `/v1/tenancy/practices/${practiceId}/api-keys`, body: { role: 'practice-admin', label: 'office' } })).json.key;
});
afterAll(() => p?.close());

const run = (period: string, key: string = randomUUID()) => p.request({ method: 'POST', url: '/v1/finance/management-fees/runs', body: { period }, headers: { 'idempotency-key': key } });

describe('management fees through the gateway', () => {
  it('counts the devices helpdesk registers, invoices the month once, and mirrors it in both books', async () => {
    const asset = (body: object) => p.request({ method: 'POST', url: '/v1/helpdesk/assets', key: practiceKey, body });
    expect((await asset({ name: 'Front desk PC', type: 'desktop' })).status).toBe(201);
    expect((await asset({ name: 'Exam room tablet', type: 'tablet' })).status).toBe(201);
    expect((await asset({ name: 'EHR licence', type: 'software-licence' })).status).toBe(201);
    const spare = await asset({ name: 'Spare laptop', type: 'laptop', status: 'retired' });
    expect(spare.status).toBe(201);

    p.clock.set('2026-04-03T15:00:00Z');
    // 2 devices × $40.00 + $300.00 flat + 5 % of $0.00 collected = $380.00.
    const preview = await eventually(
      () => p.request({ method: 'GET', url: '/v1/finance/management-fees/preview?period=2026-03' }),
      (r) => r.status === 200 && r.json.practices.find((x: { practiceId: string }) => x.practiceId === practiceId)?.feeCents === 380_00,
      { what: 'the asset events to reach finance' },
    );
    expect(preview.json.practices.find((x: { practiceId: string }) => x.practiceId === practiceId).lines[0]).toMatchObject({ quantity: 2, amountCents: 80_00 });

    // Two runs at once: one posts, the other waits for it and finds the month up to date.
    const key = randomUUID();
    const [a, b] = await Promise.all([run('2026-03', key), run('2026-03')]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.json.id).toBe(b.json.id);
    const mine = a.json.practices.find((x: { practiceId: string }) => x.practiceId === practiceId);
    expect(mine).toMatchObject({ feeCents: 380_00, differenceCents: 380_00 });
    expect(mine.warnings.map((w: { code: string }) => w.code)).toContain('fee-splitting-risk');

    // The same request again is the stored reply; a new one finds nothing to post.
    const replay = await run('2026-03', key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json.id).toBe(a.json.id);
    expect((await run('2026-03')).status).toBe(200);

    const intercompany = await p.request({ method: 'GET', url: '/v1/finance/intercompany?period=2026-03' });
    expect(intercompany.status).toBe(200);
    expect(intercompany.json.find((r: { practiceId: string }) => r.practiceId === practiceId)).toEqual({ practiceId, dueToMsoCents: 380_00, dueFromPracticeCents: 380_00, differenceCents: 0 });

    // The practice's admin reads its invoice, as JSON and as a PDF; MSO-only routes stay closed to it.
    const invoices: TestResponse = await p.request({ method: 'GET', url: '/v1/finance/invoices', key: practiceKey });
    expect(invoices.status).toBe(200);
    expect(invoices.json.items).toMatchObject([{ id: mine.invoiceId, practiceName: 'Bayshore Family Medicine', amountCents: 380_00, warnings: expect.arrayContaining([expect.objectContaining({ code: 'fee-splitting-risk' })]) }]);
    const pdf = await p.app.inject({ method: 'GET', url: `/v1/finance/invoices/${mine.invoiceId}/pdf`, headers: { authorization: `Bearer ${practiceKey}` } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await p.request({ method: 'GET', url: '/v1/finance/intercompany', key: practiceKey })).status).toBe(403);
    expect((await p.request({ method: 'GET', url: `/v1/finance/invoices/${randomUUID()}`, key: practiceKey })).status).toBe(404);
  });

  it('asks for an idempotency key and names a bad period', async () => {
    const noKey = await p.request({ method: 'POST', url: '/v1/finance/management-fees/runs', body: { period: '2026-03' } });
    expect(noKey.status).toBe(400);
    expect(noKey.json.code).toBe('idempotency-key-required');
    const bad = await run('2026-13');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('/period');
  });
});
