import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger } from 'pino';

/**
 * Field names that may hold PHI. Handlers should never log payloads, but when an object slips into a
 * log call these paths are censored instead of written out.
 */
const phiFields = [
  'firstName', 'lastName', 'name', 'dateOfBirth', 'birthDate', 'memberId', 'address', 'ssn',
  'patient', 'subscriber', 'email', 'phone', 'input', 'output', 'body', 'payload',
];
// Top-level `name` is pino's logger name, so names are censored only one level down.
export const phiRedactPaths = phiFields.flatMap((f) => (f === 'name' ? [`*.${f}`] : [f, `*.${f}`]));

/** JSON logs (pino) carrying the active span's `trace_id` and `span_id`. */
export function createLogger(options: { name: string; level?: string } & Pick<LoggerOptions, 'base'>, destination?: DestinationStream): Logger {
  return pino({
    name: options.name,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: options.base ?? { pid: process.pid },
    redact: { paths: phiRedactPaths, censor: '[redacted]' },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  }, destination);
}
