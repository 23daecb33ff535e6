import { bigint, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import type { Db } from './service.js';

/**
 * Tables the kit keeps in every service's own schema: the outbox (events written with the state
 * change), the inbox (event ids already handled), job ticks (one run per tick across copies) and
 * idempotency records (replies to requests retried with the same key).
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
    jobs: schema.table('mso_jobs', {
      name: text('name').primaryKey(),
      lastTick: bigint('last_tick', { mode: 'number' }).notNull(),
      ranAt: timestamp('ran_at', { withTimezone: true }).notNull(),
    }),
    idempotency: schema.table(
      'mso_idempotency',
      {
        practiceId: text('practice_id').notNull(),
        operation: text('operation').notNull(),
        key: text('key').notNull(),
        status: bigint('status', { mode: 'number' }).notNull(),
        reply: jsonb('reply').notNull(),
        createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
      },
      (t) => [primaryKey({ columns: [t.practiceId, t.operation, t.key] })],
    ),
  };
}
export type KitTables = ReturnType<typeof kitTables>;

/** Idempotent DDL for the kit tables; run under the service's migration lock. */
export async function ensureKitTables(db: Db, schemaName: string): Promise<void> {
  const s = `"${schemaName.replace(/"/g, '')}"`;
  const ddl = `
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.mso_outbox (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      subject text NOT NULL,
      envelope jsonb NOT NULL,
      headers jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      published_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS mso_outbox_unpublished ON ${s}.mso_outbox (seq) WHERE published_at IS NULL;
    CREATE TABLE IF NOT EXISTS ${s}.mso_inbox (
      consumer text NOT NULL,
      event_id text NOT NULL,
      handled_at timestamptz NOT NULL,
      PRIMARY KEY (consumer, event_id)
    );
    CREATE TABLE IF NOT EXISTS ${s}.mso_jobs (
      name text PRIMARY KEY,
      last_tick bigint NOT NULL,
      ran_at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.mso_idempotency (
      practice_id text NOT NULL,
      operation text NOT NULL,
      key text NOT NULL,
      status bigint NOT NULL,
      reply jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (practice_id, operation, key)
    );
  `;
  // One statement at a time: the extended query protocol refuses several in one.
  for (const statement of ddl.split(';').map((x) => x.trim()).filter(Boolean)) {
    await db.execute(sql.raw(statement));
  }
}
