import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileRuntime, helmTemplatesDir, infraDir, listFiles, loadYaml, platformEnvVars, plannedServices, shippedServices } from './files.js';
import { renderChart } from './helm.js';
import { containerEnvNames, containerEnvValue, manifestProblems, matches, named, ofKind, referenceProblems, workloads, type Obj } from './manifests.js';
import { everyProcess, gatewayOnly, missing, serviceOnly } from './roles.js';

const chartDir = join(infraDir, 'helm/mso-platform');
const chart = loadYaml<Obj>(join(chartDir, 'Chart.yaml'));
const values = loadYaml<Obj>(join(chartDir, 'values.yaml'));
const secrets = { secrets: { adminKey: 'mso_admin_test', databaseUrl: 'postgres://mso:pw@db:5432/mso', idempotencyKey: 'c2VhbHMgc3RvcmVkIHJlcGxpZXMgb2YgUEhJIG9wcy4=' } };
const render = (over: Obj = {}, releaseName = 'mso') => {
  const out = renderChart(chartDir, { releaseName, values: { ...secrets, ...over } });
  return { files: out.files, manifests: out.manifests as Obj[] };
};
const deploymentsOf = (objects: Obj[]) => ofKind(objects, 'Deployment');
const componentOf = (o: Obj) => o.metadata.labels['app.kubernetes.io/component'] as string;

const allOn = Object.fromEntries(plannedServices.filter((s) => s !== 'tenancy').map((s) => [s, { enabled: true }]));

describe('Helm chart infra/helm/mso-platform', () => {
  it('is a v2 application chart named after its folder', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('mso-platform');
    expect(chart.type).toBe('application');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    expect(String(chart.appVersion)).toBeTruthy();
  });

  it('has one values entry per service: tenancy always on, every other one with an enabled switch', () => {
    const entries = Object.keys(values.services);
    expect(missing(entries, shippedServices())).toEqual([]);
    expect(missing(entries, plannedServices)).toEqual([]);
    expect(missing(plannedServices, entries)).toEqual([]);
    expect(values.services.tenancy.enabled).toBeUndefined();
    for (const id of entries.filter((s) => s !== 'tenancy')) {
      expect(typeof values.services[id].enabled, id).toBe('boolean');
      expect(Number.isInteger(values.services[id].replicas), id).toBe(true);
    }
    // On by default: only services the image ships.
    const onByDefault = entries.filter((s) => s === 'tenancy' || values.services[s].enabled);
    expect(missing(shippedServices(), onByDefault)).toEqual([]);
    expect(serviceDefaultsHave(['replicas', 'resources', 'autoscaling', 'podDisruptionBudget'])).toBe(true);
  });

  it('reads only values that values.yaml defines', () => {
    const problems: string[] = [];
    for (const file of listFiles(helmTemplatesDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        const path = m[1]!.slice(1).split('.');
        let node: unknown = values;
        for (const key of path) node = node && typeof node === 'object' ? (node as Obj)[key] : undefined;
        if (node === undefined) problems.push(`${file.split('/').pop()}: .Values.${path.join('.')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses to render without MSO_ADMIN_KEY, DATABASE_URL and MSO_IDEMPOTENCY_KEY, or an existing Secret', () => {
    expect(() => renderChart(chartDir, { releaseName: 'mso' })).toThrow(/secrets.adminKey \(MSO_ADMIN_KEY\) is required/);
    const { idempotencyKey: _omitted, ...withoutIdempotencyKey } = secrets.secrets;
    expect(() => renderChart(chartDir, { releaseName: 'mso', values: { secrets: withoutIdempotencyKey } })).toThrow(/secrets.idempotencyKey \(MSO_IDEMPOTENCY_KEY\) is required/);
    expect(() => renderChart(chartDir, { releaseName: 'mso', values: { secrets: { existingSecret: 'mine' } } })).not.toThrow();
  });

  describe('with its defaults', () => {
    const { manifests } = render();

    it('renders valid objects whose selectors, Services, PDBs and references line up', () => {
      expect(manifests.flatMap(manifestProblems)).toEqual([]);
      expect(referenceProblems(manifests)).toEqual([]);
      const ids = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('deploys the gateway, tenancy, helpdesk, billing, finance and hr, one Deployment each, with a PDB each', () => {
      const components = deploymentsOf(manifests).map(componentOf).sort();
      expect(components).toEqual(['gateway', ...plannedServices.filter((s) => s === 'tenancy' || values.services[s].enabled)].sort());
      for (const d of deploymentsOf(manifests)) {
        expect(ofKind(manifests, 'PodDisruptionBudget').some((p) => matches(p.spec.selector.matchLabels, d.spec.template.metadata.labels)), d.metadata.name).toBe(true);
      }
      expect(ofKind(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
      expect(ofKind(manifests, 'Ingress')).toEqual([]);
      expect(deploymentsOf(manifests).find((d) => componentOf(d) === 'tenancy')!.spec.replicas).toBe(values.services.tenancy.replicas);
    });

    it('gives the gateway liveness on /healthz and readiness on /readyz, on its container port', () => {
      const gw = named(manifests, 'Deployment', 'mso-mso-platform-gateway') ?? deploymentsOf(manifests).find((d) => componentOf(d) === 'gateway')!;
      const c = gw.spec.template.spec.containers[0];
      expect(c.args).toEqual(['gateway']);
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      const port = c.ports.find((p: Obj) => p.name === c.readinessProbe.httpGet.port).containerPort;
      expect(String(port)).toBe(containerEnvValue(manifests, c, 'PORT'));
      const svc = ofKind(manifests, 'Service')[0]!;
      expect(matches(svc.spec.selector, gw.spec.template.metadata.labels)).toBe(true);
    });

    it('runs each service as `service <name>` with MSO_SERVICES=<name>', () => {
      for (const d of deploymentsOf(manifests).filter((x) => componentOf(x) !== 'gateway')) {
        const c = d.spec.template.spec.containers[0];
        expect(c.args).toEqual(['service', componentOf(d)]);
        expect(containerEnvValue(manifests, c, 'MSO_SERVICES')).toBe(componentOf(d));
      }
    });

    it('sets every variable the platform reads, for each role', () => {
      const image = dockerfileRuntime().env;
      const union = new Set(Object.keys(image));
      for (const d of deploymentsOf(manifests)) {
        const c = d.spec.template.spec.containers[0];
        const vars = new Set([...Object.keys(image), ...containerEnvNames(manifests, c)]);
        vars.forEach((v) => union.add(v));
        const wanted = componentOf(d) === 'gateway' ? [...everyProcess, ...gatewayOnly] : [...everyProcess, ...serviceOnly];
        expect(missing(vars, wanted), d.metadata.name).toEqual([]);
        expect(containerEnvValue(manifests, c, 'NODE_ENV')).toBe('production');
      }
      expect(missing(union, platformEnvVars().keys())).toEqual([]);
    });

    it('runs as a non-root user with a read-only root file system', () => {
      for (const d of deploymentsOf(manifests)) {
        const pod = d.spec.template.spec;
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
        expect(pod.automountServiceAccountToken).toBe(false);
      }
    });
  });

  describe('with every service, autoscaling, an ingress and an existing Secret', () => {
    const manifests = renderChart(chartDir, {
      releaseName: 'prod',
      values: {
        secrets: { existingSecret: 'mso-secrets' },
        services: { ...allOn, tenancy: { podDisruptionBudget: { enabled: false } }, billing: { enabled: true, autoscaling: { enabled: true }, podDisruptionBudget: { minAvailable: 1 } } },
        gateway: { autoscaling: { enabled: true }, ingress: { enabled: true, className: 'nginx', tls: [{ secretName: 'mso-tls', hosts: ['mso.example.com'] }] } },
      },
    }).manifests as Obj[];

    it('renders valid, consistent objects', () => {
      expect(manifests.flatMap(manifestProblems)).toEqual([]);
      expect(referenceProblems(manifests, { externalSecrets: ['mso-secrets'] })).toEqual([]);
    });

    it('deploys every planned service and lets the autoscalers own the replica counts', () => {
      expect(deploymentsOf(manifests).map(componentOf).sort()).toEqual(['gateway', ...plannedServices].sort());
      const hpas = ofKind(manifests, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name).sort();
      expect(hpas).toEqual(['prod-mso-platform-billing', 'prod-mso-platform-gateway']);
    });

    it('honours false and minAvailable per service', () => {
      const pdbs = ofKind(manifests, 'PodDisruptionBudget');
      expect(pdbs.find((p) => componentOf(p) === 'tenancy')).toBeUndefined();
      expect(pdbs.find((p) => componentOf(p) === 'billing')!.spec).toMatchObject({ minAvailable: 1 });
      expect(pdbs.find((p) => componentOf(p) === 'billing')!.spec.maxUnavailable).toBeUndefined();
    });

    it('creates no Secret and reads the existing one', () => {
      expect(ofKind(manifests, 'Secret')).toEqual([]);
      for (const d of workloads(manifests)) {
        for (const e of d.spec.template.spec.containers[0].env) if (e.valueFrom) expect(e.valueFrom.secretKeyRef.name).toBe('mso-secrets');
      }
    });

    it('routes the ingress to the gateway Service', () => {
      const ing = ofKind(manifests, 'Ingress')[0]!;
      expect(ing.spec.ingressClassName).toBe('nginx');
      expect(ing.spec.rules[0].http.paths[0].backend.service.name).toBe('prod-mso-platform-gateway');
    });
  });

  it('deploys tenancy whatever its entry says, and only the services switched on', () => {
    const { manifests } = render({ services: { tenancy: { enabled: false }, helpdesk: { enabled: false }, billing: { enabled: false }, finance: { enabled: false }, collections: { enabled: false }, hr: { enabled: true } } });
    expect(deploymentsOf(manifests).map(componentOf).sort()).toEqual(['gateway', 'hr', 'tenancy']);
  });

  it('lists the deployed services in its notes', () => {
    const notes = render().files.get('mso-platform/templates/NOTES.txt')!;
    expect(notes).toContain('tenancy: replicas 2');
    expect(notes).toContain('helpdesk: replicas 1');
    expect(notes).toContain('billing: replicas 2');
    expect(notes).toContain('finance: replicas 1');
    expect(notes).toContain('hr: replicas 1');
    expect(notes).toContain('collections: replicas 1');
  });
});

function serviceDefaultsHave(keys: string[]): boolean {
  return keys.every((k) => k in values.serviceDefaults);
}
