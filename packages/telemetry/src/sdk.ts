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
    spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
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
