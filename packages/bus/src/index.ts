export * from './types.js';
export { createMemoryBus, type MemoryBusOptions } from './memory.js';
export { connectNatsBus, deleteNatsNamespace, type NatsBusOptions } from './nats.js';
export { createBusFromEnv, type BusFromEnvOptions } from './env.js';
export { withEventSpan } from './tracing.js';
export { DEFAULT_SILENCE_MS, HEARTBEAT_MS } from './liveness.js';
export { subjectMatches } from './util.js';
