import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { pgliteTurns, scopePgliteClient, tracePgliteClient } from './pglite-client.js';
import { ConnectionSet } from './postgres-client.js';
import { ALL_PRACTICES, APPLY_TENANT_SQL, tenantParams, type TenantScope } from './tenant-wall.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the handle is shared by services with different schemas */
/** The drizzle instance, loose enough for any service's schema (tables carry their own types). */
export type Db = PgDatabase<PgQueryResultHKT, any>;
/** A drizzle transaction as passed to `Database.transaction` callbacks. */
export type Tx = PgTransaction<PgQueryResultHKT, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

export type DatabaseKind = 'postgres' | 'pglite';

export interface OpenDatabaseOptions {
  /** PostgreSQL connection URL (DATABASE_URL). Without it the embedded PGlite database is used. */
  url?: string;
  /** PGlite data folder (default `.mso/data`); `memory://` keeps everything in memory. */
  dataDir?: string;
  /** Server connections this process opens (postgres only, default 4); each one pipelines statements. */
  maxConnections?: number;
  /** Reported to the server as `application_name` (postgres only). */
  applicationName?: string;
}

export interface Database {
  readonly kind: DatabaseKind;
  /** The drizzle instance; every statement issued through it gets a CLIENT span. */
  readonly db: Db;
  /**
   * A handle behind the tenant wall: every statement runs as the service role, scoped to `scope`, in a
   * transaction of its own (or in the transaction it opens). Service code reads through it.
   */
  tenantDb(scope: TenantScope): Db;
  /** Runs `fn` in a transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL only: a transaction behind the tenant wall, scoped to `scope`, of the writes `record`
   * builds synchronously on the handle it is given (nothing is sent before it returns). They leave
   * as one transaction in one round trip (the scope and the writes as one chain; the first time on a
   * connection, BEGIN … COMMIT), without holding a connection. Resolves once committed; rejects with
   * the write that failed, and then nothing of it is kept. Each statement's own promise settles with
   * its result.
   */
  writeBatch?(scope: TenantScope, record: (db: Db) => void): Promise<void>;
  /** Resolves when the database answers a trivial query (readiness); rejects otherwise. */
  ping(): Promise<void>;
  /** Closes all connections (or the PGlite instance). Safe to call more than once. */
  close(): Promise<void>;
}

/** Driver handles used by the migrator and the test helpers; not part of the public API. */
export type DatabaseInternals =
  | { readonly kind: 'postgres'; readonly connections: ConnectionSet }
  | { readonly kind: 'pglite'; readonly client: PGlite; serial: Promise<unknown> };

const internals = new WeakMap<Database, DatabaseInternals>();

export function getInternals(database: Database): DatabaseInternals {
  const found = internals.get(database);
  if (!found) throw new TypeError('not a Database created by openDatabase()');
  return found;
}

/** One scoped handle per scope (per practice, in practice), so prepared queries are reused. */
function scopedHandles(create: (setup: { text: string; params: readonly unknown[] }) => Db): (scope: TenantScope) => Db {
  const handles = new Map<string, Db>();
  return (scope) => {
    const key = scope === ALL_PRACTICES ? '*' : (scope ?? '');
    let handle = handles.get(key);
    if (!handle) {
      handle = create({ text: APPLY_TENANT_SQL, params: tenantParams(scope) });
      handles.set(key, handle);
    }
    return handle;
  };
}

export const DEFAULT_DATA_DIR = '.mso/data';
export const DEFAULT_MAX_CONNECTIONS = 4;

/**
 * Opens the process-wide database handle. Open it once per process and share it between all the
 * services the process hosts; each service works in its own schema.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir ?? DEFAULT_DATA_DIR);
}

function openPostgres(url: string, options: OpenDatabaseOptions): Database {
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxConnections must be a positive integer, got ${max}`);
  // Driver settings (see ConnectionSet for why it is `max` one-connection clients, not one pool):
  const connections = new ConnectionSet(
    url,
    {
      // Statements from drizzle are sent as named prepared statements (forced per statement by the
      // facade; this enables it for the client).
      prepare: true,
      // Give back a connection idle for 30 s; recycle each after 30 min, which also bounds the
      // per-connection prepared-statement cache; fail a connect attempt after 10 s.
      idle_timeout: 30,
      max_lifetime: 30 * 60,
      connect_timeout: 10,
      connection: { application_name: options.applicationName ?? 'mso' },
      // NOTICEs (e.g. "schema already exists, skipping") would otherwise go to console.log.
      onnotice: () => {},
    },
    max,
  );
  const { options: parsed } = connections;
  const target = { namespace: parsed.database, serverAddress: parsed.host[0], serverPort: parsed.port[0] };
  const db = drizzlePostgres({ client: connections.drizzleClient(target) }) as unknown as Db;
  const batchDb = drizzlePostgres({ client: connections.batchClient() }) as unknown as Db;
  connections.mirrorOptions();
  const database: Database = {
    kind: 'postgres',
    db,
    tenantDb: scopedHandles((setup) => drizzlePostgres({ client: connections.drizzleClient(target, setup) }) as unknown as Db),
    transaction: (fn) => db.transaction(fn),
    writeBatch: (scope, record) => connections.writeBatch(target, { text: APPLY_TENANT_SQL, params: tenantParams(scope) }, () => record(batchDb)),
    ping: () => connections.run('select 1'),
    close: () => connections.end(5),
  };
  internals.set(database, { kind: 'postgres', connections });
  return database;
}

async function openPglite(dataDir: string): Promise<Database> {
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = resolve(dataDir);
    mkdirSync(location, { recursive: true });
  }
  return wrapPglite(await PGlite.create(location));
}

/** Builds a Database around an already created PGlite instance (it is closed by `close()`). */
export function wrapPglite(client: PGlite): Database {
  const target = { namespace: 'postgres' };
  const traced = tracePgliteClient(client, target, pgliteTurns());
  const db = drizzlePglite({ client: traced }) as unknown as Db;
  let closing: Promise<void> | undefined;
  const database: Database = {
    kind: 'pglite',
    db,
    tenantDb: scopedHandles((setup) => drizzlePglite({ client: scopePgliteClient(traced, setup) }) as unknown as Db),
    transaction: (fn) => db.transaction(fn),
    async ping() {
      await client.query('select 1');
    },
    close() {
      closing ??= client.closed ? Promise.resolve() : client.close();
      return closing;
    },
  };
  internals.set(database, { kind: 'pglite', client, serial: Promise.resolve() });
  return database;
}
