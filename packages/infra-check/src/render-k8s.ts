/**
 * Writes infra/k8s/<component>.yaml from the chart's defaults (see k8s.ts). Run after changing the
 * chart: `pnpm --filter @mso/infra-check render:k8s`. The tests fail while the two disagree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { infraDir } from './files.js';
import { plainFileFor, renderPlain, withoutHelmBookkeeping } from './k8s.js';

const byFile = new Map<string, unknown[]>();
for (const manifest of renderPlain().manifests) {
  const file = plainFileFor(manifest);
  byFile.set(file, [...(byFile.get(file) ?? []), withoutHelmBookkeeping(manifest)]);
}
const header = `# MSO Platform, plain Kubernetes manifests: infra/helm/mso-platform rendered with its default values
# for release "mso-platform", the Secret coming from kustomization.yaml (secrets.env).
# Apply with: kubectl apply -k infra/k8s    (docs/deploy.md). Regenerate after a chart change with
# pnpm --filter @mso/infra-check render:k8s
`;
for (const [file, docs] of byFile) {
  const body = docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  writeFileSync(join(infraDir, 'k8s', file), `${header}---\n${body}`);
  process.stdout.write(`infra/k8s/${file}: ${docs.length} object(s)\n`);
}
