import { createBusFromEnv, type Bus } from '@mso/bus';
import { openDatabase, type Database } from '@mso/db';
import { createLogger, type Logger } from '@mso/telemetry';
import { startHost, type Host } from './host.js';
import { idempotencyOptionsFromEnv } from './idempotency.js';
import { outboxOptionsFromEnv } from './outbox.js';
import { loggableError } from './errors.js';
import type { Clock } from './clock.js';
import type { ServiceDefinition } from './service.js';

export interface RuntimeOptions {
  services: readonly ServiceDefinition[];
  env?: Record<string, string | undefined>;
  clock?: Clock;
  logger?: Logger;
  /** Reuse an open bus (embedded mode shares one between host and gateway). */
  bus?: Bus;
  database?: Database;
}

export interface Runtime {
  bus: Bus;
  database: Database | undefined;
  host: Host;
  logger: Logger;
  /** Graceful: stop taking work, finish in-flight, drain the bus, close the database (≤ 10 s). */
  close(): Promise<void>;
}

/** Which services this process hosts: `MSO_SERVICES=billing,helpdesk`, or all when unset or `all`. */
export function selectServices(all: readonly ServiceDefinition[], list: string | undefined): ServiceDefinition[] {
  if (!list || list.trim() === '' || list.trim() === 'all') return [...all];
  const wanted = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !all.some((s) => s.id === w));
  if (unknown.length) throw new Error(`unknown service(s) in MSO_SERVICES: ${unknown.join(', ')}; known: ${all.map((s) => s.id).join(', ')}`);
  return all.filter((s) => wanted.includes(s.id));
}

/** Opens the bus and database the environment names (NATS_URL, DATABASE_URL, MSO_DATA_DIR) and hosts services. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ name: 'mso' });
  const bus = options.bus ?? (await createBusFromEnv({ env, name: `mso:${options.services.map((s) => s.id).join(',')}` }));
  const needsDb = options.services.some((s) => s.db);
  const database =
    options.database ??
    (needsDb ? await openDatabase({ ...databaseFromEnv(env), applicationName: 'mso' }) : undefined);
  const host = await startHost({
    services: options.services,
    bus,
    ...(database ? { database } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    logger,
    // How long a dead copy's async jobs wait before another copy resumes them (default 30 s).
    ...(env.MSO_JOB_LEASE_MS ? { asyncJobs: { leaseMs: positiveInteger(env.MSO_JOB_LEASE_MS, 'MSO_JOB_LEASE_MS') } } : {}),
    // Reply retention and the key sealing PHI replies (MSO_IDEMPOTENCY_TTL_HOURS, MSO_IDEMPOTENCY_KEY).
    idempotency: idempotencyOptionsFromEnv(env),
    // Retention of published outbox rows and handled inbox ids (MSO_OUTBOX_RETENTION_MINUTES, MSO_INBOX_RETENTION_DAYS).
    outbox: outboxOptionsFromEnv(env),
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, 9_000).unref());
      await Promise.race([host.stop(), deadline]);
      await Promise.race([bus.close(), deadline]);
      if (database && !options.database) await database.close();
    })());
  return { bus, database, host, logger, close };
}

/** SIGINT/SIGTERM run `close` once, then exit; a second signal exits at once. */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), 10_000);
    hard.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: loggableError(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/**
 * `main.ts` of a service run alone: `MSO_SERVICES=billing node services/billing/dist/main.js`.
 * Needs NATS_URL (the in-memory bus cannot reach a gateway in another process).
 */
export async function runServiceProcess(service: ServiceDefinition): Promise<Runtime> {
  if (!process.env.NATS_URL) {
    throw new Error(`${service.id}: set NATS_URL to run one service alone (embedded mode is \`pnpm start\`)`);
  }
  const runtime = await startRuntime({ services: [service], logger: createLogger({ name: `mso-${service.id}` }) });
  exitOnSignals(runtime.close, runtime.logger);
  process.stdout.write(`mso ${service.id} ${service.version} ready (instance ${runtime.host.instance})\n`);
  return runtime;
}

function positiveInteger(value: string, name: string, unit = 'milliseconds'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number of ${unit}, got "${value}"`);
  return n;
}

/**
 * PostgreSQL (DATABASE_URL, with MSO_DB_CONNECTIONS connections for this process, default 4: each
 * pipelines statements, and a transaction holds one until it commits, so write-heavy services gain from
 * more), else PGlite in MSO_DATA_DIR.
 */
function databaseFromEnv(env: Record<string, string | undefined>): { url: string; maxConnections?: number } | { dataDir: string } {
  if (!env.DATABASE_URL) return { dataDir: env.MSO_DATA_DIR ?? '.mso/data' };
  const connections = env.MSO_DB_CONNECTIONS?.trim();
  return { url: env.DATABASE_URL, ...(connections ? { maxConnections: positiveInteger(connections, 'MSO_DB_CONNECTIONS', 'connections') } : {}) };
}
