import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeDir, loadCompose } from './compose.js';
import { infraDir, listFiles, loadYaml, rel } from './files.js';
import type { Obj } from './manifests.js';

const compose = loadCompose('docker-compose.yml');
const services = compose.services as Record<string, Obj>;
const collector = loadYaml<Obj>(join(composeDir, 'otel-collector.yaml'));
const prometheus = loadYaml<Obj>(join(composeDir, 'prometheus.yml'));
const grafanaDir = join(infraDir, 'grafana');
const datasources = loadYaml<Obj>(join(grafanaDir, 'provisioning/datasources/datasources.yaml'));
const dashboardsProvider = loadYaml<Obj>(join(grafanaDir, 'provisioning/dashboards/dashboards.yaml'));
const dashboards = listFiles(join(grafanaDir, 'dashboards'), (p) => p.endsWith('.json'));

/** The host:port of a Compose service this config points at must be a Compose service. */
const expectComposeHost = (hostPort: string, what: string) => expect(Object.keys(services), `${what}: ${hostPort}`).toContain(hostPort.split(':')[0]);

/** Where a Compose service mounts a file of this repository (host path → container path). */
const mountOf = (service: string, hostPath: string) =>
  (services[service]!.volumes as string[]).map((v) => v.split(':')).find(([src]) => resolve(composeDir, src!) === resolve(hostPath))?.[1];

describe('OpenTelemetry Collector', () => {
  it('wires every pipeline to receivers, processors and exporters it defines', () => {
    for (const [name, pipeline] of Object.entries(collector.service.pipelines as Record<string, Obj>)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const id of pipeline[kind] ?? []) expect(Object.keys(collector[kind] ?? {}), `${name} ${kind}`).toContain(id);
      }
    }
    for (const ext of collector.service.extensions ?? []) expect(Object.keys(collector.extensions)).toContain(ext);
  });

  it('receives OTLP over HTTP and gRPC, sends traces to Jaeger over OTLP and metrics to Prometheus', () => {
    expect(collector.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect(collector.receivers.otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    const traces = collector.service.pipelines.traces;
    const jaeger = traces.exporters.find((e: string) => e.startsWith('otlp'));
    expect(jaeger).toBeDefined();
    expectComposeHost(collector.exporters[jaeger].endpoint, 'trace exporter');
    expect(services[collector.exporters[jaeger].endpoint.split(':')[0]]!.image).toMatch(/^jaegertracing\/all-in-one:/);
    expect(collector.service.pipelines.metrics.exporters).toContain('prometheus');
  });

  it('is the file the collector container loads', () => {
    const command = (services['otel-collector']!.command as string[]).join(' ');
    const mounted = mountOf('otel-collector', join(composeDir, 'otel-collector.yaml'));
    expect(mounted).toBeDefined();
    expect(command).toContain(`--config=${mounted}`);
  });
});

describe('Prometheus', () => {
  const jobs = prometheus.scrape_configs as Obj[];

  it('scrapes the collector where its Prometheus exporter listens, and the gateways', () => {
    const port = collector.exporters.prometheus.endpoint.split(':').at(-1);
    const targets = jobs.flatMap((j) => (j.static_configs ?? []).flatMap((c: Obj) => c.targets as string[]));
    expect(targets).toContain(`otel-collector:${port}`);
    const gateway = jobs.find((j) => j.dns_sd_configs?.some((d: Obj) => d.names.includes('gateway')));
    expect(gateway?.metrics_path).toBe('/metrics');
  });

  it('points only at Compose services (or itself)', () => {
    for (const job of jobs) {
      for (const target of (job.static_configs ?? []).flatMap((c: Obj) => c.targets as string[])) {
        if (!target.startsWith('localhost:')) expectComposeHost(target, job.job_name);
      }
      for (const dns of job.dns_sd_configs ?? []) for (const name of dns.names) expectComposeHost(name, job.job_name);
    }
    expect(new Set(jobs.map((j) => j.job_name)).size).toBe(jobs.length);
  });

  it('is the file the Prometheus container loads', () => {
    const mounted = mountOf('prometheus', join(composeDir, 'prometheus.yml'));
    expect((services.prometheus!.command as string[]).join(' ')).toContain(`--config.file=${mounted}`);
  });
});

describe('Grafana', () => {
  const prometheusSource = (datasources.datasources as Obj[]).find((d) => d.type === 'prometheus')!;

  it('provisions Prometheus and Jaeger from the Compose services', () => {
    const types = (datasources.datasources as Obj[]).map((d) => d.type).sort();
    expect(types).toEqual(['jaeger', 'prometheus']);
    for (const d of datasources.datasources as Obj[]) {
      expect(d.uid, d.name).toBeTruthy();
      expectComposeHost(new URL(d.url).host, d.name);
    }
    expect(mountOf('grafana', join(grafanaDir, 'provisioning'))).toBe('/etc/grafana/provisioning');
  });

  it('loads the dashboards folder from the path the provider reads', () => {
    const path = dashboardsProvider.providers[0].options.path;
    expect(mountOf('grafana', join(grafanaDir, 'dashboards'))).toBe(path);
    expect(dashboards.map((d) => d.split('/').pop())).toContain('mso-overview.json');
  });

  for (const file of dashboards) {
    describe(rel(file), () => {
      const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Obj;
      const panels = dashboard.panels as Obj[];
      const refs: Obj[] = [];
      const collect = (node: unknown) => {
        if (Array.isArray(node)) return node.forEach(collect);
        if (typeof node !== 'object' || node === null) return;
        for (const [k, v] of Object.entries(node)) {
          if (k === 'datasource') refs.push(v as Obj);
          collect(v);
        }
      };
      collect(dashboard);

      it('is a dashboard with a uid, a title and panels with unique ids and a place on the grid', () => {
        expect(dashboard.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
        expect(dashboard.title).toBeTruthy();
        expect(panels.length).toBeGreaterThan(0);
        expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
        for (const p of panels) expect(p.gridPos, p.title).toMatchObject({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) });
      });

      it('uses only the provisioned Prometheus data source', () => {
        expect(refs.length).toBeGreaterThan(0);
        for (const ref of refs) expect(ref).toEqual({ type: 'prometheus', uid: prometheusSource.uid });
      });

      it('queries every panel with PromQL that names the platform metrics', () => {
        const exprs = panels.flatMap((p) => (p.targets as Obj[]).map((t) => t.expr as string));
        for (const expr of exprs) {
          expect(expr).toMatch(/mso_[a-z_]+/);
          // Balanced parentheses and braces: a cheap guard against broken hand edits.
          for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']] as const) expect(expr.split(open).length, expr).toBe(expr.split(close).length);
        }
      });

      if (file.endsWith('mso-overview.json')) {
        it('shows per-operation request rate, error rate and p99 duration, and consumer lag', () => {
          const text = JSON.stringify(panels);
          expect(text).toContain('mso_operation_requests_total');
          expect(text).toMatch(/status=~\\"5\.\.\\"/);
          expect(text).toMatch(/histogram_quantile\(0\.99, sum by \(service, operation, le\) \(rate\(mso_operation_duration_seconds_bucket/);
          expect(text).toContain('mso_consumer_lag');
          expect(text).toContain('sum by (service, operation)');
        });
      }
    });
  }
});
