import type { FastifyInstance } from 'fastify';
import type { Operation } from '@mso/contracts';
import { startRuntime, type Clock, type Runtime, type ServiceDefinition } from '@mso/kit';
import type { Bus } from '@mso/bus';
import type { Database } from '@mso/db';
import type { Logger } from '@mso/telemetry';
import { buildGateway } from './app.js';

export interface PlatformOptions {
  /** Services hosted in this process (may be none: a gateway-only process). */
  services: readonly ServiceDefinition[];
  env?: Record<string, string | undefined>;
  adminKey?: string;
  clock?: Clock;
  logger?: Logger;
  bus?: Bus;
  database?: Database;
  operations?: readonly Operation[];
}

export interface Platform {
  app: FastifyInstance;
  runtime: Runtime;
  close(): Promise<void>;
}

/** Services and the gateway in one process, sharing one bus (in-memory in embedded mode). */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const runtime = await startRuntime({
    services: options.services,
    ...(options.env ? { env: options.env } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.database ? { database: options.database } : {}),
  });
  const database = runtime.database;
  const app = await buildGateway({
    bus: runtime.bus,
    logger: runtime.logger,
    ...(options.adminKey ? { adminKey: options.adminKey } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.operations ? { operations: options.operations } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(database ? { readinessChecks: { database: () => database.ping() } } : {}),
  });
  return {
    app,
    runtime,
    close: async () => {
      // Stop taking HTTP requests first, then let the services finish theirs.
      await app.close();
      await runtime.close();
    },
  };
}
