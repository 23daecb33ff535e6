import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
// Resolved here: the child runs in a folder of its own, where `tsx` would not resolve.
const tsx = import.meta.resolve('tsx');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs `mso start` in a folder holding the given `.env`, with the given environment on top. */
function startIn(envFile: string | undefined, env: Record<string, string | undefined>) {
  const cwd = mkdtempSync(join(tmpdir(), 'mso-env-'));
  dirs.push(cwd);
  if (envFile !== undefined) writeFileSync(join(cwd, '.env'), envFile);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MSO_') && k !== 'NODE_ENV'));
  return spawnSync(process.execPath, ['--conditions=@mso/source', '--import', tsx, main, 'start'], {
    cwd,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

// Each case starts the CLI from source (every service's code through tsx): slow on a busy machine.
describe('settings from .env', { timeout: 150_000 }, () => {
  it('reads .env in the working directory: production without an admin key refuses to start', () => {
    const run = startIn('NODE_ENV=production\n', {});
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('MSO_ADMIN_KEY is required in production');
  });

  it('lets the environment win over .env', () => {
    const run = startIn('NODE_ENV=production\nMSO_SERVICES=nope\n', { NODE_ENV: 'production', MSO_SERVICES: 'helpdesk,unknown-service' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('unknown-service');
  });
});
