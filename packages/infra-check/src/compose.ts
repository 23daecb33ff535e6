/** Reading Compose files the way `docker compose config` does, for what the checks need. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraDir, loadYaml } from './files.js';
import type { Obj } from './manifests.js';

export const composeDir = join(infraDir, 'compose');

export function loadCompose(file: string): Obj {
  return loadYaml<Obj>(join(composeDir, file));
}

/** KEY=value lines of an env file (comments and blanks skipped). */
export function readEnvFile(path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

/** Every variable a Compose file interpolates (`${NAME}`, `${NAME:-x}`, `${NAME:?x}`, `$NAME`). */
export function interpolatedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) names.add((m[1] ?? m[2])!);
  return names;
}

/** Compose interpolation of one string against an environment. */
export function interpolate(value: string, env: Map<string, string>): string {
  return value
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string | undefined) => {
      const v = env.get(name);
      const colon = op !== undefined && op.startsWith(':');
      const unsetOrEmpty = v === undefined || (colon && v === '');
      if (op === ':-' || op === '-') return unsetOrEmpty ? (arg ?? '') : v!;
      if (op === ':?' || op === '?') {
        if (unsetOrEmpty) throw new Error(`required variable ${name} is missing: ${arg}`);
        return v!;
      }
      return v ?? '';
    })
    .replace(/\$\$/g, '$');
}

/** A service's environment as a name → value map (list or map form), interpolated. */
export function serviceEnv(service: Obj, env: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  const raw = service.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((e: string) => {
        const i = e.indexOf('=');
        return i === -1 ? [e, env.get(e) ?? ''] : [e.slice(0, i), e.slice(i + 1)];
      })
    : Object.entries(raw);
  for (const [k, v] of entries) out.set(k, interpolate(v === null || v === undefined ? '' : String(v), env));
  return out;
}

/** The .env a user would write: .env.example with the secrets it leaves blank filled in. */
export function exampleEnv(): Map<string, string> {
  const env = readEnvFile(join(composeDir, '.env.example'));
  for (const [k, v] of env) if (v === '' && /KEY|PASSWORD/.test(k)) env.set(k, `test-${k.toLowerCase()}`);
  return env;
}
