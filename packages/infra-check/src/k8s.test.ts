import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvFile } from './compose.js';
import { dockerfileRuntime, infraDir, loadYaml, loadYamlDocuments, platformEnvVars, shippedServices } from './files.js';
import { plainFileFor, renderPlain, withoutHelmBookkeeping } from './k8s.js';
import { containerEnvNames, manifestProblems, ofKind, referenceProblems, workloads, type Obj } from './manifests.js';
import { missing } from './roles.js';

const dir = join(infraDir, 'k8s');
const kustomization = loadYaml<Obj>(join(dir, 'kustomization.yaml'));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
const objects = files.flatMap((f) => loadYamlDocuments(join(dir, f)) as Obj[]);
const generatedSecrets = (kustomization.secretGenerator ?? []).map((s: Obj) => s.name as string);

describe('plain Kubernetes manifests infra/k8s', () => {
  it('gives every object an apiVersion, a kind and a metadata.name, with valid labels and selectors', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap(manifestProblems)).toEqual([]);
  });

  it('has Services, PDBs and references that resolve (the Secret comes from the secretGenerator)', () => {
    expect(referenceProblems(objects, { externalSecrets: generatedSecrets })).toEqual([]);
  });

  it('lists exactly its manifest files in kustomization.yaml', () => {
    expect([...kustomization.resources].sort()).toEqual(files);
  });

  it('documents every key the Deployments read from the generated Secret', () => {
    const example = readEnvFile(join(dir, 'secrets.env.example'));
    for (const gen of kustomization.secretGenerator) for (const env of gen.envs) expect(existsSync(join(dir, `${env}.example`)), env).toBe(true);
    const keys = workloads(objects).flatMap((w) => w.spec.template.spec.containers.flatMap((c: Obj) => (c.env ?? []).map((e: Obj) => e.valueFrom?.secretKeyRef?.key).filter(Boolean)));
    expect(missing(example.keys(), keys)).toEqual([]);
  });

  it('deploys the gateway and one Deployment per service the image ships', () => {
    const components = ofKind(objects, 'Deployment').map((d) => d.metadata.labels['app.kubernetes.io/component']);
    expect(components).toContain('gateway');
    expect(missing(components, shippedServices())).toEqual([]);
  });

  it('sets every variable the platform reads', () => {
    const union = new Set(Object.keys(dockerfileRuntime().env));
    for (const w of workloads(objects)) for (const c of w.spec.template.spec.containers) containerEnvNames(objects, c).forEach((v) => union.add(v));
    expect(missing(union, platformEnvVars().keys())).toEqual([]);
  });

  it('is the Helm chart rendered with its defaults (regenerate: pnpm --filter @mso/infra-check render:k8s)', () => {
    const rendered = (renderPlain().manifests as Obj[]).map(withoutHelmBookkeeping);
    const key = (o: Obj) => `${plainFileFor(o)} ${o.kind}/${o.metadata.name}`;
    const want = new Map(rendered.map((o) => [key(o), o]));
    const have = new Map(objects.map((o) => [key(o), o]));
    expect([...have.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, o] of want) expect(have.get(k), k).toEqual(o);
  });
});
