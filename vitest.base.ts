import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Shared Vitest settings. Workspace packages are resolved to their TypeScript source through the
 * `@mso/source` export condition, so tests never need a build first. No `module` condition: it makes
 * Vite hand Node the bundler-only ESM build of @opentelemetry/* (extensionless imports).
 */
export const conditions = ['@mso/source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@mso/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // `pnpm test` (scripts/test.mjs) adds up every package's JSON report into one closing line.
    reporters: process.env.MSO_TEST_RESULTS
      ? ['default', ['json', { outputFile: `${process.env.MSO_TEST_RESULTS}/${basename(process.cwd())}.json` }]]
      : ['default'],
  },
});
