import { index, integer, jsonb, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { day, hr, ts } from './pg.js';
import { employments, people } from './people.js';

export interface TemplateTaskValue {
  title: string;
  ownerRole: string;
  dueDays: number;
}

/** An employer's onboarding or offboarding checklist template: practice_id NULL for the MSO's own. */
export const checklistTemplates = hr.table(
  'checklist_templates',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    tasks: jsonb('tasks').$type<TemplateTaskValue[]>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [unique('checklist_templates_employer_kind').on(t.practiceId, t.kind).nullsNotDistinct()],
);

/** A checklist started for one employment: at most one onboarding and one offboarding each. */
export const checklists = hr.table(
  'checklists',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    kind: text('kind').notNull(),
    employmentId: uuid('employment_id')
      .notNull()
      .references(() => employments.id),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    templateId: uuid('template_id').references(() => checklistTemplates.id),
    /** The start date (onboarding) or last day (offboarding) the due dates count from. */
    anchorDate: day('anchor_date').notNull(),
    createdAt: ts('created_at').notNull(),
    completedAt: ts('completed_at'),
  },
  (t) => [uniqueIndex('checklists_employment_kind').on(t.employmentId, t.kind), index('checklists_practice').on(t.practiceId, t.createdAt, t.id)],
);

export const checklistTasks = hr.table(
  'checklist_tasks',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    checklistId: uuid('checklist_id')
      .notNull()
      .references(() => checklists.id),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    ownerRole: text('owner_role').notNull(),
    dueOn: day('due_on').notNull(),
    doneAt: ts('done_at'),
    doneBy: text('done_by'),
  },
  (t) => [uniqueIndex('checklist_tasks_position').on(t.checklistId, t.position)],
);

/** The end of an employment: its last day and why (the reason and note stay in HR, never on the bus). */
export const terminations = hr.table('terminations', {
  employmentId: uuid('employment_id')
    .primaryKey()
    .references(() => employments.id),
  practiceId: uuid('practice_id'),
  lastDay: day('last_day').notNull(),
  reason: text('reason'),
  note: text('note'),
  recordedAt: ts('recorded_at').notNull(),
  recordedBy: text('recorded_by').notNull(),
});
