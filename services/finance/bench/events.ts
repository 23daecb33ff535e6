/**
 * Events booked per second by finance (`node --conditions=@mso/source --import tsx services/finance/bench/events.ts`):
 * finance (and tenancy) on NATS + PostgreSQL, one practice; billing's events for an ERA of
 * BENCH_FINANCE_CLAIMS claims (default 10,000: a submission and an adjudication per claim, then the
 * remittance) are published on billing's stream as its relay would, and timed until every one is booked.
 */
import { sql } from 'drizzle-orm';
import { claimAdjudicated, claimSubmitted, remittancePosted } from '@mso/contracts/billing';
import type { DataOf, EventDef, EventEnvelope } from '@mso/contracts';
import { encodeJson } from '@mso/kit';
import { startTestPlatform } from '@mso/testing';
import { finance } from '../src/service.js';

const claims = Number(process.env.BENCH_FINANCE_CLAIMS ?? 10_000);
const p = await startTestPlatform({ services: ['tenancy', finance], transport: 'real' });
p.clock.set('2026-03-10T15:00:00Z');
try {
  const practice = await p.createPractice({ services: ['billing', 'finance'] });
  await p.runtime.bus.ensureStream({ producer: 'billing' });
  const publish = async <E extends EventDef>(event: E, data: DataOf<E>) => {
    const envelope: EventEnvelope = { specversion: '1.0', id: crypto.randomUUID(), source: 'mso/billing', type: event.type, time: p.clock.now().toISOString(), datacontenttype: 'application/json', dataschemaversion: event.version, tenantid: practice.id, data };
    await p.runtime.bus.publish({ id: envelope.id, subject: event.subject, data: encodeJson(envelope) });
  };
  const db = p.runtime.database!.db;
  const booked = async () => Number(((await db.execute(sql`select count(*) as n from finance.journal_entries where practice_id = ${practice.id}`)) as unknown as { n: string }[])[0]!.n);
  const waitFor = async (n: number) => {
    while ((await booked()) < n) await new Promise((r) => setTimeout(r, 200));
  };

  const ids = Array.from({ length: claims }, () => ({ claimId: crypto.randomUUID(), patientId: crypto.randomUUID(), payerId: crypto.randomUUID() }));
  let t0 = performance.now();
  for (const c of ids) await publish(claimSubmitted, { ...c, renderingProviderNpi: null, serviceDate: '2026-02-01', submittedOn: '2026-02-02', chargeCents: 10_000, frequencyCode: '1' });
  const published1 = performance.now() - t0;
  await waitFor(claims);
  const submitMs = performance.now() - t0;

  const era = crypto.randomUUID();
  t0 = performance.now();
  for (const c of ids) {
    await publish(claimAdjudicated, { ...c, remittanceId: era, adjudicationId: crypto.randomUUID(), paymentDate: '2026-02-20', paidCents: 7_000, adjustments: [{ group: 'CO', reason: '45', amountCents: 2_000 }, { group: 'PR', reason: '2', amountCents: 1_000 }], patientResponsibility: [{ reason: 'coinsurance', amountCents: 1_000 }], lines: [], reversal: false });
  }
  await publish(remittancePosted, { remittanceId: era, traceNumber: 'BENCH', payerId: null, paymentDate: '2026-02-20', paymentAmountCents: 7_000 * claims, claimPaymentCents: 7_000 * claims, providerAdjustments: [] });
  const published2 = performance.now() - t0;
  await waitFor(2 * claims + 1);
  const eraMs = performance.now() - t0;
  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  console.log(JSON.stringify({ claims, submissions: { ms: Math.round(submitMs), publishMs: Math.round(published1), eventsPerSecond: rate(claims, submitMs) }, era: { ms: Math.round(eraMs), publishMs: Math.round(published2), eventsPerSecond: rate(claims + 1, eraMs) } }));
} finally {
  await p.close();
}
