import { afterAll, beforeAll, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTelemetry, type Telemetry } from '@mso/telemetry';
import { practiceCreated } from '@mso/contracts/tenancy';
import { getInfo, getJob, listJobs } from '@mso/contracts/finance';
import { consume, defineService } from '@mso/kit';
import { startTestPlatform, type TestPlatform } from '@mso/testing';
import { tenancy } from './service.js';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let p: TestPlatform;
const seenByFinance: string[] = [];

// Another service that reacts to tenancy's event, as finance will (it sets up the practice's ledger).
const financeListener = defineService({
  id: 'finance',
  version: '0.0.1',
  description: 'test consumer',
  db: { schema: 'finance_test', migrationsFolder: new URL('../test/empty-migrations', import.meta.url).pathname },
  // Only the operations the kit answers (finance's real contract is the finance service's).
  operations: [getInfo, getJob, listJobs],
  handlers: [],
  consumers: [
    consume(practiceCreated, async (event) => {
      seenByFinance.push(event.data.practice.id);
    }),
  ],
});

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'trace-test', spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  p = await startTestPlatform({ services: [tenancy, financeListener] });
});
afterAll(async () => {
  await p?.close();
  await telemetry?.shutdown();
});

it('follows one request through gateway → tenancy → Postgres → event → finance consumer in one trace', async () => {
  exporter.reset();
  const practice = await p.createPractice({ services: ['finance'] });
  await p.runtime.host.flushOutbox();
  const deadline = Date.now() + 5000;
  while (!seenByFinance.includes(practice.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(seenByFinance).toContain(practice.id);

  // The consumer span ends (and is exported) only after the handler returns and the event is acked.
  const findConsumerSpan = () => exporter.getFinishedSpans().find((s) => s.kind === 4 /* CONSUMER */ && s.name.includes('evt.tenancy.practice.created'));
  while (!findConsumerSpan() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const spans = exporter.getFinishedSpans();
  const consumerSpan = findConsumerSpan();
  expect(consumerSpan, 'consumer span').toBeDefined();
  const traceId = consumerSpan!.spanContext().traceId;
  const trace = spans.filter((s) => s.spanContext().traceId === traceId);
  const byKind = (kind: number) => trace.filter((s) => s.kind === kind);

  // The root is the gateway's HTTP request for POST /v1/tenancy/practices.
  const root = trace.find((s) => !s.parentSpanContext);
  expect(root?.attributes['http.request.method'] ?? root?.attributes['http.method']).toBe('POST');
  expect(JSON.stringify(root?.attributes)).toContain('/v1/tenancy/practices');
  expect(byKind(3 /* PRODUCER */).length + byKind(2 /* CLIENT */).length).toBeGreaterThan(0);
  expect(byKind(1 /* SERVER */).some((s) => s.name.includes('tenancy.v1.practice.create'))).toBe(true);
  expect(trace.some((s) => s.attributes['db.system.name'] === 'postgresql')).toBe(true);
  expect(byKind(3).some((s) => s.name.includes('evt.tenancy.practice.created'))).toBe(true);

  // No PHI or payload in any attribute: the practice's name and NPI never appear.
  const created = await p.request({ method: 'GET', url: `/v1/tenancy/practices/${practice.id}` });
  const attributes = JSON.stringify(spans.map((s: ReadableSpan) => s.attributes));
  expect(attributes).not.toContain(created.json.name);
  expect(attributes).not.toContain(created.json.npi);
});
