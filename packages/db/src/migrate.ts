import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import type { Database } from './database.js';
import { getInternals } from './database.js';

export interface MigrateServiceOptions {
  /** The service's Postgres schema; migrations and the `__migrations` table live there. */
  schema: string;
  /** Folder written by drizzle-kit (`NNNN_name.sql` files and `meta/_journal.json`). */
  migrationsFolder: string;
}

export interface MigrateServiceResult {
  /** Number of migrations applied by this call (0 when the schema was already up to date). */
  applied: number;
}

export const MIGRATIONS_TABLE = '__migrations';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new TypeError(`invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
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

/**
 * Same bookkeeping as drizzle's own migrator (table `id, hash, created_at`; every migration whose
 * journal time is newer than the last applied one runs, all in one transaction), so drizzle-kit tooling
 * reads the table the same way.
 */
async function applyMigrations(runner: Runner, schema: string, migrations: MigrationMeta[]): Promise<number> {
  const table = `${quoteIdent(schema)}.${quoteIdent(MIGRATIONS_TABLE)}`;
  await runner.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await runner.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  );
  const [last] = await runner.query<{ created_at: string | number | bigint | null }>(
    `SELECT id, hash, created_at FROM ${table} ORDER BY created_at DESC LIMIT 1`,
    [],
  );
  const lastMillis = last?.created_at == null ? undefined : Number(last.created_at);
  const pending = migrations.filter((m) => lastMillis === undefined || lastMillis < m.folderMillis);
  if (pending.length === 0) return 0;
  await runner.transaction(async (tx) => {
    // Unqualified names in hand-written migrations land in the service's schema, not in public.
    await tx.exec(`SET LOCAL search_path TO ${quoteIdent(schema)}, public`);
    for (const migration of pending) {
      for (const statement of migration.sql) {
        if (statement.trim() !== '') await tx.exec(idempotentSchemaCreation(statement));
      }
      await tx.query(`INSERT INTO ${table} ("hash", "created_at") VALUES ($1, $2)`, [
        migration.hash,
        migration.folderMillis,
      ]);
    }
  });
  return pending.length;
}

/**
 * Applies a service's drizzle migrations into its own schema, with its own `<schema>.__migrations`
 * table.
 *
 * On PostgreSQL the whole run happens on one reserved connection holding a session advisory lock keyed
 * by the schema name, so processes starting at the same time never migrate concurrently: the second
 * waits for the lock and then finds nothing left to do. (A pooled session lock could be taken on one
 * connection and released on another; drizzle's `migrate()` runs its own transaction, so a
 * transaction-scoped lock cannot wrap it.) On PGlite the process is the only client; calls on the same
 * database are serialized.
 */
export async function migrateService(database: Database, options: MigrateServiceOptions): Promise<MigrateServiceResult> {
  assertSchemaName(options.schema);
  const migrations = readMigrationFiles({ migrationsFolder: options.migrationsFolder });
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
    const run = handle.serial.then(() => applyMigrations(pgliteRunner(client), options.schema, migrations));
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
      return { applied: await applyMigrations(runner, options.schema, migrations) };
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
