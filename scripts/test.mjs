#!/usr/bin/env node
// `pnpm test`: lint, type-check, then every package's tests (integration tests against the running
// PostgreSQL and NATS), and one closing line with the totals of all packages.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, '.test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, MSO_TEST_RESULTS: results } }).status ?? 1;

// Every step runs even when an earlier one failed, so one CI run reports everything that is wrong.
const steps = [
  run('pnpm', ['exec', 'eslint', '.']),
  run('pnpm', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']),
  run('pnpm', ['exec', 'turbo', 'run', 'test', '--concurrency=2', '--continue']),
];
const status = steps.find((s) => s !== 0) ?? 0;

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of readdirSync(results).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(results, file), 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(status !== 0 ? status : failed > 0 || passed === 0 ? 1 : 0);
