import { index, integer, jsonb, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cents, day, hr, ts } from './pg.js';

export interface AddressValue {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postalCode: string;
}

/**
 * One row per human, whoever employs them: no practice_id, so no tenant wall of its own. A practice
 * reaches a person only through one of its own employments (walled), never by this table alone.
 * The SSN is kept as its last four digits and a keyed hash (HMAC-SHA256), enough to match and show.
 */
export const people = hr.table(
  'people',
  {
    id: uuid('id').primaryKey(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email'),
    ssnLast4: text('ssn_last4').notNull(),
    ssnHash: text('ssn_hash').notNull(),
    dateOfBirth: day('date_of_birth').notNull(),
    homeAddress: jsonb('home_address').$type<AddressValue>(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('people_ssn_hash').on(t.ssnHash), index('people_name').on(t.lastName, t.firstName, t.id)],
);

/** An employment: practice_id NULL for the MSO's own staff. */
export const employments = hr.table(
  'employments',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    title: text('title').notNull(),
    department: text('department').notNull(),
    /** FTE in hundredths (1.00 = 100). */
    fteHundredths: integer('fte_hundredths').notNull(),
    payBasis: text('pay_basis').notNull(),
    payCents: cents('pay_cents').notNull(),
    startDate: day('start_date').notNull(),
    endDate: day('end_date'),
    managerId: uuid('manager_id').references(() => people.id),
    allocations: jsonb('allocations').$type<{ practiceId: string; percent: number }[]>().notNull(),
    systems: jsonb('systems').$type<string[]>().notNull().default([]),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('employments_person').on(t.personId), index('employments_practice').on(t.practiceId)],
);
