import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql as raw } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { ensureSchema, migrateService, MigrationChangedError } from './migrate.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('../test/fixtures/migrations', import.meta.url));
const schema = 'dbfixture';

const created: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const test = await createTestDatabase();
  created.push(test);
  return test;
}

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((t) => t.drop()));
  await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
});

interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

/** A copy of the fixture migrations, to which a test adds or changes files. */
async function fixtureCopy(): Promise<{ folder: string; journal: JournalEntry[]; add(tag: string, when: number, text: string): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'mso-migrations-'));
  folders.push(folder);
  await cp(migrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: JournalEntry[] };
  return {
    folder,
    journal: journal.entries,
    async add(tag, when, text) {
      await writeFile(join(folder, `${tag}.sql`), text);
      journal.entries.push({ idx: journal.entries.length, version: '7', when, tag, breakpoints: true });
      await writeFile(journalPath, JSON.stringify(journal, null, 2));
    },
  };
}

async function indexes(test: TestDatabase): Promise<string[]> {
  const found = await rows<{ indexname: string }>(test.database, `select indexname from pg_indexes where schemaname = '${schema}' order by indexname`);
  return found.map((r) => r.indexname);
}

/** Runs SQL text (no parameters) and returns the rows (postgres.js returns an array). */
async function rows<Row = Record<string, unknown>>(database: Database, text: string): Promise<Row[]> {
  return [...((await database.db.execute(raw.raw(text))) as unknown as Row[])];
}

async function columns(test: TestDatabase): Promise<string[]> {
  const found = await rows<{ column_name: string }>(
    test.database,
    `select column_name from information_schema.columns where table_schema = '${schema}' and table_name = 'notes' order by ordinal_position`,
  );
  return found.map((r) => r.column_name);
}

describe('migrateService (PostgreSQL)', () => {
  it('creates the schema, its tables and its own migrations table, then has nothing left to do', async () => {
    const test = await freshDatabase();
    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 2 });
    expect(await columns(test)).toEqual(['id', 'practice_id', 'body', 'amount_cents', 'created_at', 'status']);
    const applied = await rows(test.database, `select hash, created_at from "dbfixture"."__migrations" order by id`);
    expect(applied).toHaveLength(2);
    const drizzleDefault = await rows(test.database, `select count(*)::int as n from pg_namespace where nspname = 'drizzle'`);
    expect(drizzleDefault).toEqual([{ n: 0 }]);

    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 0 });
    expect(await rows(test.database, `select id from "dbfixture"."__migrations"`)).toHaveLength(2);
  });

  it('works when the schema already exists (ensureSchema first)', async () => {
    const test = await freshDatabase();
    await ensureSchema(test.database, schema);
    await ensureSchema(test.database, schema);
    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 2 });
  });

  it('rejects schema names that would need quoting', async () => {
    const test = await freshDatabase();
    await expect(migrateService(test.database, { schema: 'Bad"name', migrationsFolder })).rejects.toThrow(
      /invalid schema name/,
    );
  });

  it('rolls back a failing migration and leaves no bookkeeping row', async () => {
    const test = await freshDatabase();
    const broken = fileURLToPath(new URL('../test/fixtures/broken-migrations', import.meta.url));
    await expect(migrateService(test.database, { schema: 'broken', migrationsFolder: broken })).rejects.toThrow();
    expect(await rows(test.database, `select id from "broken"."__migrations"`)).toHaveLength(0);
    const tables = await rows(test.database, `select table_name from information_schema.tables where table_schema = 'broken'`);
    expect(tables).toEqual([{ table_name: '__migrations' }]);
  });

  it('two processes migrating the same schema at once both succeed and apply it once (repeated)', async () => {
    for (let round = 0; round < 10; round++) {
      const test = await freshDatabase();
      // Two independent handles stand for two processes starting at the same moment.
      const [a, b] = await Promise.all([
        openDatabase({ url: test.url, maxConnections: 2 }),
        openDatabase({ url: test.url, maxConnections: 2 }),
      ]);
      try {
        const results = await Promise.all([
          migrateService(a, { schema, migrationsFolder }),
          migrateService(b, { schema, migrationsFolder }),
        ]);
        expect(results.map((r) => r.applied).sort()).toEqual([0, 2]);
        expect(await rows(a, `select hash from "dbfixture"."__migrations"`)).toHaveLength(2);
        expect(await columns(test)).toContain('status');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }
  });

  it('migrates with a single connection (the lock and the migration share it)', async () => {
    const test = await freshDatabase();
    const single = await openDatabase({ url: test.url, maxConnections: 1 });
    try {
      const [result] = await Promise.all([
        migrateService(single, { schema, migrationsFolder }),
        single.db.execute(raw`select 1`),
      ]);
      expect(result).toEqual({ applied: 2 });
      expect(await columns(test)).toContain('status');
    } finally {
      await single.close();
    }
  });

  it('does not leave the advisory lock held on a pooled connection', async () => {
    const test = await freshDatabase();
    await migrateService(test.database, { schema, migrationsFolder });
    const locks = await rows(
      test.database,
      `select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(locks).toEqual([{ n: 0 }]);
  });

  it('applies a migration merged with an older timestamp than the last applied one, in journal order', async () => {
    const test = await freshDatabase();
    const copy = await fixtureCopy();
    expect(await migrateService(test.database, { schema, migrationsFolder: copy.folder })).toEqual({ applied: 2 });
    // Written on a branch before 0001 was merged: its "when" is older, its journal place is after 0001.
    const [first] = copy.journal;
    await copy.add('0002_status_index', first!.when + 1, 'CREATE INDEX "notes_status" ON "dbfixture"."notes" ("status");');
    expect(await migrateService(test.database, { schema, migrationsFolder: copy.folder })).toEqual({ applied: 1 });
    expect(await indexes(test)).toContain('notes_status');
    expect(await migrateService(test.database, { schema, migrationsFolder: copy.folder })).toEqual({ applied: 0 });

    // On a fresh database the journal order holds too: by timestamp the index would come before its column.
    const fresh = await freshDatabase();
    expect(await migrateService(fresh.database, { schema, migrationsFolder: copy.folder })).toEqual({ applied: 3 });
    expect(await indexes(fresh)).toContain('notes_status');
  });

  it('refuses to run when an applied migration file was changed, naming the file, and applies nothing', async () => {
    const test = await freshDatabase();
    const copy = await fixtureCopy();
    await migrateService(test.database, { schema, migrationsFolder: copy.folder });
    await writeFile(join(copy.folder, '0001_add_status.sql'), `ALTER TABLE "dbfixture"."notes" ADD COLUMN "status" text DEFAULT 'closed' NOT NULL;`);
    await copy.add('0002_status_index', Date.now(), 'CREATE INDEX "notes_status" ON "dbfixture"."notes" ("status");');
    const run = migrateService(test.database, { schema, migrationsFolder: copy.folder });
    await expect(run).rejects.toBeInstanceOf(MigrationChangedError);
    await expect(run).rejects.toThrow(/migration 0001_add_status\.sql was changed after it was applied to schema dbfixture/);
    expect(await indexes(test)).not.toContain('notes_status');
    expect(await rows(test.database, `select id from "dbfixture"."__migrations"`)).toHaveLength(2);
  });

  it('keeps a second set of migrations for the same schema in its own table', async () => {
    const test = await freshDatabase();
    const other = await mkdtemp(join(tmpdir(), 'mso-migrations-'));
    folders.push(other);
    await mkdir(join(other, 'meta'));
    await writeFile(join(other, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1, tag: '0000_extra', breakpoints: true }] }));
    // Unqualified: it lands in the schema being migrated.
    await writeFile(join(other, '0000_extra.sql'), 'CREATE TABLE IF NOT EXISTS extra (id int PRIMARY KEY);');
    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 2 });
    expect(await migrateService(test.database, { schema, migrationsFolder: other, table: 'extra_migrations' })).toEqual({ applied: 1 });
    expect(await migrateService(test.database, { schema, migrationsFolder: other, table: 'extra_migrations' })).toEqual({ applied: 0 });
    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 0 });
    const tables = await rows<{ table_name: string }>(test.database, `select table_name from information_schema.tables where table_schema = '${schema}' order by table_name`);
    expect(tables.map((t) => t.table_name)).toEqual(['__migrations', 'extra', 'extra_migrations', 'notes']);
  });
});
