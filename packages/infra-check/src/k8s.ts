/**
 * The plain manifests in infra/k8s are the chart's defaults rendered for release `mso-platform`, with
 * the Secret supplied by kustomize's secretGenerator (so `secrets.existingSecret=mso-platform`), and
 * without Helm's own bookkeeping (chart label, managed-by label, checksum annotations).
 */
import { join } from 'node:path';
import { renderChart, type RenderedChart } from './helm.js';
import { infraDir } from './files.js';

export const plainRelease = 'mso-platform';
export const plainValues = { secrets: { existingSecret: 'mso-platform' } };

type Dict = Record<string, unknown>;

/** Drops what only Helm needs, so a rendered object and its plain manifest compare equal. */
export function withoutHelmBookkeeping<T>(value: T): T {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Dict;
    for (const key of ['labels', 'annotations']) {
      const map = obj[key] as Dict | undefined;
      if (map && typeof map === 'object') {
        for (const k of Object.keys(map)) {
          if (k === 'helm.sh/chart' || k === 'app.kubernetes.io/managed-by' || k.startsWith('checksum/')) delete map[k];
        }
        if (!Object.keys(map).length) delete obj[key];
      }
    }
    Object.values(obj).forEach(visit);
  };
  visit(copy);
  return copy as T;
}

export function renderPlain(): RenderedChart {
  return renderChart(join(infraDir, 'helm/mso-platform'), { releaseName: plainRelease, values: plainValues });
}

/** Which file of infra/k8s holds an object: one per component, shared objects on their own. */
export function plainFileFor(manifest: Dict): string {
  const component = ((manifest.metadata as Dict).labels as Dict | undefined)?.['app.kubernetes.io/component'];
  if (typeof component === 'string') return `${component}.yaml`;
  return `${String(manifest.kind).toLowerCase()}.yaml`;
}
