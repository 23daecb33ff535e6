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
    /** IANA zone named by the agreement; null: the default zone of the practice's state. */
    timeZone: text('time_zone'),
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

/**
 * PHI access records of every service (from their `<service>.audit.recorded` events). Append-only: a
 * trigger refuses UPDATE, and DELETE of rows younger than the 6-year HIPAA retention.
 */
export const auditEvents = tenancy.table(
  'audit_events',
  {
    id: uuid('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    service: text('service').notNull(),
    operation: text('operation').notNull(),
    access: text('access').notNull(),
    principalId: text('principal_id').notNull(),
    principalRole: text('principal_role').notNull(),
    practiceId: text('practice_id'),
    resourceIds: text('resource_ids').array().notNull(),
    outcome: text('outcome').notNull(),
    problemCode: text('problem_code'),
    traceId: text('trace_id'),
    /** Why the MSO-wide path was used (access `across-practices`); null for PHI access records. */
    reason: text('reason'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('audit_events_practice_at').on(t.practiceId, t.at, t.id), index('audit_events_at').on(t.at, t.id)],
);

/** Where a practice sees patients. */
export const locations = tenancy.table(
  'locations',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull().references(() => practices.id),
    name: text('name').notNull(),
    line1: text('line1').notNull(),
    city: text('city').notNull(),
    state: text('state').notNull(),
    postalCode: text('postal_code').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('locations_practice').on(t.practiceId, t.createdAt)],
);
