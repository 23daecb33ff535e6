// HR's tables, one file per part; drizzle-kit reads this file.
export * from './pg.js';
export * from './people.js';
export * from './providers.js';
export * from './pto.js';
export * from './tasks.js';
export * from './payroll.js';
export * from './onboarding.js';
