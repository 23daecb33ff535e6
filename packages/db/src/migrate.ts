import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database.js';
import { getInternals } from './database.js';
import { ENSURE_SERVICE_ROLE_SQL, HAS_DEFAULT_PRIVILEGES_SQL, serviceSchemaGrantsSql } from './tenant-wall.js';

export interface MigrateServiceOptions {
  /** The service's Postgres schema; migrations and the migrations table live there. */
  schema: string;
  /** Folder written by drizzle-kit (`NNNN_name.sql` files and `meta/_journal.json`). */
  migrationsFolder: string;
  /**
   * Bookkeeping table inside `schema` (default `__migrations`). A second set of migrations for the same
   * schema (the kit's own tables) keeps its own table, so the two journals never mix.
   */
  table?: string;
}

export interface MigrateServiceResult {
  /** Number of migrations applied by this call (0 when the schema was already up to date). */
  applied: number;
}

export const MIGRATIONS_TABLE = '__migrations';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function assertSchemaName(schema: string, what = 'schema'): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new TypeError(`invalid ${what} name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** One journal entry with its file, as drizzle-kit wrote them. */
export interface MigrationFile {
  /** File name without `.sql`, e.g. `0001_add_status`. */
  tag: string;
  /** The journal's `when`: the applied row's `created_at` names the migration. */
  when: number;
  /** sha256 of the whole file, as drizzle's migrator computes it. */
  hash: string;
  statements: string[];
}

/** Thrown when an applied migration's file no longer matches what was applied. */
export class MigrationChangedError extends Error {
  constructor(
    readonly file: string,
    readonly schema: string,
  ) {
    super(
      `migration ${file} was changed after it was applied to schema ${schema} (its hash differs from the applied one): ` +
        'restore the file as it was and put the change in a new migration',
    );
    this.name = 'MigrationChangedError';
  }
}

/** Reads `meta/_journal.json` and its files, in journal order (the order they must be applied in). */
export function readJournal(migrationsFolder: string): MigrationFile[] {
  const journalPath = join(migrationsFolder, 'meta', '_journal.json');
  let journal: { entries?: { tag: string; when: number }[] };
  try {
    journal = JSON.parse(readFileSync(journalPath, 'utf8')) as typeof journal;
  } catch (error) {
    throw new Error(`cannot read migrations journal ${journalPath}: ${(error as Error).message}`, { cause: error });
  }
  const seen = new Map<number, string>();
  return (journal.entries ?? []).map((entry) => {
    const file = join(migrationsFolder, `${entry.tag}.sql`);
    const other = seen.get(entry.when);
    if (other !== undefined) throw new Error(`${journalPath}: ${entry.tag} and ${other} have the same "when" (${entry.when}); give each its own`);
    seen.set(entry.when, entry.tag);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`migration ${entry.tag}.sql listed in ${journalPath} is missing`);
    }
    return {
      tag: entry.tag,
      when: entry.when,
      hash: createHash('sha256').update(text).digest('hex'),
      statements: text.split('--> statement-breakpoint'),
    };
  });
}

/** Minimal statement runner shared by the postgres.js and PGlite migration paths. */
interface Runner {
  /** Runs SQL text without parameters (may hold several statements). */
  exec(text: string): Promise<void>;
  query<Row>(text: string, params: unknown[]): Promise<Row[]>;
  transaction<T>(fn: (runner: Runner) => Promise<T>): Promise<T>;
}

/**
 * drizzle-kit writes `CREATE SCHEMA "x";` for a `pgSchema('x')`, but the schema already exists by then
 * (it holds the migrations table), so the statement is made idempotent. The migration hash is computed
 * from the file and stays unchanged.
 */
function idempotentSchemaCreation(statement: string): string {
  return statement.replace(/^(\s*)CREATE\s+SCHEMA\s+(?!IF\s+NOT\s+EXISTS\b)/gim, '$1CREATE SCHEMA IF NOT EXISTS ');
}

/** The role service code runs as, and its grants on the schema (tenant-wall.ts), before the migrations. */
async function grantServiceRole(runner: Runner, schema: string): Promise<void> {
  await runner.exec(ENSURE_SERVICE_ROLE_SQL);
  const found = await runner.query(HAS_DEFAULT_PRIVILEGES_SQL, [schema]);
  for (const statement of serviceSchemaGrantsSql(quoteIdent(schema), found.length > 0)) await runner.exec(statement);
}

/**
 * Same bookkeeping table as drizzle's own migrator (`id, hash, created_at`, where `created_at` is the
 * journal's `when`), so drizzle-kit tooling reads it the same way; but which migrations run is decided
 * by the journal, not by comparing timestamps: every journal entry without an applied row runs, in
 * journal order (a migration merged from a branch with an older `when` than the last applied one is
 * applied, where drizzle would skip it for good). An applied row whose file now hashes differently stops
 * the run. Applied rows the journal does not list come from a newer release and are left alone, so an
 * older copy can still start during a rolling deploy. All pending migrations run in one transaction.
 */
async function applyMigrations(runner: Runner, schema: string, tableName: string, migrations: MigrationFile[]): Promise<number> {
  const table = `${quoteIdent(schema)}.${quoteIdent(tableName)}`;
  await runner.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await grantServiceRole(runner, schema);
  await runner.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  );
  const applied = await runner.query<{ hash: string; created_at: string | number | bigint | null }>(
    `SELECT hash, created_at FROM ${table} ORDER BY id`,
    [],
  );
  const appliedHashes = new Map<number, string>();
  for (const row of applied) if (row.created_at != null) appliedHashes.set(Number(row.created_at), row.hash);
  const pending: MigrationFile[] = [];
  for (const migration of migrations) {
    const hash = appliedHashes.get(migration.when);
    if (hash === undefined) pending.push(migration);
    else if (hash !== migration.hash) throw new MigrationChangedError(`${migration.tag}.sql`, schema);
  }
  if (pending.length === 0) return 0;
  await runner.transaction(async (tx) => {
    // Unqualified names in hand-written migrations land in the service's schema, not in public.
    await tx.exec(`SET LOCAL search_path TO ${quoteIdent(schema)}, public`);
    // A data migration sees every practice's rows, also where the tables' owner is subject to the tenant wall.
    await tx.exec(`SET LOCAL mso.all_practices TO 'on'`);
    for (const migration of pending) {
      for (const statement of migration.statements) {
        if (statement.trim() !== '') await tx.exec(idempotentSchemaCreation(statement));
      }
      await tx.query(`INSERT INTO ${table} ("hash", "created_at") VALUES ($1, $2)`, [migration.hash, migration.when]);
    }
  });
  return pending.length;
}

/**
 * Applies a service's drizzle migrations into its own schema, with its own `<schema>.__migrations`
 * table (or `options.table`), in journal order; refuses to run when an applied file has changed.
 *
 * On PostgreSQL the whole run happens on one reserved connection holding a session advisory lock keyed
 * by the schema name (whatever the migrations table), so processes starting at the same time never
 * migrate one schema concurrently: the second waits for the lock and then finds nothing left to do. (A pooled session lock could be taken on one
 * connection and released on another; drizzle's `migrate()` runs its own transaction, so a
 * transaction-scoped lock cannot wrap it.) On PGlite the process is the only client; calls on the same
 * database are serialized.
 */
export async function migrateService(database: Database, options: MigrateServiceOptions): Promise<MigrateServiceResult> {
  assertSchemaName(options.schema);
  const table = options.table ?? MIGRATIONS_TABLE;
  assertSchemaName(table, 'migrations table');
  const migrations = readJournal(options.migrationsFolder);
  const handle = getInternals(database);

  if (handle.kind === 'pglite') {
    const { client } = handle;
    const pgliteRunner = (target: Pick<typeof client, 'exec' | 'query'>): Runner => ({
      async exec(text) {
        await target.exec(text);
      },
      async query<Row>(text: string, params: unknown[]) {
        return (await target.query<Row>(text, params)).rows;
      },
      transaction: (fn) => client.transaction((tx) => fn(pgliteRunner(tx))),
    });
    const run = handle.serial.then(() => applyMigrations(pgliteRunner(client), options.schema, table, migrations));
    handle.serial = run.catch(() => undefined);
    return { applied: await run };
  }

  const connection = await handle.connections.reserve();
  const lockKey = `mso.migrate:${options.schema}`;
  try {
    await connection.unsafe('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
    try {
      const runner: Runner = {
        async exec(text) {
          await connection.unsafe(text);
        },
        async query<Row>(text: string, params: unknown[]) {
          return (await connection.unsafe(text, params as never[])) as unknown as Row[];
        },
        async transaction(fn) {
          await connection.unsafe('BEGIN');
          try {
            const result = await fn(runner);
            await connection.unsafe('COMMIT');
            return result;
          } catch (error) {
            await connection.unsafe('ROLLBACK').catch(() => undefined);
            throw error;
          }
        },
      };
      return { applied: await applyMigrations(runner, options.schema, table, migrations) };
    } finally {
      await connection.unsafe('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch(() => undefined);
    }
  } finally {
    connection.release();
  }
}

/** Creates the schema if it does not exist yet. */
export async function ensureSchema(database: Database, schema: string): Promise<void> {
  assertSchemaName(schema);
  const handle = getInternals(database);
  const text = `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`;
  if (handle.kind === 'pglite') await handle.client.exec(text);
  else await handle.connections.run(text);
}
