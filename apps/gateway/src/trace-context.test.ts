import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMemoryBus } from '@mso/bus';
import { installTestTracing } from '@mso/bus/conformance';
import { getCatalog } from '@mso/contracts/tenancy';
import { encodeJson } from '@mso/kit';
import { buildGateway } from './app.js';

const exporter = installTestTracing();
const adminKey = 'mso_admin_trace_context';
const seen: (string | undefined)[] = [];
let app: FastifyInstance;

beforeAll(async () => {
  const bus = createMemoryBus();
  await bus.serve({
    service: 'tenancy',
    version: '1.0.0',
    subjects: [getCatalog.subject],
    handler: async (request) => {
      seen.push(request.headers.traceparent);
      return { data: encodeJson({ services: [] }) };
    },
  });
  app = await buildGateway({ bus, adminKey, env: {} });
});
afterAll(async () => {
  await app?.close();
});

async function call(traceparent: string): Promise<string | undefined> {
  seen.length = 0;
  const res = await app.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: { authorization: `Bearer ${adminKey}`, traceparent } });
  expect(res.statusCode).toBe(200);
  return seen[0];
}

const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

it('carries a sampled-out trace (flags 00) from the HTTP request to the service, recording no span', async () => {
  const traceId = randomBytes(16).toString('hex');
  const received = await call(`00-${traceId}-${randomBytes(8).toString('hex')}-00`);
  expect(received).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  expect(spansOf(traceId)).toEqual([]);
});

it('continues a sampled trace (flags 01) to the service under the gateway spans', async () => {
  const traceId = randomBytes(16).toString('hex');
  const received = await call(`00-${traceId}-${randomBytes(8).toString('hex')}-01`);
  expect(received).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  const spans = spansOf(traceId);
  // The service was called from the gateway's bus CLIENT span.
  const client = spans.find((s) => s.name === `send ${getCatalog.subject}`);
  expect(client).toBeDefined();
  expect(received).toContain(client!.spanContext().spanId);
});
