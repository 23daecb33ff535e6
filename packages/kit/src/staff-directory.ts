import { asc, eq, inArray, or, sql } from 'drizzle-orm';
import { jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { ProblemError, type DataOf, type EventEnvelope } from '@mso/contracts';
import { staffMemberChanged } from '@mso/contracts/hr';
import type { Clock } from './clock.js';
import { assignmentRefusal, employmentsServing, isPersonId, MSO_EMPLOYER, type StaffEmployment, type StaffMember } from './staff.js';
import { currentTransaction } from './transaction.js';
import type { ConsumerBinding, Db } from './service.js';

/**
 * HR's staff directory, as this service knows it (read-only for service code): who may be assigned
 * the practice's work. Every read takes the practice and the day (`on`, an ISO date: the practice's
 * today in the zone its work is planned in, e.g. `localDate(ctx.clock.now(), agreement.timeZone)`).
 */
export interface StaffDirectory {
  /** The person as HR last announced them (every employment); null when the directory does not know the id. */
  get(personId: string): Promise<StaffMember | null>;
  /** Display names of the given people the directory knows, by person id (ids it does not know are left out). */
  names(personIds: Iterable<string | null | undefined>): Promise<Map<string, string>>;
  /** People who may work for the practice on `on`, by name, each with those employments only (MSO's and the practice's, active that day). */
  assignable(practiceId: string, on: string): Promise<StaffMember[]>;
  /** Why the person may not work for the practice on `on`; null when they may. */
  refusal(personId: string, practiceId: string, on: string): Promise<string | null>;
  /** The person, when they may work for the practice on `on`; otherwise 422 naming `field` (default `/assignee`). */
  requireAssignable(personId: string, practiceId: string, on: string, field?: string): Promise<StaffMember>;
}

/**
 * The kit's copy of HR's staff directory, in the service's own schema (kit migration 0009): one row
 * per person across the MSO and every practice, so it has no `practice_id` and stays outside the
 * tenant wall; reads take the employments of the MSO and of the practice asked about.
 */
export function staffDirectoryTable(schemaName: string) {
  return pgSchema(schemaName).table('mso_staff_members', {
    personId: uuid('person_id').primaryKey(),
    displayName: text('display_name').notNull(),
    employments: jsonb('employments').$type<StaffEmployment[]>().notNull(),
    /** The announcing event's time: an older event arriving late does not undo a newer one. */
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  });
}
export type StaffDirectoryTable = ReturnType<typeof staffDirectoryTable>;

export interface StaffDirectoryDeps {
  table: StaffDirectoryTable;
  db: () => Db;
  clock: Clock;
}

type StaffAnnouncement = EventEnvelope<DataOf<typeof staffMemberChanged>>;

/** Keeps the view from `hr.staff-member.changed` (the latest announcement per person wins) and answers reads of it. */
export class StaffDirectoryStore implements StaffDirectory {
  constructor(private readonly deps: StaffDirectoryDeps) {}

  async get(personId: string): Promise<StaffMember | null> {
    if (!isPersonId(personId)) return null;
    const { table } = this.deps;
    const [row] = await this.reader().select().from(table).where(eq(table.personId, personId.toLowerCase()));
    return row ? toMember(row) : null;
  }

  async names(personIds: Iterable<string | null | undefined>): Promise<Map<string, string>> {
    const ids = [...new Set([...personIds].filter((id): id is string => !!id && isPersonId(id)).map((id) => id.toLowerCase()))];
    if (ids.length === 0) return new Map();
    const { table } = this.deps;
    const rows = await this.reader().select({ personId: table.personId, displayName: table.displayName }).from(table).where(inArray(table.personId, ids));
    return new Map(rows.map((r) => [r.personId, r.displayName]));
  }

  async assignable(practiceId: string, on: string): Promise<StaffMember[]> {
    const { table } = this.deps;
    const employedBy = (employer: string) => sql`${table.employments} @> ${JSON.stringify([{ employer }])}::jsonb`;
    const rows = await this.reader()
      .select()
      .from(table)
      .where(or(employedBy(MSO_EMPLOYER), employedBy(practiceId.toLowerCase())))
      .orderBy(asc(table.displayName), asc(table.personId));
    return rows
      .map(toMember)
      .map((m) => ({ ...m, employments: employmentsServing(m, practiceId, on) }))
      .filter((m) => m.employments.length > 0);
  }

  async refusal(personId: string, practiceId: string, on: string): Promise<string | null> {
    return assignmentRefusal(await this.get(personId), practiceId, on);
  }

  async requireAssignable(personId: string, practiceId: string, on: string, field = '/assignee'): Promise<StaffMember> {
    const member = await this.get(personId);
    const refusal = assignmentRefusal(member, practiceId, on);
    if (refusal || !member) {
      const why = refusal ?? 'not a person in the staff directory';
      throw new ProblemError('unprocessable', `${field.replace(/^\//, '')} cannot work for this practice: ${why}`, [{ path: field, message: why }]);
    }
    return member;
  }

  /**
   * Records the announcement unless a newer one of the person is kept (by event time; the inbox has
   * already dropped a repeated event id). Returns whether the row changed.
   */
  async apply(db: Db, event: StaffAnnouncement): Promise<boolean> {
    const { table, clock } = this.deps;
    const { personId, displayName } = event.data;
    const employments: StaffEmployment[] = event.data.employments.map((e) => ({
      employmentId: e.employmentId,
      employer: e.employer.toLowerCase(),
      title: e.title,
      department: e.department,
      startDate: e.startDate,
      endDate: e.endDate,
    }));
    const changedAt = new Date(event.time);
    const now = clock.now();
    const written = await db
      .insert(table)
      .values({ personId: personId.toLowerCase(), displayName, employments, changedAt, updatedAt: now })
      .onConflictDoUpdate({
        target: table.personId,
        set: { displayName, employments, changedAt, updatedAt: now },
        setWhere: sql`${table.changedAt} <= excluded.changed_at`,
      })
      .returning({ personId: table.personId });
    return written.length > 0;
  }

  /** The open transaction's handle when the caller is in one (PGlite has one connection; see agreements.ts). */
  private reader(): Db {
    return currentTransaction()?.db ?? this.deps.db();
  }
}

const toMember = (row: StaffDirectoryTable['$inferSelect']): StaffMember => ({ personId: row.personId, displayName: row.displayName, employments: row.employments });

/** The consumer the kit registers for a service that declares `staffDirectory`. */
export function staffDirectoryConsumers(store: StaffDirectoryStore): ConsumerBinding[] {
  return [{ event: staffMemberChanged, handler: async (e, ctx) => void (await store.apply(ctx.db, e)) } as ConsumerBinding<typeof staffMemberChanged>] as unknown as ConsumerBinding[];
}

/** The directory of a service that did not declare `staffDirectory`: says how to get one. */
export function undeclaredStaffDirectory(service: string): StaffDirectory {
  const refuse = () => Promise.reject(new Error(`${service}: declare \`staffDirectory: true\` in defineService to read the staff directory`));
  return { get: refuse, names: refuse, assignable: refuse, refusal: refuse, requireAssignable: refuse };
}
