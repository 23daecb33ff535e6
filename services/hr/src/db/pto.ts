import { bigserial, boolean, index, integer, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { employments } from './people.js';
import { day, hr, ts } from './pg.js';

// Paid time off. Hours are integer hundredths of an hour everywhere (8.25 h = 825). practice_id is
// the employer's practice, NULL for the MSO's own; every table is behind the tenant wall.

/** One policy per employer (`mso` or the practice id) and leave type; it covers all of its employments. */
export const ptoPolicies = hr.table(
  'pto_policies',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    /** `mso` or the practice id: the unique key (practice_id NULL for the MSO would not collide). */
    employer: text('employer').notNull(),
    leaveType: text('leave_type').notNull(),
    name: text('name').notNull(),
    accrualHundredths: integer('accrual_hundredths').notNull(),
    waitingMonths: integer('waiting_months').notNull(),
    waitingDays: integer('waiting_days').notNull(),
    carryOverCapHundredths: integer('carry_over_cap_hundredths'),
    maxBalanceHundredths: integer('max_balance_hundredths'),
    allowNegative: boolean('allow_negative').notNull(),
    active: boolean('active').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('pto_policies_employer_leave_type').on(t.employer, t.leaveType), index('pto_policies_practice').on(t.practiceId)],
);

/** A request for leave: pending, then approved, rejected or cancelled. */
export const ptoRequests = hr.table(
  'pto_requests',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    employmentId: uuid('employment_id')
      .notNull()
      .references(() => employments.id),
    leaveType: text('leave_type').notNull(),
    startDate: day('start_date').notNull(),
    endDate: day('end_date').notNull(),
    hundredths: integer('hundredths').notNull(),
    status: text('status').notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    cancelledAt: ts('cancelled_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('pto_requests_employment').on(t.employmentId, t.leaveType, t.status), index('pto_requests_practice').on(t.practiceId, t.status)],
);

/**
 * The ledger: entries are only ever inserted. A balance is the sum of an employment's entries of a
 * leave type. The unique key (employment, leave type, kind, period) makes the monthly accrual and
 * the year-end forfeit happen once whichever copy runs, however often; (request, kind) one use and
 * one reversal per request. Uses and adjustments have no period (NULLs never collide).
 */
export const ptoEntries = hr.table(
  'pto_entries',
  {
    id: uuid('id').primaryKey(),
    /** Insertion order: the ledger reads oldest first by it. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    practiceId: uuid('practice_id'),
    employmentId: uuid('employment_id')
      .notNull()
      .references(() => employments.id),
    leaveType: text('leave_type').notNull(),
    kind: text('kind').notNull(),
    /** Signed hundredths of an hour. */
    hundredths: integer('hundredths').notNull(),
    entryDate: day('entry_date').notNull(),
    period: text('period'),
    requestId: uuid('request_id').references(() => ptoRequests.id),
    reason: text('reason'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('pto_entries_period').on(t.employmentId, t.leaveType, t.kind, t.period),
    uniqueIndex('pto_entries_request').on(t.requestId, t.kind),
    index('pto_entries_practice').on(t.practiceId),
  ],
);
