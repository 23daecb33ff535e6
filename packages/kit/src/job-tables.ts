import { customType, integer, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** `bytea` as bytes (postgres.js reads a Buffer, PGlite a Uint8Array: both are Uint8Arrays). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
});

/**
 * The kit's tables for work that outlives a request, in every service's own schema (created by
 * migrations/0002_schedules_and_async_jobs.sql):
 * - `mso_schedule`: one row per scheduled job key (`<job>` or `<job>:<practice>`): the fire time last
 *   claimed (the cursor that makes each fire run once across copies), the run being attempted or
 *   waiting for its retry, its lease, and what ops want to see (last run, last success, failures).
 * - `mso_async_jobs`: one row per async operation call: input (and raw body, until the job ends),
 *   status, progress, result or problem, attempts and the lease of the copy running it.
 */
export function jobTables(schemaName: string) {
  const schema = pgSchema(schemaName);
  const ts = (name: string) => timestamp(name, { withTimezone: true });
  return {
    schedule: schema.table('mso_schedule', {
      key: text('key').primaryKey(),
      job: text('job').notNull(),
      practiceId: text('practice_id'),
      lastFire: ts('last_fire'),
      pendingFire: ts('pending_fire'),
      attempts: integer('attempts').notNull().default(0),
      retryAt: ts('retry_at'),
      leaseOwner: text('lease_owner'),
      leaseUntil: ts('lease_until'),
      lastRunAt: ts('last_run_at'),
      lastSuccessAt: ts('last_success_at'),
      lastErrorCode: text('last_error_code'),
      consecutiveFailures: integer('consecutive_failures').notNull().default(0),
      nextRunAt: ts('next_run_at'),
    }),
    asyncJobs: schema.table('mso_async_jobs', {
      id: uuid('id').primaryKey(),
      practiceId: text('practice_id'),
      operation: text('operation').notNull(),
      input: jsonb('input').notNull(),
      /** The call's raw body (`http.body` operations), kept until the job ends (migration 0007). */
      body: bytea('body'),
      bodyMediaType: text('body_media_type'),
      principal: jsonb('principal').notNull(),
      status: text('status').$type<'queued' | 'running' | 'succeeded' | 'failed'>().notNull(),
      progressDone: integer('progress_done').notNull().default(0),
      progressTotal: integer('progress_total').notNull().default(0),
      result: jsonb('result'),
      problem: jsonb('problem'),
      attempts: integer('attempts').notNull().default(0),
      leaseOwner: text('lease_owner'),
      leaseUntil: ts('lease_until'),
      createdAt: ts('created_at').notNull(),
      startedAt: ts('started_at'),
      updatedAt: ts('updated_at').notNull(),
      finishedAt: ts('finished_at'),
    }),
  };
}
export type JobTables = ReturnType<typeof jobTables>;
