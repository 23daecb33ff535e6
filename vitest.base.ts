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
  },
});
