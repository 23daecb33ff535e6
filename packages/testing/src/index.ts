import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { connectNatsBus, createMemoryBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createPgliteTestDatabase, createTestDatabase } from '@mso/db/testing';
import { startPlatform, type Platform } from '@mso/gateway';
import { encodeJson, eventEnvelope, ManualClock, type ServiceDefinition } from '@mso/kit';
import { createLogger, type Logger } from '@mso/telemetry';
import type { DataOf, EventDef, Operation, ServiceId } from '@mso/contracts';
import { validNpi } from './npi.js';

export interface TestPlatformOptions {
  /**
   * The services to run: a definition (the package's own service) or another service's id, which the
   * platform loads from `services/<id>/` itself (see {@link loadServices}).
   */
  services: readonly (ServiceDefinition | ServiceId)[];
  /**
   * `real` (default): the running NATS and a fresh Postgres database, isolated by a random namespace
   * and database name so test files run in parallel. `embedded`: the in-memory bus and PGlite, to test
   * embedded mode itself.
   */
  transport?: 'real' | 'embedded';
  clock?: ManualClock;
  /** Operations the gateway exposes. Default: every contract operation (a test may add its own). */
  operations?: readonly Operation[];
  /** The platform's logger (a test that reads the logs passes one writing to memory). Default: warnings and up, to stdout. */
  logger?: Logger;
}

export interface TestPlatform extends Platform {
  clock: ManualClock;
  adminKey: string;
  namespace: string;
  /** Connection URL of this test's database (`real` transport), for child processes. */
  databaseUrl: string | undefined;
  /** `app.inject` with the admin key (or `key`) and JSON body; returns status, json and headers. */
  request(options: { method: string; url: string; body?: unknown; key?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  /** Onboards a practice with the given services and returns its id and a practice-admin key. */
  createPractice(options?: { services?: string[]; model?: string; npi?: string; terms?: unknown; state?: string }): Promise<{ id: string; key: string }>;
  /** Publishes an event on the bus as its producer would, for services under test to consume (the producer need not run). */
  publishEvent<E extends EventDef>(event: E, data: DataOf<E>, practiceId: string): Promise<void>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: LightMyRequestResponse['headers'];
}

export { validNpi };
export { jsonWithoutIds } from './text.js';
export { eventually, type EventuallyOptions } from './eventually.js';
export { testService, type TestService, type TestServiceOptions, type CallAs, type DeliverOptions } from './service.js';
export type { PracticeSpec } from './practices.js';

export const natsUrl = () => process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

let npiSeed = Math.floor(Math.random() * 100_000_000);

/**
 * Resolves service ids to their definitions from the workspace's `services/<id>/src/service.ts`.
 * A service's tests that need other services running (tenancy to onboard practices, finance to book
 * what billing emits) name them by id, so no service declares another as a dependency: services never
 * import each other, and the workspace graph stays free of cycles between them.
 */
export async function loadServices(services: readonly (ServiceDefinition | ServiceId)[]): Promise<ServiceDefinition[]> {
  return Promise.all(
    services.map(async (s) => {
      if (typeof s !== 'string') return s;
      const module = (await import(new URL(`../../../services/${s}/src/service.ts`, import.meta.url).href)) as { default?: ServiceDefinition };
      if (!module.default || module.default.id !== s) throw new Error(`services/${s}/src/service.ts has no default export of the ${s} service`);
      return module.default;
    }),
  );
}

export async function startTestPlatform(options: TestPlatformOptions): Promise<TestPlatform> {
  const services = await loadServices(options.services);
  const namespace = `t${randomBytes(5).toString('hex')}`;
  const clock = options.clock ?? new ManualClock('2026-03-02T14:00:00Z');
  const adminKey = `mso_admin_${randomBytes(16).toString('hex')}`;
  const logger = options.logger ?? createLogger({ name: 'test', level: process.env.LOG_LEVEL ?? 'warn' });
  let bus: Bus;
  let dropDb: () => Promise<void>;
  let database;
  let databaseUrl: string | undefined;
  if ((options.transport ?? 'real') === 'real') {
    const db = await createTestDatabase();
    database = db.database;
    databaseUrl = db.url;
    dropDb = db.drop;
    bus = await connectNatsBus({ servers: natsUrl(), namespace, name: `test-${namespace}` });
  } else {
    const db = await createPgliteTestDatabase();
    database = db.database;
    dropDb = db.drop;
    bus = createMemoryBus();
  }
  const platform = await startPlatform({
    services,
    // Test files share two cores with each other and with PGlite's start-up, which blocks the event
    // loop for seconds: the gateway must not shed their requests as overload (its own tests set it).
    env: { ...process.env, MSO_SHED_EVENT_LOOP_DELAY_MS: process.env.MSO_SHED_EVENT_LOOP_DELAY_MS ?? '0' },
    adminKey,
    clock,
    logger,
    bus,
    database,
    ...(options.operations ? { operations: options.operations } : {}),
  });
  const request: TestPlatform['request'] = async ({ method, url, body, key, headers }) => {
    const response = await platform.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${key ?? adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    let json: unknown;
    try {
      json = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      json = response.body;
    }
    return { status: response.statusCode, json, headers: response.headers };
  };
  return {
    ...platform,
    clock,
    adminKey,
    namespace,
    databaseUrl,
    request,
    async createPractice(opts = {}) {
      const created = await request({
        method: 'POST',
        url: '/v1/tenancy/practices',
        body: {
          name: `Practice ${npiSeed}`,
          npi: opts.npi ?? validNpi(npiSeed++),
          taxId: '12-3456789',
          state: opts.state ?? 'OH',
          agreement: { model: opts.model ?? 'third-party', services: opts.services ?? ['helpdesk'], ...(opts.terms ? { terms: opts.terms } : {}) },
        },
      });
      if (created.status !== 201) throw new Error(`createPractice: ${created.status} ${JSON.stringify(created.json)}`);
      const key = await request({ method: 'POST', url: `/v1/tenancy/practices/${created.json.id}/api-keys`, body: { role: 'practice-admin', label: 'test' } });
      if (key.status !== 201) throw new Error(`createPractice key: ${key.status} ${JSON.stringify(key.json)}`);
      return { id: created.json.id as string, key: key.json.key as string };
    },
    async publishEvent(event, data, practiceId) {
      const envelope = eventEnvelope(event, data, { time: clock.now(), practiceId });
      await platform.runtime.bus.ensureStream({ producer: event.producer });
      await platform.runtime.bus.publish({ id: envelope.id, subject: event.subject, data: encodeJson(envelope) });
    },
    async close() {
      await platform.close();
      if (bus.kind === 'nats') await deleteNatsNamespace({ servers: natsUrl(), namespace }).catch(() => {});
      await dropDb();
    },
  };
}
