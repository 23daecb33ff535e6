import { boolean, index, integer, jsonb, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { day, hr, ts } from './pg.js';
import { people } from './people.js';

/** A person who renders care for one practice. */
export const providers = hr.table(
  'providers',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    npi: text('npi').notNull(),
    taxonomy: text('taxonomy').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('providers_practice_npi').on(t.practiceId, t.npi)],
);

export const credentials = hr.table(
  'credentials',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    kind: text('kind').notNull(),
    state: text('state'),
    number: text('number'),
    issuer: text('issuer'),
    carrier: text('carrier'),
    limits: jsonb('limits').$type<{ perClaimCents: number; aggregateCents: number }>(),
    issuedOn: day('issued_on').notNull(),
    expiresOn: day('expires_on'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('credentials_provider').on(t.providerId), index('credentials_expiry').on(t.practiceId, t.expiresOn)],
);

export const enrollments = hr.table(
  'enrollments',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    payerId: text('payer_id').notNull(),
    effectiveFrom: day('effective_from').notNull(),
    effectiveTo: day('effective_to'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('enrollments_provider').on(t.providerId)],
);

/**
 * One row per (credential, expiry, threshold) noticed: the key that makes each notice happen once,
 * inserted in the transaction that emits it. `threshold` is days before expiry, 0 for expired. A
 * renewal (a new expiry) arms the notices again. `emitted` is false for thresholds passed over
 * because a tighter one was due at the same run (a credential recorded 20 days before expiry).
 */
export const credentialNotices = hr.table(
  'credential_notices',
  {
    practiceId: uuid('practice_id').notNull(),
    credentialId: uuid('credential_id')
      .notNull()
      .references(() => credentials.id),
    expiresOn: day('expires_on').notNull(),
    threshold: integer('threshold').notNull(),
    emitted: boolean('emitted').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.expiresOn, t.threshold] })],
);
