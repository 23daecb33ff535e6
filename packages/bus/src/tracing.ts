import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isSampledOut } from '@mso/telemetry/sampling';
import { BusError, type DeliveredEvent, type Headers } from './types.js';

/**
 * W3C trace context over bus headers, shared by both transports. Only the OpenTelemetry API is used:
 * without a registered SDK every call here is a no-op. Span attributes never carry payload content.
 */

const TRACER_NAME = '@mso/bus';

const setter: TextMapSetter<Headers> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<Headers> = {
  get(carrier, key) {
    const direct = carrier[key];
    if (direct !== undefined) return direct;
    const lower = key.toLowerCase();
    for (const k of Object.keys(carrier)) if (k.toLowerCase() === lower) return carrier[k];
    return undefined;
  },
  keys(carrier) {
    return Object.keys(carrier);
  },
};

export type MessagingOperation = 'send' | 'process';

export interface SpanInfo {
  /** Logical subject (without any test-isolation prefix). */
  subject: string;
  operation: MessagingOperation;
  bodySize: number;
  messageId?: string;
  /** Queue group (service) or durable consumer name. */
  group?: string;
  deliveryCount?: number;
}

function attributes(info: SpanInfo): Attributes {
  const attrs: Attributes = {
    'messaging.system': 'nats',
    'messaging.destination.name': info.subject,
    'messaging.operation.type': info.operation,
    'messaging.operation.name': info.operation,
    'messaging.message.body.size': info.bodySize,
  };
  if (info.messageId !== undefined) attrs['messaging.message.id'] = info.messageId;
  if (info.group !== undefined) attrs['messaging.consumer.group.name'] = info.group;
  if (info.deliveryCount !== undefined) attrs['messaging.nats.delivery_count'] = info.deliveryCount;
  return attrs;
}

/** Runs `fn` with `span` active under `parent`; ends it, marked failed if `fn` throws. */
async function inSpan<T>(span: Span, parent: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

function fail(span: Span, err: unknown): void {
  // Error messages may echo payload content: record only the kind of error.
  const type = err instanceof BusError ? `BusError:${err.code}` : err instanceof Error ? err.name : 'Error';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/**
 * Outgoing message (request: CLIENT span; publish: PRODUCER span), child of the active context.
 * `fn` gets a copy of `headers` with `traceparent`/`tracestate` injected.
 */
export async function withOutgoingSpan<T>(
  kind: 'request' | 'publish',
  info: SpanInfo,
  headers: Headers | undefined,
  fn: (headers: Headers) => Promise<T>,
): Promise<T> {
  const parent = context.active();
  if (isSampledOut(parent)) {
    // Not sampled: no span, no context switch; the headers carry the caller's trace context on.
    const out: Headers = { ...headers };
    propagation.inject(parent, out, setter);
    return fn(out);
  }
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(
      `${info.operation} ${info.subject}`,
      { kind: kind === 'request' ? SpanKind.CLIENT : SpanKind.PRODUCER, attributes: attributes(info) },
      parent,
    );
  const ctx = trace.setSpan(parent, span);
  const out: Headers = { ...headers };
  propagation.inject(ctx, out, setter);
  try {
    return await context.with(ctx, () => fn(out));
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Incoming message (request: SERVER span; event: CONSUMER span) whose parent is the context
 * extracted from `headers`. The handler runs with that span active, so its own spans, requests and
 * publishes continue the trace.
 */
export async function withIncomingSpan<T>(
  kind: 'request' | 'event',
  info: SpanInfo,
  headers: Headers,
  fn: () => Promise<T>,
): Promise<T> {
  const parent: Context = propagation.extract(ROOT_CONTEXT, headers, getter);
  // Not sampled: no span; the handler still runs in the caller's trace context, so whatever it
  // calls or emits carries it on.
  if (isSampledOut(parent)) return context.with(parent, fn);
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(
      `${info.operation} ${info.subject}`,
      { kind: kind === 'request' ? SpanKind.SERVER : SpanKind.CONSUMER, attributes: attributes(info) },
      parent,
    );
  return inSpan(span, parent, fn);
}

/**
 * A batch of events (CONSUMER span): a new trace, linked to each event's producer span, as
 * OpenTelemetry models batch processing. Only ids and counts go in: no payload.
 */
export async function withBatchSpan<T>(
  info: { filter: string; group: string; events: readonly DeliveredEvent[] },
  fn: () => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  let bodySize = 0;
  for (const event of info.events) {
    bodySize += event.data.byteLength;
    const producer = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, event.headers ?? {}, getter));
    if (producer) links.push({ context: producer, attributes: { 'messaging.message.id': event.id } });
  }
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `process ${info.filter}`,
    {
      kind: SpanKind.CONSUMER,
      root: true,
      links,
      attributes: {
        ...attributes({ subject: info.filter, operation: 'process', bodySize, group: info.group }),
        'messaging.batch.message_count': info.events.length,
      },
    },
    ROOT_CONTEXT,
  );
  return inSpan(span, ROOT_CONTEXT, fn);
}

/**
 * One event of a batch in its own CONSUMER span, a child of the event's producer span (so the
 * producer's trace goes on into the work) linked to the batch's span when there is one.
 */
export async function withEventSpan<T>(event: DeliveredEvent, group: string, fn: () => Promise<T>): Promise<T> {
  const extracted = propagation.extract(ROOT_CONTEXT, event.headers ?? {}, getter);
  // An event without trace context becomes a child of the batch instead of a trace of its own.
  const fromProducer = trace.getSpanContext(extracted) !== undefined;
  const parent: Context = fromProducer ? extracted : context.active();
  if (isSampledOut(parent)) return context.with(parent, fn);
  const batch = fromProducer ? trace.getSpanContext(context.active()) : undefined;
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `process ${event.subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: attributes({
        subject: event.subject,
        operation: 'process',
        bodySize: event.data.byteLength,
        messageId: event.id,
        group,
        deliveryCount: event.deliveryCount,
      }),
      ...(batch ? { links: [{ context: batch }] } : {}),
    },
    parent,
  );
  return inSpan(span, parent, fn);
}
