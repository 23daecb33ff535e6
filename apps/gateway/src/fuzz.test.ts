/**
 * Fuzzing of the HTTP edge: every contract route of the real gateway app, with services that answer
 * every request they get with a 404 (the edge is what is under test), and requests a careless or
 * hostile client sends: malformed JSON, wrong types, huge numbers, deep nesting, odd and duplicate
 * headers, path traversal, unknown content types, oversized bodies. No response may be a 5xx, and
 * every 4xx is problem+json whose status matches. Seeded (FUZZ_SEED; fast-check prints the seed and
 * the shrunk request of a failure).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { allOperations, businessServices, operationsOf, ProblemError, type Operation, type ServiceId } from '@mso/contracts';
import { entitlementsBucket, kvKeys } from '@mso/contracts/tenancy';
import { createMemoryBus } from '@mso/bus';
import { defineService, encodeJson, handle, hashApiKey } from '@mso/kit';
import { createLogger } from '@mso/telemetry';
import { startPlatform, type Platform } from './platform.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261202);
const factor = Number(process.env.FUZZ_RUNS_FACTOR ?? 1);
const runs = (n: number): number => Math.max(1, Math.round(n * factor));
/** Bounded by the number of runs; the timeout only stops a hang (and grows with FUZZ_RUNS_FACTOR). */
const timeout = 60_000 * Math.max(1, factor);

const adminKey = 'mso_admin_fuzz';
const practiceKey = 'mso_practice_fuzz';
const practiceId = randomUUID();
const services: ServiceId[] = ['tenancy', ...businessServices];

/** Every service answers every operation with not-found: requests that pass the edge end there. */
const stubs = services.map((id) =>
  defineService({
    id,
    version: '0.0.0',
    description: `${id} (answers not-found)`,
    operations: operationsOf(id),
    handlers: operationsOf(id).map((op) =>
      handle(op, async () => {
        throw new ProblemError('not-found', 'nothing here');
      }),
    ),
  }),
);

let platform: Platform;
beforeAll(async () => {
  const bus = createMemoryBus();
  const kv = await bus.kv(entitlementsBucket);
  await kv.put(kvKeys.apiKey(hashApiKey(practiceKey)), encodeJson({ keyId: randomUUID(), role: 'practice-admin', practiceId, revoked: false }));
  await kv.put(kvKeys.practice(practiceId), encodeJson({ practiceId, services: [...businessServices], effectiveFrom: '2020-01-01', effectiveTo: null }));
  platform = await startPlatform({
    services: stubs,
    bus,
    adminKey,
    env: { MSO_SHED_EVENT_LOOP_DELAY_MS: '0' },
    logger: createLogger({ name: 'test', level: 'fatal' }),
  });
});
afterAll(async () => {
  await platform?.close();
});

type Route = Operation & { http: NonNullable<Operation['http']> };
const routes = allOperations.filter((op): op is Route => op.http !== undefined);
const bySubject = new Map(routes.map((op) => [op.subject, op]));
/** A route, generated (and printed in a counterexample) by its subject. */
const route = (list: readonly Route[] = routes): fc.Arbitrary<Route> => fc.constantFrom(...list.map((op) => op.subject)).map((s) => bySubject.get(s)!, (op) => (op as Route).subject);

/** The answer of the edge to anything: below 500, and a 4xx is problem+json with its status. */
function expectSafe(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400 && !what.startsWith('HEAD ')) {
    expect(res.headers['content-type'], what).toContain('application/problem+json');
    const problem = JSON.parse(res.body) as { status: number; code: string; title: string };
    expect(problem.status, what).toBe(res.statusCode);
    expect(typeof problem.code).toBe('string');
  }
}

const traversal = fc.constantFrom(
  '..',
  '../../etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%2F..%2F',
  '%252e%252e',
  '%00',
  '%',
  '%zz',
  '%c0%ae%c0%ae',
  '\u0000',
  'a'.repeat(5000),
  '😀',
  '%F0%9F%98%80',
  ';x=1',
  '?a=1&a=2',
  '#frag',
  '//',
  '.',
  ' ',
  '%20',
  'null',
  '-1',
  '1e999',
  '00000000-0000-0000-0000-000000000000',
);
const pathValue = fc.oneof(traversal, fc.string({ maxLength: 60 }), fc.uuid().map(String));

/** A path of a contract route with its placeholders filled by odd values, or a traversal around it. */
const path = fc.oneof(
  fc.record({ op: route(), values: fc.array(pathValue, { minLength: 4, maxLength: 4 }) }).map(({ op, values }) => {
    let i = 0;
    return op.http.path.replace(/\{(\w+)\}/g, () => values[i++] ?? '');
  }),
  fc.tuple(route(), traversal).map(([op, t]) => `${op.http.path.replace(/\{(\w+)\}/g, t)}/${t}`),
  fc.tuple(fc.constantFrom('/v1/', '/v1/billing/', '/', '/docs/', '/openapi.json/', '/healthz/..'), traversal).map(([a, b]) => a + b),
);

const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('limit', 'cursor', 'from', 'to', 'status', 'practiceId', '__proto__', 'constructor', 'a[b]', 'x'), fc.oneof(fc.string({ maxLength: 20 }), traversal, fc.constantFrom('-1', '1e308', '99999999999999999999', 'NaN', 'true', '[]'))).map(
    (q) => `?${Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
  ),
  fc.constantFrom('?limit=1&limit=2', '?%zz', '?a=%', `?${'a=1&'.repeat(2000)}`, '?limit[]=1', '?cursor=%00'),
);

const depth = (n: number, open: string, close: string, inner = '1'): string => open.repeat(n) + inner + close.repeat(n);
const hugeNumbers = fc.constantFrom('1e309', '-1e309', '123456789012345678901234567890', '0.0000000000000000000000001', '-0', '9007199254740993', '1' + '0'.repeat(400));

/** Bodies: valid JSON of the wrong shape, the route's own fields with wrong values, broken JSON, deep nesting. */
function body(op: Operation): fc.Arbitrary<string> {
  const fields = Object.keys(op.input.properties);
  const wrongValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    hugeNumbers.map((n) => JSON.parse(`[${n}]`)[0] as unknown),
    fc.constantFrom(null, '', [], {}, true, -1, 0.5, 'x'.repeat(10_000), { __proto__: null }, [[[]]]),
  );
  const ownFields = fields.length
    ? fc.dictionary(fc.constantFrom(...fields, 'extra', 'practiceId', 'id', '__proto__', 'constructor'), wrongValue, { maxKeys: 6 }).map((o) => JSON.stringify(o))
    : fc.constant('{"extra":1}');
  const withNumbers = fc.tuple(fc.constantFrom(...(fields.length ? fields : ['x'])), hugeNumbers).map(([k, n]) => `{"${k}":${n}}`);
  return fc.oneof(
    ownFields,
    withNumbers,
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom(
      '',
      '{',
      '{"a":',
      '{"a":1,}',
      "{'a':1}",
      '{"a":1}{"b":2}',
      '[1,2',
      'null',
      'undefined',
      'NaN',
      '"\\ud800"',
      '{"a":"\\u0000"}',
      '\ufeff{}',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
      '{"a":1,"a":2}',
      depth(5_000, '[', ']'),
      depth(5_000, '{"a":', '}'),
      `{"${fields[0] ?? 'a'}":${depth(2_000, '[', ']')}}`,
      `{"${fields[0] ?? 'a'}":${depth(2_000, '{"a":', '}', '{}')}}`,
    ),
    fc.string({ maxLength: 200 }),
  );
}

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/merge-patch+json',
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/edi-x12',
  'application/octet-stream',
  'application/xml',
  '',
  ';',
  'garbage',
  'application/json; charset=',
  'application/json, text/plain',
  '*/*',
);

type Headers = Record<string, string | string[]>;
const authorization = fc.constantFrom(
  `Bearer ${adminKey}`,
  `Bearer ${practiceKey}`,
  `bearer ${adminKey}`,
  `Bearer  ${adminKey}`,
  'Bearer ',
  'Bearer',
  'Basic YWRtaW46YWRtaW4=',
  `Bearer ${'k'.repeat(5000)}`,
  'Bearer mso_unknown_key',
  '',
);
const headers: fc.Arbitrary<Headers> = fc
  .record(
    {
      authorization: fc.oneof(authorization, fc.array(authorization, { minLength: 2, maxLength: 3 })),
      'x-practice-id': fc.oneof(
        fc.constantFrom(practiceId, practiceId.toUpperCase(), randomUUID(), 'not-a-uuid', '', ' ', `${practiceId},${practiceId}`, '../x'),
        fc.array(fc.constantFrom(practiceId, randomUUID(), 'x'), { minLength: 2, maxLength: 3 }),
      ),
      'idempotency-key': fc.oneof(fc.string({ maxLength: 300 }), fc.constant('k'.repeat(10_000)), fc.array(fc.constantFrom('a', 'b'), { minLength: 2, maxLength: 2 })),
      'content-length': fc.constantFrom('0', '-1', 'abc', '99999999999', '1'),
      'transfer-encoding': fc.constantFrom('chunked', 'gzip', 'identity'),
      'content-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'bogus'),
      accept: fc.constantFrom('application/xml', '*/*', '', 'text/html;q=0'),
      'x-forwarded-for': fc.constantFrom('::1', 'not-an-ip', '1.1.1.1, 2.2.2.2', ''),
      host: fc.constantFrom('evil.example', '', 'localhost:99999'),
      'x-http-method-override': fc.constantFrom('DELETE', 'PUT'),
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Headers);

/** Headers the transport itself refuses to carry (a CR/LF in a value): dropped before sending. */
const sendable = (h: Headers): Headers =>
  Object.fromEntries(Object.entries(h).filter(([, v]) => ![v].flat().some((s) => /[\r\n\0]/.test(s) || /[^\t\x20-\x7e\x80-\xff]/.test(s))));

async function send(options: InjectOptions): Promise<LightMyRequestResponse> {
  return platform.app.inject(options);
}

describe('the HTTP edge under fuzzed requests: never a 5xx, every 4xx problem+json', () => {
  it('answers odd paths, query strings and methods on every route', async () => {
    await fc.assert(
      fc.asyncProperty(path, query, fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'), authorization, async (p, q, method, auth) => {
        const res = await send({ method: method as InjectOptions['method'], url: p + q, headers: { authorization: auth } });
        expectSafe(res, `${method} ${p}${q}`);
      }),
      { seed, numRuns: runs(200) },
    );
  }, timeout);

  it('answers malformed, mistyped, huge-numbered and deeply nested bodies on every write route', async () => {
    const writes = routes.filter((op) => op.http.method !== 'GET' && op.http.method !== 'DELETE');
    await fc.assert(
      fc.asyncProperty(
        route(writes).chain((op) => fc.tuple(fc.constant(op), body(op), contentType, fc.constantFrom(`Bearer ${adminKey}`, `Bearer ${practiceKey}`), fc.uuid())),
        async ([op, payload, type, auth, id]) => {
          const url = op.http.path.replace(/\{(\w+)\}/g, id);
          const res = await send({
            method: op.http.method,
            url,
            headers: { authorization: auth, 'x-practice-id': practiceId, ...(type === undefined ? {} : { 'content-type': type }) },
            payload,
          });
          expectSafe(res, `${op.http.method} ${url} (${type}) ${payload.slice(0, 120)}`);
        },
      ),
      { seed, numRuns: runs(200) },
    );
  }, timeout);

  it('answers odd, missing and duplicated headers', async () => {
    await fc.assert(
      fc.asyncProperty(route(), headers, fc.uuid(), fc.constantFrom('{}', '', '{"a":1}'), async (op, h, id, payload) => {
        const url = op.http.path.replace(/\{(\w+)\}/g, id);
        const res = await send({ method: op.http.method, url, headers: sendable(h), ...(op.http.method === 'GET' ? {} : { payload }) });
        expectSafe(res, `${op.http.method} ${url} ${JSON.stringify(h).slice(0, 300)}`);
      }),
      { seed, numRuns: runs(200) },
    );
  }, timeout);

  it('refuses oversized bodies with 413 problem+json', async () => {
    const writes = routes.filter((op) => op.http.method !== 'GET' && op.http.method !== 'DELETE' && !op.http.body);
    const big = `{"x":"${'a'.repeat(1024 * 1024 + 10)}"}`;
    for (const op of [writes[0]!, writes[Math.floor(writes.length / 2)]!, writes[writes.length - 1]!]) {
      const url = op.http.path.replace(/\{(\w+)\}/g, randomUUID());
      const res = await send({ method: op.http.method, url, headers: { authorization: `Bearer ${adminKey}`, 'x-practice-id': practiceId, 'content-type': 'application/json' }, payload: big });
      expectSafe(res, `${op.http.method} ${url} with ${big.length} bytes`);
      expect(res.statusCode).toBe(413);
    }
  });

  it('is still up after all of it: health, readiness and a well-formed request answer as before', async () => {
    expect((await send({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await send({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const res = await send({ method: 'GET', url: `/v1/helpdesk/tickets/${randomUUID()}`, headers: { authorization: `Bearer ${practiceKey}` } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not-found', detail: 'nothing here' });
  });
});

describe('requests the fuzzing found mishandled', () => {
  it('refuses a path that is not valid percent-encoding with 400 problem+json, not Fastify\'s own JSON', async () => {
    for (const url of ['/v1/tenancy/practices/%zz', '/v1/tenancy/practices/%', '/%']) {
      const res = await send({ method: 'GET', url, headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status: 400, code: 'validation-failed', errors: [{ path: '/path' }] });
    }
  });
});

/** One write of each service, with a body its contract accepts, and a field to smuggle into it (`named`: where). */
const writesWithExtra: { service: ServiceId; method: 'POST' | 'PUT'; url: () => string; body: Record<string, unknown>; extra: (b: Record<string, unknown>) => void; named: string }[] = [
  {
    service: 'tenancy',
    method: 'POST',
    url: () => '/v1/tenancy/api-keys',
    body: { role: 'mso-staff', label: 'back office' },
    extra: (b) => (b.practiceId = practiceId),
    named: '/practiceId',
  },
  {
    service: 'billing',
    method: 'POST',
    url: () => '/v1/billing/payers',
    body: { name: 'HEALTH PLAN', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' },
    extra: (b) => (b.approved = true),
    named: '/approved',
  },
  {
    service: 'collections',
    method: 'PUT',
    url: () => `/v1/collections/guarantors/${randomUUID()}`,
    body: { name: 'A GUARANTOR', mailingAddress: { line1: '1 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' }, preferredChannel: 'mail' },
    extra: (b) => ((b.mailingAddress as Record<string, unknown>).verified = true),
    named: '/mailingAddress/verified',
  },
  {
    service: 'hr',
    method: 'POST',
    url: () => `/v1/hr/providers/${randomUUID()}/credentials`,
    body: { kind: 'malpractice', issuedOn: '2024-01-01', limits: { perClaimCents: 100_000_00, aggregateCents: 300_000_00 } },
    extra: (b) => ((b.limits as Record<string, unknown>).waived = true),
    named: '/limits/waived',
  },
  {
    service: 'helpdesk',
    method: 'POST',
    url: () => '/v1/helpdesk/tickets',
    body: { subject: 'Printer', description: 'It jams', priority: 'normal', category: 'hardware' },
    extra: (b) => (b.assigneeId = randomUUID()),
    named: '/assigneeId',
  },
  {
    service: 'finance',
    method: 'POST',
    url: () => '/v1/finance/accounts',
    body: { code: '1000', name: 'Cash', type: 'asset' },
    extra: (b) => (b.balanceCents = 1_000_000),
    named: '/balanceCents',
  },
];

describe('mass assignment: a write with a field its contract does not have is refused', () => {
  for (const w of writesWithExtra) {
    it(`${w.service}: ${w.method} ${w.url().replace(/[0-9a-f-]{36}/, '{id}')} refuses '${w.named}' with 400 naming it`, async () => {
      const headers = { authorization: `Bearer ${adminKey}`, 'x-practice-id': practiceId, 'content-type': 'application/json' };
      // the body as the contract has it passes the edge (and reaches the service, which answers 404 here)
      const accepted = await send({ method: w.method, url: w.url(), headers, payload: JSON.stringify(w.body) });
      expect(accepted.statusCode, accepted.body).toBe(404);
      const smuggled = structuredClone(w.body);
      w.extra(smuggled);
      const res = await send({ method: w.method, url: w.url(), headers, payload: JSON.stringify(smuggled) });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const problem = res.json() as { code: string; detail: string; errors: { path: string; message: string }[] };
      expect(problem.code).toBe('validation-failed');
      expect(problem.errors).toEqual([{ path: w.named, message: 'unknown property' }]);
      expect(problem.detail).toBe(`${w.named} unknown property`);
    });
  }
});
