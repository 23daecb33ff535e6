import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notes } from '../test/fixtures/schema.js';
import { openDatabase, type Database } from './database.js';
import { migrateService } from './migrate.js';
import { createPgliteTestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('../test/fixtures/migrations', import.meta.url));
const migration = { schema: 'dbfixture', migrationsFolder };
const practiceId = '00000000-0000-4000-8000-000000000003';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

let dir: string;
beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  dir = await mkdtemp(join(tmpdir(), 'mso-db-pglite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await provider.shutdown();
  trace.disable();
});
beforeEach(() => exporter.reset());

async function rowsOf<Row>(database: Database, query: ReturnType<typeof sql>): Promise<Row[]> {
  return ((await database.db.execute(query)) as unknown as { rows: Row[] }).rows;
}

// A fresh PGlite takes several seconds to create.
describe('PGlite (embedded mode)', { timeout: 60_000 }, () => {
  it('migrates, and keeps data across close and reopen of the same data folder', async () => {
    const dataDir = join(dir, 'data');
    const first = await openDatabase({ dataDir });
    expect(first.kind).toBe('pglite');
    await first.ping();
    // Concurrent calls on one database are serialized: one applies, the other finds nothing to do.
    const results = await Promise.all([migrateService(first, migration), migrateService(first, migration)]);
    expect(results).toEqual([{ applied: 2 }, { applied: 0 }]);
    await first.db.insert(notes).values({ practiceId, body: 'persisted', amountCents: 9_999_999_999 });
    await first.close();
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      expect(await migrateService(second, migration)).toEqual({ applied: 0 });
      const found = await second.db.select().from(notes).where(eq(notes.body, 'persisted'));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ practiceId, amountCents: 9_999_999_999, status: 'open' });
      const applied = await rowsOf<{ n: number }>(second, sql`select count(*)::int as n from "dbfixture"."__migrations"`);
      expect(applied).toEqual([{ n: 2 }]);
    } finally {
      await second.close();
    }
  });

  it('rolls back on throw, commits otherwise, and traces statements inside transactions', async () => {
    const { database, drop } = await createPgliteTestDatabase({ migrations: [migration] });
    try {
      exporter.reset();
      await expect(
        database.transaction(async (tx) => {
          await tx.insert(notes).values({ practiceId, body: 'PHI-rolled-back' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await database.transaction(async (tx) => {
        await tx.insert(notes).values({ practiceId, body: 'kept' });
      });
      const bodies = (await database.db.select({ body: notes.body }).from(notes)).map((r) => r.body);
      expect(bodies).toEqual(['kept']);

      const names = exporter.getFinishedSpans().map((s) => s.name);
      expect(names).toEqual(['INSERT dbfixture.notes', 'INSERT dbfixture.notes', 'SELECT dbfixture.notes']);
      for (const span of exporter.getFinishedSpans()) {
        expect(span.kind).toBe(SpanKind.CLIENT);
        expect(span.attributes['db.system.name']).toBe('postgresql');
        expect(String(span.attributes['db.query.text'])).toMatch(/"dbfixture"\."notes"/);
        expect(JSON.stringify(span.attributes)).not.toContain('PHI-rolled-back');
      }
    } finally {
      await drop();
    }
  });

  it('marks failing statements as errors', async () => {
    const { database, drop } = await createPgliteTestDatabase({ migrations: [migration] });
    try {
      exporter.reset();
      await expect(database.db.select().from(notes).where(eq(notes.id, 'bad-uuid-PHI'))).rejects.toThrow();
      const [span] = exporter.getFinishedSpans();
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
      expect(span?.attributes['db.response.status_code']).toBe('22P02');
      expect(JSON.stringify([span?.attributes, span?.status, span?.events])).not.toContain('bad-uuid-PHI');
    } finally {
      await drop();
    }
  });

  it('gives every in-memory test database its own state', async () => {
    const a = await createPgliteTestDatabase({ migrations: [migration] });
    const b = await createPgliteTestDatabase({ migrations: [migration] });
    try {
      await a.database.db.insert(notes).values({ practiceId, body: 'only in a' });
      expect(await b.database.db.select().from(notes)).toEqual([]);
      expect(await a.database.db.select().from(notes)).toHaveLength(1);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it('opens an empty in-memory database with memory://', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      const rows = await rowsOf<{ n: number }>(database, sql`select count(*)::int as n from pg_namespace where nspname = 'dbfixture'`);
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await database.close();
    }
  });
});
