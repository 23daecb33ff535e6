import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformEnvVars, repoRoot } from './files.js';
import { documented, missing } from './roles.js';

const guide = readFileSync(join(repoRoot, 'docs/deploy.md'), 'utf8');

describe('docs/deploy.md', () => {
  it('finds the documented variables in the sources (the scan works)', () => {
    expect(missing(platformEnvVars().keys(), documented)).toEqual([]);
  });

  it('documents every variable the platform reads', () => {
    const named = [...platformEnvVars().keys()].filter((v) => !guide.includes(`\`${v}\``));
    expect(named).toEqual([]);
  });

  it('names the metrics the dashboard queries', () => {
    for (const metric of ['mso_operation_requests_total', 'mso_operation_duration_seconds', 'mso_consumer_lag']) expect(guide).toContain(metric);
  });

  it('links files that exist', () => {
    for (const m of guide.matchAll(/\]\((?!https?:|#)([^)#]+)[^)]*\)/g)) {
      expect(existsSync(join(repoRoot, 'docs', m[1]!)), m[1]).toBe(true);
    }
  });
});
