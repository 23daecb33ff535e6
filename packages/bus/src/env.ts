import { createMemoryBus, type MemoryBusOptions } from './memory.js';
import { connectNatsBus, type NatsBusOptions } from './nats.js';
import type { Bus } from './types.js';

export interface BusFromEnvOptions extends Omit<NatsBusOptions, 'servers'>, MemoryBusOptions {
  /** Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * NATS when `NATS_URL` is set (comma-separated server list allowed), the in-memory bus otherwise
 * (embedded mode). `NATS_NAMESPACE`, when set, isolates streams, event subjects and buckets.
 */
export async function createBusFromEnv(options: BusFromEnvOptions = {}): Promise<Bus> {
  const { env = process.env, maxEventsPerStream, ...nats } = options;
  const url = env.NATS_URL?.trim();
  if (!url) {
    return createMemoryBus({
      ...(options.logger ? { logger: options.logger } : {}),
      ...(maxEventsPerStream !== undefined ? { maxEventsPerStream } : {}),
    });
  }
  const namespace = nats.namespace ?? (env.NATS_NAMESPACE?.trim() || undefined);
  return connectNatsBus({
    ...nats,
    ...(namespace ? { namespace } : {}),
    servers: url.split(',').map((s) => s.trim()).filter(Boolean),
  });
}
