import { date, index, integer, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Fee } from '@mso/contracts/tenancy';

export const tenancy = pgSchema('tenancy');

export const practices = tenancy.table('practices', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  npi: text('npi').notNull().unique(),
  taxId: text('tax_id').notNull(),
  state: text('state').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** Agreements are versioned and never updated in place: a change adds a version. */
export const agreements = tenancy.table(
  'agreements',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull().references(() => practices.id),
    version: integer('version').notNull(),
    model: text('model').notNull(),
    services: text('services').array().notNull(),
    fees: jsonb('fees').$type<Fee[]>().notNull(),
    ownership: jsonb('ownership').$type<{ party: string; percent: number }[]>().notNull(),
    terms: jsonb('terms').$type<Record<string, unknown>>().notNull(),
    effectiveFrom: date('effective_from').notNull(),
    effectiveTo: date('effective_to'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('agreements_practice_version').on(t.practiceId, t.version)],
);

export const apiKeys = tenancy.table('api_keys', {
  id: uuid('id').primaryKey(),
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  keyHash: text('key_hash').notNull().unique(),
  role: text('role').notNull(),
  label: text('label').notNull(),
  practiceId: uuid('practice_id').references(() => practices.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});
