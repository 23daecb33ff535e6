import { defineConfig, mergeConfig } from 'vitest/config';
import base, { conditions } from '../../vitest.base.ts';

// The shared `module` condition makes Vite hand Node the `build/esm` entry of @opentelemetry/*, whose
// extensionless imports Node cannot load; this package resolves those packages without it.
const nodeConditions = conditions.filter((c) => c !== 'module');

export default mergeConfig(
  { ...base, resolve: {}, ssr: {} },
  defineConfig({
    resolve: { conditions: nodeConditions },
    ssr: { resolve: { conditions: nodeConditions, externalConditions: ['@mso/source'] } },
  }),
);
