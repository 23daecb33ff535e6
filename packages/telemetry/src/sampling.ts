import { isSpanContextValid, trace, TraceFlags, type Context } from '@opentelemetry/api';

/**
 * True when `ctx` carries a valid trace context whose caller decided not to sample it. Such a trace
 * records nothing anywhere below (the samplers are parent-based), so the bus and the database make no
 * span for it: the SDK would build one, attributes and all, only to drop it. The trace context is
 * still carried on (a sampled-out request passes `traceparent` on). Kept apart from the SDK setup so
 * that packages asking it load only the OpenTelemetry API.
 */
export function isSampledOut(ctx: Context): boolean {
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && (sc.traceFlags & TraceFlags.SAMPLED) === 0 && isSpanContextValid(sc);
}
