import { bigint, integer, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { fileURLToPath } from 'node:url';
import { migrateService, type Database, type MigrateServiceOptions, type MigrateServiceResult } from '@mso/db';

/**
 * Tables the kit keeps in every service's own schema: the outbox (events written with the state
 * change; commit order per practice, outbox.ts), the inbox (event ids already handled), idempotency
 * records (replies to requests retried with the same key).
 */
export function kitTables(schemaName: string) {
  const schema = pgSchema(schemaName);
  return {
    outbox: schema.table('mso_outbox', {
      seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().primaryKey(),
      id: uuid('id').notNull().unique(),
      subject: text('subject').notNull(),
      envelope: jsonb('envelope').notNull(),
      headers: jsonb('headers').$type<Record<string, string>>().notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
      publishedAt: timestamp('published_at', { withTimezone: true }),
      /** The practice the event is about (null: none); rows written before it existed are null too. */
      practiceId: text('practice_id'),
    }),
    inbox: schema.table(
      'mso_inbox',
      {
        consumer: text('consumer').notNull(),
        eventId: text('event_id').notNull(),
        handledAt: timestamp('handled_at', { withTimezone: true }).notNull(),
      },
      (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
    ),
    // See migrations/0004_idempotency_records.sql and idempotency.ts.
    idempotency: schema.table(
      'mso_idempotency',
      {
        practiceId: text('practice_id').notNull(),
        key: text('key').notNull(),
        operation: text('operation').notNull(),
        fingerprint: text('fingerprint').notNull(),
        owner: text('owner').notNull(),
        lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
        committedAt: timestamp('committed_at', { withTimezone: true }),
        status: integer('status'),
        reply: jsonb('reply'),
        sealedReply: text('sealed_reply'),
        createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
        expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      },
      (t) => [primaryKey({ columns: [t.practiceId, t.key] })],
    ),
  };
}
export type KitTables = ReturnType<typeof kitTables>;

/**
 * The kit's migrations (`packages/kit/migrations`, drizzle-kit's format, hand-written): applied into
 * each service's schema with their own bookkeeping table, before the service's own migrations.
 * The SQL names tables unqualified and the migrator sets `search_path` to the service's schema, so one
 * file (one hash) serves every schema, instead of a schema placeholder substituted into the text.
 */
export const KIT_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));
export const KIT_MIGRATIONS_TABLE = 'mso_kit_migrations';

/** Brings the kit's tables in `schema` up to date (concurrent starts apply each migration once). */
export function migrateKitTables(database: Database, schema: string): Promise<MigrateServiceResult> {
  return migrateService(database, { schema, migrationsFolder: KIT_MIGRATIONS_FOLDER, table: KIT_MIGRATIONS_TABLE });
}

/** The kit's migrations for `schema`, in the shape test databases take (`createTestDatabase({ migrations })`). */
export function kitMigrations(schema: string): MigrateServiceOptions {
  return { schema, migrationsFolder: KIT_MIGRATIONS_FOLDER, table: KIT_MIGRATIONS_TABLE };
}
