import { context, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { isSampledOut } from '@mso/telemetry/sampling';

/**
 * OpenTelemetry CLIENT spans for every SQL statement issued through the drizzle instance.
 *
 * The hook sits on the driver client handed to drizzle (postgres.js `unsafe`/`begin`/`savepoint`,
 * PGlite `query`/`exec`/`transaction`), so it sees exactly the statement text drizzle sends, measures
 * the real round trip, and follows transactions (drizzle runs them on the scoped client the driver
 * passes to the callback, which is wrapped the same way). No drizzle internals are patched.
 *
 * PHI rule: spans carry the statement text with its `$1…` placeholders and never the parameter values.
 * Error messages are not recorded either (PostgreSQL messages such as `invalid input syntax for type
 * uuid: "…"` quote input values); the SQLSTATE code is recorded instead.
 *
 * Only `@opentelemetry/api` is used. With no tracer provider registered, `startSpan` returns a
 * non-recording span and the cost per query is one small object and a Map lookup.
 */

const TRACER_NAME = '@mso/db';
const tracer = trace.getTracer(TRACER_NAME);

export interface QueryInfo {
  /** Span name and `db.query.summary`, e.g. `SELECT helpdesk.tickets`. */
  readonly summary: string;
  readonly operation: string | undefined;
  readonly collection: string | undefined;
}

export interface SpanTarget {
  /** Database name (`db.namespace`). */
  readonly namespace: string;
  readonly serverAddress?: string | undefined;
  readonly serverPort?: number | undefined;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const QUALIFIED = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)`;
const TARGET_PATTERNS: Record<string, RegExp> = {
  SELECT: new RegExp(String.raw`\bfrom\s+${QUALIFIED}`, 'i'),
  INSERT: new RegExp(String.raw`^\s*insert\s+into\s+${QUALIFIED}`, 'i'),
  UPDATE: new RegExp(String.raw`^\s*update\s+(?:only\s+)?${QUALIFIED}`, 'i'),
  DELETE: new RegExp(String.raw`^\s*delete\s+from\s+(?:only\s+)?${QUALIFIED}`, 'i'),
};

function unquote(name: string): string {
  return name
    .split(/\s*\.\s*/)
    .map((part) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part))
    .join('.');
}

/** Derives a low-cardinality summary (`OPERATION schema.table`) from statement text. */
export function summarizeQuery(text: string): QueryInfo {
  const stripped = text.replace(/^(?:\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  const keyword = /^[A-Za-z]+/.exec(stripped)?.[0]?.toUpperCase();
  if (!keyword) return { summary: 'postgresql', operation: undefined, collection: undefined };
  const pattern = TARGET_PATTERNS[keyword];
  const match = pattern?.exec(stripped)?.[1];
  const collection = match === undefined ? undefined : unquote(match);
  return { summary: collection ? `${keyword} ${collection}` : keyword, operation: keyword, collection };
}

const MAX_CACHED = 2000;
const summaries = new Map<string, QueryInfo>();

function queryInfo(text: string): QueryInfo {
  let info = summaries.get(text);
  if (info === undefined) {
    info = summarizeQuery(text);
    // Statements built by drizzle are a bounded set per service; the cap protects against raw SQL
    // with inlined literals producing unbounded distinct texts.
    if (summaries.size >= MAX_CACHED) summaries.clear();
    summaries.set(text, info);
  }
  return info;
}

/** What a statement of a sampled-out trace gets: one shared span that records nothing (it is a leaf). */
const NOT_RECORDED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function startQuerySpan(text: string, target: SpanTarget): Span {
  // The SDK would check and copy the attributes before its sampler drops the span.
  const active = context.active();
  if (isSampledOut(active)) return NOT_RECORDED;
  const info = queryInfo(text);
  const attributes: Attributes = {
    'db.system.name': 'postgresql',
    'db.namespace': target.namespace,
    'db.query.text': text,
    'db.query.summary': info.summary,
  };
  if (info.operation !== undefined) attributes['db.operation.name'] = info.operation;
  if (info.collection !== undefined) attributes['db.collection.name'] = info.collection;
  if (target.serverAddress !== undefined) attributes['server.address'] = target.serverAddress;
  if (target.serverPort !== undefined) attributes['server.port'] = target.serverPort;
  return tracer.startSpan(info.summary, { kind: SpanKind.CLIENT, attributes }, active);
}

export function endQuerySpan(span: Span, error?: unknown): void {
  if (error !== undefined && span.isRecording()) {
    const code =
      typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
        ? (error as { code: string }).code
        : undefined;
    const errorType = code ?? (error instanceof Error ? error.name : 'Error');
    span.setAttribute('error.type', errorType);
    if (code !== undefined) span.setAttribute('db.response.status_code', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: code ? `SQLSTATE ${code}` : errorType });
  }
  span.end();
}

/** Runs `run` inside a query span that ends when the returned promise settles. */
export function traced<T>(text: string, target: SpanTarget, run: () => Promise<T>): Promise<T> {
  const span = startQuerySpan(text, target);
  let result: Promise<T>;
  try {
    result = run();
  } catch (error) {
    endQuerySpan(span, error);
    throw error;
  }
  return result.then(
    (value) => {
      endQuerySpan(span);
      return value;
    },
    (error: unknown) => {
      endQuerySpan(span, error);
      throw error;
    },
  );
}
