import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  /** `service.name` resource attribute, e.g. `mso-gateway` or `mso-helpdesk`. */
  serviceName: string;
  serviceVersion?: string;
  /** Extra processors (tests pass a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
  /** OTLP endpoint; defaults to `OTEL_EXPORTER_OTLP_ENDPOINT`. Unset: nothing is exported. */
  otlpEndpoint?: string;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Spans leave in small batches soon after they end (the SDK's defaults are 512 spans or 5 s): a span
 * kept for a batch outlives young-generation collections, and each one copies it again. At half load
 * on `pnpm bench` (c) the p99 was 65–67 ms with these against 82–83 ms with the SDK's (docs/benchmarks.md).
 */
export const DEFAULT_BATCH_OPTIONS = { maxExportBatchSize: 64, scheduledDelayMillis: 200 } as const;

export interface BatchOptions {
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  maxQueueSize?: number;
}

/**
 * The batch span processor's limits: the standard `OTEL_BSP_*` variables (which the SDK, 3.x, no
 * longer reads itself) over {@link DEFAULT_BATCH_OPTIONS}. A malformed value is refused at start.
 */
export function batchOptionsFromEnv(env: NodeJS.ProcessEnv): BatchOptions {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return value;
  };
  const maxQueueSize = read('OTEL_BSP_MAX_QUEUE_SIZE');
  return {
    maxExportBatchSize: read('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? DEFAULT_BATCH_OPTIONS.maxExportBatchSize,
    scheduledDelayMillis: read('OTEL_BSP_SCHEDULE_DELAY') ?? DEFAULT_BATCH_OPTIONS.scheduledDelayMillis,
    ...(maxQueueSize !== undefined ? { maxQueueSize } : {}),
  };
}

let started: { sdk: NodeSDK; telemetry: Telemetry } | undefined;

/**
 * Starts the OpenTelemetry SDK once per process. Call it before importing anything that does I/O
 * (main files import `@mso/telemetry/start` first). Context propagation (W3C trace context) is always
 * on, so trace ids flow through HTTP and bus headers even when nothing is exported.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (started) return started.telemetry;
  const endpoint = options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (endpoint) {
    const url = endpoint.endsWith('/v1/traces') ? endpoint : `${endpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), ...batchOptionsFromEnv(process.env) }));
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.1.0',
    }),
    autoDetectResources: false,
    spanProcessors,
    instrumentations: [],
  });
  sdk.start();
  const telemetry: Telemetry = {
    async shutdown() {
      if (started?.sdk !== sdk) return;
      started = undefined;
      await sdk.shutdown();
    },
  };
  started = { sdk, telemetry };
  return telemetry;
}
