import base from '../../vitest.base.ts';

/**
 * The shared `module` condition makes Vite pick `@opentelemetry/api`'s bundler-only ESM build
 * (extensionless imports), which Node cannot load; resolve without it here.
 */
const conditions = ['@mso/source', 'node', 'development|production'];

export default {
  ...base,
  resolve: { ...base.resolve, conditions },
  ssr: { ...base.ssr, resolve: { ...base.ssr?.resolve, conditions } },
};
