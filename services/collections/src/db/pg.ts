import { bigint, date, pgSchema, timestamp } from 'drizzle-orm/pg-core';

/** Collections' own PostgreSQL schema: it reads and writes nothing else. */
export const collections = pgSchema('collections');

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const day = (name: string) => date(name, { mode: 'string' });
/** Money: integer cents in a bigint, read as a JS number (safe to 2^53 cents). */
export const cents = (name: string) => bigint(name, { mode: 'number' });
