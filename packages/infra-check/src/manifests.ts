/** Structural checks for Kubernetes objects, shared by the Helm and plain-manifest tests. */

// Manifests are free-form YAML; the checks below read them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Problems with one object: identity, names, labels, and a workload's selector against its pods. */
export function manifestProblems(m: Obj): string[] {
  const problems: string[] = [];
  const id = `${m?.kind ?? '?'}/${m?.metadata?.name ?? '?'}`;
  if (typeof m?.apiVersion !== 'string' || !m.apiVersion) problems.push(`${id}: no apiVersion`);
  if (typeof m?.kind !== 'string' || !m.kind) problems.push(`${id}: no kind`);
  const name = m?.metadata?.name;
  if (typeof name !== 'string' || !name) problems.push(`${id}: no metadata.name`);
  else if (name.length > 253 || !dnsSubdomain.test(name)) problems.push(`${id}: metadata.name is not a DNS subdomain`);
  problems.push(...labelProblems(`${id} metadata.labels`, m?.metadata?.labels));
  if (workloadKinds.has(m?.kind)) {
    const selector = m.spec?.selector?.matchLabels;
    const podLabels = m.spec?.template?.metadata?.labels;
    if (!selector || !Object.keys(selector).length) problems.push(`${id}: no spec.selector.matchLabels`);
    else if (!matches(selector, podLabels)) problems.push(`${id}: selector ${JSON.stringify(selector)} does not match its pod labels ${JSON.stringify(podLabels)}`);
    problems.push(...labelProblems(`${id} pod labels`, podLabels), ...labelProblems(`${id} selector`, selector));
    const containers = m.spec?.template?.spec?.containers;
    if (!Array.isArray(containers) || !containers.length) problems.push(`${id}: no containers`);
    for (const c of containers ?? []) {
      if (!c.name || !c.image) problems.push(`${id}: a container without name or image`);
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const port = c[probe]?.httpGet?.port;
        if (typeof port === 'string' && !(c.ports ?? []).some((p: Obj) => p.name === port)) problems.push(`${id}: ${probe} uses port "${port}" the container does not name`);
      }
    }
    if (m.spec?.replicas !== undefined && (!Number.isInteger(m.spec.replicas) || m.spec.replicas < 1)) problems.push(`${id}: replicas must be a positive integer`);
  }
  if (m?.kind === 'PodDisruptionBudget') {
    const spec = m.spec ?? {};
    if ((spec.minAvailable === undefined) === (spec.maxUnavailable === undefined)) problems.push(`${id}: set exactly one of minAvailable and maxUnavailable`);
    if (!spec.selector?.matchLabels) problems.push(`${id}: no selector`);
  }
  if (m?.kind === 'Service' && !m.spec?.selector) problems.push(`${id}: no selector`);
  return problems;
}

function labelProblems(where: string, labels: unknown): string[] {
  if (labels === undefined) return [];
  if (typeof labels !== 'object' || labels === null) return [`${where}: not a map`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const [prefix, name] = key.includes('/') ? key.split('/', 2) : [undefined, key];
    if ((prefix !== undefined && !dnsSubdomain.test(prefix)) || !name || name.length > 63 || !labelName.test(name)) problems.push(`${where}: bad label key ${key}`);
    if (typeof value !== 'string' || value.length > 63 || !labelValue.test(value)) problems.push(`${where}: bad value for ${key}: ${JSON.stringify(value)}`);
  }
  return problems;
}

/** Does a selector (matchLabels) select pods with these labels? */
export function matches(selector: Obj | undefined, labels: Obj | undefined): boolean {
  if (!selector || !Object.keys(selector).length) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export const workloads = (objects: Obj[]) => objects.filter((o) => workloadKinds.has(o.kind));
export const ofKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);
export const named = (objects: Obj[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

/** Cross-object problems: Services, PDBs and HPAs point at workloads that exist; refs resolve. */
export function referenceProblems(objects: Obj[], options: { externalSecrets?: string[] } = {}): string[] {
  const problems: string[] = [];
  const pods = workloads(objects);
  for (const svc of ofKind(objects, 'Service')) {
    const selected = pods.filter((w) => matches(svc.spec.selector, w.spec.template.metadata.labels));
    if (!selected.length) problems.push(`Service/${svc.metadata.name}: selects no workload's pods`);
    for (const port of svc.spec.ports ?? []) {
      if (typeof port.targetPort !== 'string') continue;
      const named = selected.some((w) => w.spec.template.spec.containers.some((c: Obj) => (c.ports ?? []).some((p: Obj) => p.name === port.targetPort)));
      if (!named) problems.push(`Service/${svc.metadata.name}: targetPort "${port.targetPort}" is no container port of the selected pods`);
    }
  }
  for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
    if (!pods.some((w) => matches(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels))) problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no workload's pods`);
  }
  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const target = named(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
    if (!target) problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: no ${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`);
    else if (target.spec.replicas !== undefined) problems.push(`${target.kind}/${target.metadata.name}: sets replicas although an autoscaler owns it`);
  }
  for (const ing of ofKind(objects, 'Ingress')) {
    for (const rule of ing.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const svc = named(objects, 'Service', path.backend.service.name);
        if (!svc) problems.push(`Ingress/${ing.metadata.name}: no Service/${path.backend.service.name}`);
        else if (path.backend.service.port.name && !svc.spec.ports.some((p: Obj) => p.name === path.backend.service.port.name)) problems.push(`Ingress/${ing.metadata.name}: Service/${svc.metadata.name} has no port "${path.backend.service.port.name}"`);
      }
    }
  }
  const secrets = new Set([...ofKind(objects, 'Secret').map((s) => s.metadata.name), ...(options.externalSecrets ?? [])]);
  for (const w of pods) {
    const spec = w.spec.template.spec;
    const sa = spec.serviceAccountName;
    if (sa && sa !== 'default' && !named(objects, 'ServiceAccount', sa)) problems.push(`${w.kind}/${w.metadata.name}: no ServiceAccount/${sa}`);
    const volumes = new Set((spec.volumes ?? []).map((v: Obj) => v.name));
    for (const c of spec.containers) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !named(objects, 'ConfigMap', from.configMapRef.name)) problems.push(`${w.kind}/${w.metadata.name}: no ConfigMap/${from.configMapRef.name}`);
        if (from.secretRef && !secrets.has(from.secretRef.name)) problems.push(`${w.kind}/${w.metadata.name}: no Secret/${from.secretRef.name}`);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !secrets.has(ref.name)) problems.push(`${w.kind}/${w.metadata.name}: ${e.name} reads a missing Secret/${ref.name}`);
        const secret = ref && named(objects, 'Secret', ref.name);
        if (secret && !(ref.key in { ...secret.stringData, ...secret.data })) problems.push(`${w.kind}/${w.metadata.name}: Secret/${ref.name} has no key ${ref.key}`);
      }
      for (const mount of c.volumeMounts ?? []) if (!volumes.has(mount.name)) problems.push(`${w.kind}/${w.metadata.name}: mounts undeclared volume ${mount.name}`);
    }
  }
  return problems;
}

/** Environment variable names one container gets (its env, and every key of the ConfigMaps it loads). */
export function containerEnvNames(objects: Obj[], container: Obj): Set<string> {
  const names = new Set<string>((container.env ?? []).map((e: Obj) => e.name));
  for (const from of container.envFrom ?? []) {
    const cm = from.configMapRef && named(objects, 'ConfigMap', from.configMapRef.name);
    for (const key of Object.keys(cm?.data ?? {})) names.add(key);
  }
  return names;
}

/** The value a container sees for a variable, when it is a literal or comes from a ConfigMap. */
export function containerEnvValue(objects: Obj[], container: Obj, name: string): string | undefined {
  const direct = (container.env ?? []).find((e: Obj) => e.name === name);
  if (direct) return direct.value;
  for (const from of container.envFrom ?? []) {
    const cm = from.configMapRef && named(objects, 'ConfigMap', from.configMapRef.name);
    if (cm?.data && name in cm.data) return cm.data[name];
  }
  return undefined;
}
