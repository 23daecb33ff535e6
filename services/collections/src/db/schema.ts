// Collections' tables, one file per part; drizzle-kit reads this file.
export * from './pg.js';
export * from './accounts.js';
export * from './payments.js';
export * from './plans.js';
export * from './write-offs.js';
export * from './statements.js';
export * from './dunning.js';
export * from './agencies.js';
