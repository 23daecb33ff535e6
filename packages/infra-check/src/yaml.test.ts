import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { helmTemplatesDir, infraDir, infraYamlFiles, listFiles, loadYamlDocuments, rel } from './files.js';

describe('every YAML file under infra/', () => {
  const files = infraYamlFiles();

  it('finds the Compose, observability, chart and Kubernetes files', () => {
    const names = files.map(rel);
    for (const expected of [
      'infra/compose/docker-compose.yml',
      'infra/compose/docker-compose.embedded.yml',
      'infra/compose/otel-collector.yaml',
      'infra/compose/prometheus.yml',
      'infra/grafana/provisioning/datasources/datasources.yaml',
      'infra/helm/mso-platform/Chart.yaml',
      'infra/helm/mso-platform/values.yaml',
      'infra/k8s/kustomization.yaml',
    ]) {
      expect(names).toContain(expected);
    }
  });

  for (const file of files) {
    it(`${rel(file)} parses (every document) without errors, warnings or duplicate keys`, () => {
      const docs = loadYamlDocuments(file);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) expect(typeof doc).toBe('object');
    });
  }

  it('reads multi-document files as several documents', () => {
    const multi = files.filter((f) => parseAllDocuments(readFileSync(f, 'utf8')).length > 1);
    expect(multi.map(rel)).toContain('infra/k8s/gateway.yaml');
    expect(loadYamlDocuments(multi.find((f) => f.endsWith('k8s/gateway.yaml'))!).length).toBe(3);
  });

  it('keeps Helm templates out of the plain YAML set (they are checked rendered)', () => {
    const templates = listFiles(helmTemplatesDir);
    expect(templates.length).toBeGreaterThan(0);
    expect(files.some((f) => f.startsWith(helmTemplatesDir))).toBe(false);
    expect(infraDir).toBeTruthy();
  });
});
