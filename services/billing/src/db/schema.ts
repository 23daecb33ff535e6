// Billing's tables, one file per part of the revenue cycle; drizzle-kit reads this file.
export * from './pg.js';
export * from './master-data.js';
export * from './claims.js';
export * from './edi.js';
export * from './remittances.js';
export * from './work.js';
export * from './credentials.js';
