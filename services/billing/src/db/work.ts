import { index, integer, jsonb, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { billing, cents, day, ts } from './pg.js';
import { claimAdjudications, claimLines, claims } from './claims.js';

// Work queues: what a biller follows up (denials, claims the payer never answered) and the
// timely-filing deadlines the follow-up job keeps. Rows are derived from claims and postings; the
// biller's part (assignee, follow-up date, notes, the action taken) lives only here.

export interface WorkNote {
  at: string;
  by: string;
  text: string;
}

/** A denial code as the posting carried it (CARC with its group); descriptions come from the code table. */
export interface DeniedAdjustment {
  group: string;
  reason: string;
  amountCents: number;
}

/**
 * One denied (or partly denied) claim line of one posting, or the claim itself when the payer denied
 * it without line detail (`line_id` null). A posting that is reversed, or a line a later posting pays,
 * resolves the item.
 */
export const denialItems = billing.table(
  'denial_items',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    lineId: uuid('line_id').references(() => claimLines.id),
    /** '' for a claim-level denial: the unique key needs a value. */
    lineKey: text('line_key').notNull(),
    adjudicationId: uuid('adjudication_id')
      .notNull()
      .references(() => claimAdjudications.id),
    /** The posting's payment date: when the payer denied it. */
    deniedOn: day('denied_on').notNull(),
    deniedCents: cents('denied_cents').notNull(),
    adjustments: jsonb('adjustments').$type<DeniedAdjustment[]>().notNull(),
    /** RARC (remark) codes of the line and of the claim. */
    remarks: jsonb('remarks').$type<string[]>().notNull(),
    /** open → appealed | resubmitted | written-off; any but written-off → resolved when the payer pays or the posting is reversed. */
    status: text('status').notNull(),
    /** The person working the item: an HR person id of the kit's staff directory (`ctx.staff`). */
    assigneeId: uuid('assignee_id'),
    /** The free-text assignee of items from before assignees were people; cleared by the next assignment. */
    assigneeLabel: text('assignee_label'),
    followUpOn: day('follow_up_on'),
    appealDeadline: day('appeal_deadline'),
    appealedAt: ts('appealed_at'),
    resubmittedAt: ts('resubmitted_at'),
    resolvedAt: ts('resolved_at'),
    resolution: text('resolution'),
    notes: jsonb('notes').$type<WorkNote[]>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('denial_items_posting_line').on(t.practiceId, t.adjudicationId, t.lineKey),
    index('denial_items_practice_status').on(t.practiceId, t.status, t.createdAt, t.id),
    index('denial_items_practice_claim').on(t.practiceId, t.claimId),
  ],
);

/** A balance written off from the denial queue. Append-only: the claim's adjustments carry the amount. */
export const writeOffs = billing.table(
  'write_offs',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    lineId: uuid('line_id').references(() => claimLines.id),
    denialItemId: uuid('denial_item_id')
      .notNull()
      .references(() => denialItems.id),
    amountCents: cents('amount_cents').notNull(),
    reason: text('reason').notNull(),
    note: text('note'),
    writtenOffOn: day('written_off_on').notNull(),
    by: text('by').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [uniqueIndex('write_offs_denial_item').on(t.practiceId, t.denialItemId), index('write_offs_practice_claim').on(t.practiceId, t.claimId)],
);

/** A claim sent to the payer that has had no remittance for longer than the payer's threshold. One per submission. */
export const missingEraItems = billing.table(
  'missing_era_items',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    /** The submission the claim waits on (`claims.last_submitted_at` when queued). */
    submittedAt: ts('submitted_at').notNull(),
    thresholdDays: integer('threshold_days').notNull(),
    /** The first business date the claim counted as missing its remittance. */
    overdueSince: day('overdue_since').notNull(),
    /** open → resolved (a remittance came, the claim was sent again or left the payer's hands). */
    status: text('status').notNull(),
    /** The person working the item: an HR person id of the kit's staff directory (`ctx.staff`). */
    assigneeId: uuid('assignee_id'),
    /** The free-text assignee of items from before assignees were people; cleared by the next assignment. */
    assigneeLabel: text('assignee_label'),
    followUpOn: day('follow_up_on'),
    notes: jsonb('notes').$type<WorkNote[]>().notNull(),
    resolvedAt: ts('resolved_at'),
    resolution: text('resolution'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('missing_era_items_submission').on(t.practiceId, t.claimId, t.submittedAt), index('missing_era_items_practice_status').on(t.practiceId, t.status, t.createdAt, t.id)],
);

/** When each claim the payer has not yet adjudicated must be filed by; the follow-up job keeps it. */
export const timelyFilingDeadlines = billing.table(
  'timely_filing_deadlines',
  {
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    limitDays: integer('limit_days').notNull(),
    /** Where the limit came from: `payer`, `agreement-payer`, `agreement` or `default`. */
    limitSource: text('limit_source').notNull(),
    deadline: day('deadline').notNull(),
    computedAt: ts('computed_at').notNull(),
  },
  (t) => [uniqueIndex('timely_filing_deadlines_claim').on(t.practiceId, t.claimId), index('timely_filing_deadlines_practice_deadline').on(t.practiceId, t.deadline)],
);

/** How far a scanning job has read (postings by `posted_at`), per practice. */
export const workScans = billing.table(
  'work_scans',
  {
    practiceId: uuid('practice_id').notNull(),
    name: text('name').notNull(),
    through: ts('through').notNull(),
  },
  (t) => [uniqueIndex('work_scans_practice_name').on(t.practiceId, t.name)],
);
