/**
 * A small renderer for the Helm chart in infra/helm, so the tests can check what the chart produces
 * without the helm binary. It implements the Go template language (actions, pipelines, variables,
 * if/else/with/range/define/include, whitespace trimming) and the Helm/Sprig functions the chart
 * uses. A function it does not know is an error, not a silent pass: add it to helm-functions.ts
 * when the chart starts using it. The parts: helm-parse.ts (lexer, pipelines, node tree),
 * helm-values.ts (truth, printing, fields, merging), helm-functions.ts, helm-eval.ts (evaluation).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { type ChartContext, Renderer } from './helm-eval.js';
import type { Dict, Value } from './helm-parse.js';
import { deepCopy, isDict } from './helm-values.js';

export type { ChartContext } from './helm-eval.js';
export { truthy } from './helm-values.js';

// ---------------------------------------------------------------------------------------------
// The chart.

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Merged over values.yaml, like `--values` / `--set`. */
  values?: Dict;
}

export interface RenderedChart {
  /** Rendered text per template file (templates/NOTES.txt included). */
  files: Map<string, string>;
  /** Every manifest, in file order. */
  manifests: Dict[];
  values: Dict;
}

function overlay(base: Dict, over: Dict): Dict {
  const out = deepCopy(base);
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    if (isDict(existing) && isDict(value)) out[key] = overlay(existing, value);
    else out[key] = deepCopy(value);
  }
  return out;
}

/** `helm template <release> <chartDir> --namespace <ns> --values <values>` for this chart. */
export function renderChart(chartDir: string, options: RenderOptions = {}): RenderedChart {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Dict;
  const defaults = (parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Dict;
  const values = overlay(defaults, options.values ?? {});
  const templatesDir = join(chartDir, 'templates');
  const sources = new Map<string, string>();
  for (const file of readdirSync(templatesDir).sort()) {
    sources.set(`${chart.name as string}/templates/${file}`, readFileSync(join(templatesDir, file), 'utf8'));
  }
  const renderer = new Renderer(sources);
  const top: ChartContext = {
    Values: values,
    Release: { Name: options.releaseName ?? 'release-name', Namespace: options.namespace ?? 'default', Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { ...chart, Name: chart.name as string, Version: chart.version as string, AppVersion: String(chart.appVersion ?? '') },
    Capabilities: { KubeVersion: { Version: 'v1.30.0', Major: '1', Minor: '30' }, APIVersions: [] },
    Template: { Name: '', BasePath: `${chart.name as string}/templates` },
  };
  const files = new Map<string, string>();
  const manifests: Dict[] = [];
  for (const name of sources.keys()) {
    const base = name.split('/').pop()!;
    if (base.startsWith('_')) continue;
    const text = renderer.renderFile(name, top);
    files.set(name, text);
    if (!/\.ya?ml$/.test(base)) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${name}: rendered YAML is invalid: ${doc.errors[0]!.message}\n${text}`);
      const obj = doc.toJS() as Value;
      if (obj === null || obj === undefined) continue;
      if (!isDict(obj)) throw new Error(`${name}: a rendered document is not a mapping`);
      manifests.push(obj);
    }
  }
  return { files, manifests, values };
}
