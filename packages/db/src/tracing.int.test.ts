import { fileURLToPath } from 'node:url';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notes } from '../test/fixtures/schema.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('../test/fixtures/migrations', import.meta.url));
const practiceId = '00000000-0000-4000-8000-000000000002';
const secret = 'PHI-Jane-Doe-1961-02-03';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

let test: TestDatabase;
let dbName: string;
beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  test = await createTestDatabase({ migrations: [{ schema: 'dbfixture', migrationsFolder }] });
  dbName = new URL(test.url).pathname.slice(1);
});
afterAll(async () => {
  await test?.drop();
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

function spans() {
  return exporter.getFinishedSpans();
}

function expectNoValue(value: string) {
  for (const span of spans()) {
    expect(JSON.stringify(span.attributes)).not.toContain(value);
    expect(span.status.message ?? '').not.toContain(value);
    expect(JSON.stringify(span.events)).not.toContain(value);
  }
}

describe('query spans (PostgreSQL)', () => {
  it('records a CLIENT span per statement with placeholder SQL text and no parameter values', async () => {
    await test.database.db.insert(notes).values({ practiceId, body: secret, amountCents: 4200 });
    await test.database.db.select().from(notes).where(eq(notes.body, secret));

    const [insert, select] = spans();
    expect(spans()).toHaveLength(2);
    expect(insert!.name).toBe('INSERT dbfixture.notes');
    expect(insert!.kind).toBe(SpanKind.CLIENT);
    expect(select!.name).toBe('SELECT dbfixture.notes');
    expect(select!.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': dbName,
      'db.operation.name': 'SELECT',
      'db.collection.name': 'dbfixture.notes',
      'db.query.summary': 'SELECT dbfixture.notes',
      'server.address': '127.0.0.1',
      'server.port': 5432,
    });
    expect(select!.attributes['db.query.text']).toMatch(/^select .* from "dbfixture"\."notes" where "dbfixture"\."notes"\."body" = \$1$/);
    expect(insert!.attributes['db.query.text']).toContain('$1');
    expect(select!.status.code).toBe(SpanStatusCode.UNSET);
    expectNoValue(secret);
    expectNoValue('4200');
  });

  it('marks failed statements as errors without the (value-bearing) server message', async () => {
    const badUuid = 'not-a-uuid-PHI-778899';
    await expect(test.database.db.select().from(notes).where(eq(notes.id, badUuid))).rejects.toThrow();
    const [failed] = spans();
    expect(spans()).toHaveLength(1);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.attributes['db.response.status_code']).toBe('22P02');
    expect(failed!.attributes['error.type']).toBe('22P02');
    expectNoValue(badUuid);
  });

  it('traces statements inside transactions and nested transactions', async () => {
    await test.database.transaction(async (tx) => {
      await tx.insert(notes).values({ practiceId, body: secret });
      await tx.transaction(async (inner) => {
        await inner.update(notes).set({ status: 'closed' }).where(eq(notes.body, secret));
      });
      await tx.execute(sql`delete from ${notes} where ${notes.body} = ${secret}`);
    });
    expect(spans().map((s) => s.name)).toEqual([
      'INSERT dbfixture.notes',
      'UPDATE dbfixture.notes',
      'DELETE dbfixture.notes',
    ]);
    expectNoValue(secret);
  });

  it('parents statement spans to the active span, inside transactions too', async () => {
    const parent = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await test.database.db.select().from(notes).limit(1);
      await test.database.transaction(async (tx) => {
        await tx.select().from(notes).limit(1);
      });
    });
    parent.end();
    const children = spans().filter((s) => s.name !== 'request');
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    }
  });

  it('records nothing under a trace its caller sampled out, and records the next sampled one', async () => {
    const sampledOut = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true });
    const rows = await context.with(trace.setSpan(context.active(), sampledOut), async () => {
      await test.database.transaction(async (tx) => tx.select().from(notes).limit(1));
      return (await test.database.db.execute(sql`select 1 as one`)) as unknown as { one: number }[];
    });
    expect([...rows]).toEqual([{ one: 1 }]);
    expect(spans()).toHaveLength(0);
    await test.database.db.select().from(notes).limit(1);
    expect(spans().map((s) => s.name)).toEqual(['SELECT dbfixture.notes']);
  });

  it('measures the statement duration', async () => {
    await test.database.db.execute(sql`select pg_sleep(0.05)`);
    const [span] = spans();
    const [seconds, nanos] = span!.duration;
    expect(seconds * 1e3 + nanos / 1e6).toBeGreaterThanOrEqual(45);
    expect(span!.name).toBe('SELECT');
  });

  it('does not trace readiness pings', async () => {
    await test.database.ping();
    expect(spans()).toHaveLength(0);
  });
});
