import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import type { FastifyInstance } from 'fastify';
import { allOperations, problemStatus } from '@mso/contracts';
import { createMemoryBus } from '@mso/bus';
import { buildGateway } from './app.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildGateway({ bus: createMemoryBus(), adminKey: 'mso_admin_test' });
});
afterAll(async () => {
  await app.close();
});

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3.1 document with every HTTP operation of every contract', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify(result)).toBe(true);
    const operationIds = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const op of allOperations.filter((o) => o.http)) expect(operationIds).toContain(`${op.service}.${op.name}`);
    // Internal operations (no HTTP binding) are not exposed.
    expect(operationIds).not.toContain('tenancy.api-key.resolve');
    // Errors reference the one shared Problem schema instead of repeating it.
    expect(doc.components.schemas.Problem).toBeDefined();
  });

  it("lists each operation's declared errors as Problem responses under their status", async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    type Responses = Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
    let checked = 0;
    for (const op of allOperations.filter((o) => o.http)) {
      const path = op.http!.path;
      const responses = doc.paths[path][op.http!.method.toLowerCase()].responses as Responses;
      for (const code of op.errors) {
        const response = responses[String(problemStatus[code])];
        expect(response, `${op.subject} ${code}`).toBeDefined();
        expect(response!.description).toContain(`\`${code}\``);
        expect(response!.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/Problem');
        checked++;
      }
      // Every route may also be refused by the edge itself.
      expect(responses['401']!.description).toContain('unauthorized');
      expect(responses['429']!.description).toContain('too-many-requests');
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('serves the interactive docs at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });

  it('answers /healthz while the process is alive and /readyz 503 while tenancy is not answering', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not-ready', checks: { bus: 'ok' } });
  });

  it('serves Prometheus metrics: per-operation requests by status and duration, and consumer lag', async () => {
    await app.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: { authorization: 'Bearer mso_admin_test' } });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('mso_operation_requests_total{service="tenancy",operation="catalog.get",status="503"} 1');
    expect(res.body).toContain('mso_operation_duration_seconds_bucket{le="0.001",service="tenancy",operation="catalog.get"}');
    expect(res.body).toContain('# TYPE mso_consumer_lag gauge');
  });

  it("exports the event loop's delay (monitorEventLoopDelay) since the last scrape: p99 and max, in seconds", async () => {
    await app.inject({ method: 'GET', url: '/metrics' });
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of ['mso_gateway_nodejs_eventloop_lag_p99_seconds', 'mso_gateway_nodejs_eventloop_lag_max_seconds']) {
      expect(body).toContain(`# TYPE ${name} gauge`);
      const value = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1]);
      expect(Number.isFinite(value) && value >= 0, `${name} = ${value}`).toBe(true);
    }
  });

  it('answers an entitled route with 503 service-unavailable when no copy of the service runs', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: { authorization: 'Bearer mso_admin_test' } });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('service-unavailable');
  });
});
