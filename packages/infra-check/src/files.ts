/** Paths, YAML loading and facts read from the platform's own sources. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const infraDir = join(repoRoot, 'infra');
export const helmTemplatesDir = join(infraDir, 'helm/mso-platform/templates');

export function listFiles(dir: string, keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry === 'node_modules') continue;
      out.push(...listFiles(path, keep));
    } else if (keep(path)) {
      out.push(path);
    }
  }
  return out;
}

/** Every YAML file under infra/ except Helm templates (Go templates, not YAML until rendered). */
export function infraYamlFiles(): string[] {
  return listFiles(infraDir, (p) => /\.ya?ml$/.test(p) && !p.startsWith(helmTemplatesDir));
}

export const rel = (path: string) => relative(repoRoot, path);

/** All documents of a YAML file, as plain values; a syntax error or warning throws. */
export function loadYamlDocuments(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const doc of list) {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw new Error(`${rel(path)}: ${problem.message}`);
    const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

export function loadYaml<T = Record<string, unknown>>(path: string): T {
  const docs = loadYamlDocuments(path);
  if (docs.length !== 1) throw new Error(`${rel(path)}: expected one YAML document, found ${docs.length}`);
  return docs[0] as T;
}

/** Service ids the CLI ships, read from apps/cli/src/services.ts (`allServices = [tenancy, helpdesk, billing, finance, hr, collections]`). */
export function shippedServices(): string[] {
  const source = readFileSync(join(repoRoot, 'apps/cli/src/services.ts'), 'utf8');
  const list = /allServices[^=]*=\s*\[([^\]]*)\]/.exec(source);
  if (!list) throw new Error('apps/cli/src/services.ts: cannot find the allServices list');
  const ids = list[1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Each entry is the service's export, imported from @mso/service-<id>.
  return ids.map((name) => {
    const from = new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'@mso/service-([a-z0-9-]+)'`).exec(source);
    if (!from) throw new Error(`apps/cli/src/services.ts: cannot find where ${name} is imported from`);
    return from[1]!;
  });
}

/** The services DESIGN.md plans: the control plane and the five back-office services. */
export const plannedServices = ['tenancy', 'billing', 'collections', 'hr', 'helpdesk', 'finance'] as const;

/**
 * CLI commands that are clients of a running platform, not part of it: what they read from the
 * environment (the platform's URL, an API key, a practice id) belongs to the person or script running
 * them, never to a gateway or service container, so no deployment file may set it (a container must
 * not hold an API key). They are documented under the CLI in docs/deploy.md instead.
 */
export const clientCommandFiles = ['apps/cli/src/job-wait.ts'];

/**
 * Environment variables the platform reads at run time: `env.NAME` / `process.env.NAME` in the
 * non-test sources of apps, packages and services (test helpers, TEST_* variables, the fault runs'
 * harness and the CLI's client commands aside).
 */
export function platformEnvVars(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const roots = ['apps', 'packages', 'services'].map((d) => join(repoRoot, d));
  for (const root of roots) {
    const files = listFiles(root, (p) => {
      const r = relative(repoRoot, p);
      return (
        r.endsWith('.ts') &&
        !r.endsWith('.d.ts') &&
        /\/src\//.test(r) &&
        !/\.(int\.)?test\.ts$/.test(r) &&
        !/(^|\/)(testing|bench|test)(\/|\.ts$)/.test(r) &&
        !r.startsWith('packages/testing/') &&
        !r.startsWith('packages/infra-check/') &&
        !r.startsWith('apps/cli/src/faults/') &&
        !clientCommandFiles.includes(r)
      );
    });
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\benv(?:\?)?\.([A-Z][A-Z0-9_]+)\b|\benv\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]/g)) {
        const name = (m[1] ?? m[2])!;
        if (name.startsWith('TEST_')) continue;
        found.set(name, [...(found.get(name) ?? []), rel(file)]);
      }
    }
  }
  return found;
}

/** `ENV` settings of the Dockerfile's final stage. */
export function dockerfileRuntime(): { env: Record<string, string>; user: string | undefined; entrypoint: unknown; cmd: unknown; from: string[] } {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const from: string[] = [];
  let env: Record<string, string> = {};
  let user: string | undefined;
  let entrypoint: unknown;
  let cmd: unknown;
  for (const line of lines) {
    const [instruction, ...restWords] = line.split(/\s+/);
    const rest = restWords.join(' ');
    switch (instruction!.toUpperCase()) {
      case 'ARG': {
        const [k, v] = rest.split('=');
        if (v !== undefined && !(k! in args)) args[k!] = v;
        break;
      }
      case 'FROM':
        from.push(rest.replace(/\$\{(\w+)\}/g, (_m, k: string) => args[k] ?? ''));
        env = {};
        user = undefined;
        break;
      case 'ENV':
        for (const m of rest.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
        break;
      case 'USER':
        user = rest;
        break;
      case 'ENTRYPOINT':
        entrypoint = JSON.parse(rest);
        break;
      case 'CMD':
        cmd = JSON.parse(rest);
        break;
    }
  }
  return { env, user, entrypoint, cmd, from };
}
