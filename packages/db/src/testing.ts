import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { openDatabase, wrapPglite, type Database } from './database.js';
import { migrateService, quoteIdent, type MigrateServiceOptions } from './migrate.js';

/**
 * Test isolation helpers: every integration test (file) gets its own database, so the suites of all
 * services can run in parallel against one server.
 */

export const DEFAULT_TEST_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server used for test databases: TEST_DATABASE_URL, then DATABASE_URL, then a local default. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_TEST_SERVER_URL;
}

export interface TestDatabase {
  /** Connection URL of the fresh database (hand it to code that opens its own connections). */
  readonly url: string;
  readonly database: Database;
  /** Closes `database` and drops the database (forcibly disconnecting other sessions). Idempotent. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Server URL to create the database on (default: {@link testServerUrl}). */
  serverUrl?: string;
  maxConnections?: number;
  /** Migrations to apply before returning. */
  migrations?: MigrateServiceOptions[];
}

const TEST_DATABASE_PREFIX = 'mso_test_';

function uniqueName(): string {
  return `${TEST_DATABASE_PREFIX}${Date.now().toString(36)}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * Drops test databases left behind by killed test runs: those created by {@link createTestDatabase}
 * more than `olderThanMs` ago (default one hour) that nobody is connected to. Returns their names.
 */
export async function dropStaleTestDatabases(
  options: { serverUrl?: string; olderThanMs?: number } = {},
): Promise<string[]> {
  const cutoff = Date.now() - (options.olderThanMs ?? 60 * 60 * 1000);
  return withAdmin(options.serverUrl ?? testServerUrl(), async (sql) => {
    const rows = await sql.unsafe<{ datname: string }[]>(
      `select datname from pg_database d where datname like $1
         and not exists (select 1 from pg_stat_activity a where a.datname = d.datname)`,
      [`${TEST_DATABASE_PREFIX}%`],
    );
    const stale = rows
      .map((r) => r.datname)
      .filter((name) => {
        const created = parseInt(name.slice(TEST_DATABASE_PREFIX.length).split('_')[0] ?? '', 36);
        return Number.isFinite(created) && created < cutoff;
      });
    for (const name of stale) await sql.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    return stale;
  });
}

async function withAdmin<T>(serverUrl: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'mso-test-admin' } });
  try {
    return await fn(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Creates a uniquely named database on the test server and opens it. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? testServerUrl();
  const name = uniqueName();
  await withAdmin(serverUrl, (sql) => sql.unsafe(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dropDatabase = async () => {
    await withAdmin(serverUrl, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  };
  let database: Database;
  try {
    database = await openDatabase({
      url: url.toString(),
      applicationName: 'mso-test',
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    });
    for (const migration of options.migrations ?? []) await migrateService(database, migration);
  } catch (error) {
    await dropDatabase().catch(() => undefined);
    throw error;
  }
  let dropping: Promise<void> | undefined;
  return {
    url: url.toString(),
    database,
    drop() {
      dropping ??= database.close().then(dropDatabase);
      return dropping;
    },
  };
}

export interface PgliteTestDatabase {
  readonly database: Database;
  /** Closes the in-memory database. Idempotent. */
  drop(): Promise<void>;
}

export interface CreatePgliteTestDatabaseOptions {
  /** Migrations to apply; the migrated state is built once per process and copied for later calls. */
  migrations?: MigrateServiceOptions[];
  /**
   * More set-up for the template after the migrations (e.g. starting a service host once, which adds
   * the kit's tables), built once per `key` and process like the migrations.
   */
  template?: { key: string; build(database: Database): Promise<void> };
}

// The first database of each migration set is built and dumped, later ones start from the dump.
const templates = new Map<string, Promise<File | Blob>>();

// A fresh PGlite runs initdb, several times slower than loading a data folder. The fresh folder depends
// only on the PGlite build, so one copy on disk serves every test process (written once, atomically).
async function freshPglite(): Promise<PGlite> {
  const data = fileURLToPath(import.meta.resolve('@electric-sql/pglite/pglite.data'));
  const { size, mtimeMs } = await stat(data);
  const build = createHash('sha256').update(`${data}:${size}:${mtimeMs}`).digest('hex').slice(0, 16);
  const file = join(tmpdir(), `mso-pglite-fresh-${build}.tar`);
  const saved = await readFile(file).catch(() => undefined);
  if (saved) {
    try {
      return await PGlite.create('memory://', { loadDataDir: new Blob([saved]) });
    } catch {
      // unreadable (e.g. another PGlite build wrote it): start fresh and replace it below
    }
  }
  const client = await PGlite.create('memory://');
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(partial, Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()));
  await rename(partial, file);
  return client;
}

async function buildTemplate(migrations: MigrateServiceOptions[], build?: (database: Database) => Promise<void>): Promise<File | Blob> {
  const client = await freshPglite();
  const database = wrapPglite(client);
  try {
    for (const migration of migrations) await migrateService(database, migration);
    await build?.(database);
    return await client.dumpDataDir('none');
  } finally {
    await database.close();
  }
}

/** Opens an in-memory PGlite database (embedded mode), optionally with migrations applied. */
export async function createPgliteTestDatabase(options: CreatePgliteTestDatabaseOptions = {}): Promise<PgliteTestDatabase> {
  const migrations = options.migrations ?? [];
  const key = JSON.stringify([migrations.map((m) => [m.schema, m.migrationsFolder, m.table ?? null]), options.template?.key ?? null]);
  let template = templates.get(key);
  if (template === undefined) {
    template = buildTemplate(migrations, options.template?.build);
    templates.set(key, template);
    template.catch(() => templates.delete(key));
  }
  const database = wrapPglite(await PGlite.create('memory://', { loadDataDir: await template }));
  let dropping: Promise<void> | undefined;
  return {
    database,
    drop() {
      dropping ??= database.close();
      return dropping;
    },
  };
}
export { freePort, startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
export { startPostgresProxy, type PostgresProxy } from './postgres-proxy.js';
