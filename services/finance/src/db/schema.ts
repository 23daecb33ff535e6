// Finance's tables, one file per part; drizzle-kit reads this file.
export * from './pg.js';
export * from './ledger.js';
export * from './fees.js';
