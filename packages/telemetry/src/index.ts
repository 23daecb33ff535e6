export { startTelemetry, type Telemetry, type TelemetryOptions } from './sdk.js';
export { createLogger, phiRedactPaths, type Logger } from './logger.js';
