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

let status = run('pnpm', ['exec', 'eslint', '.']);
if (status === 0) status = run('pnpm', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']);
if (status === 0) status = run('pnpm', ['exec', 'turbo', 'run', 'test', '--concurrency=2', '--continue']);

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
