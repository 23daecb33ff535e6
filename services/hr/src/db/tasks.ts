import { index, text, uuid } from 'drizzle-orm/pg-core';
import { day, hr, ts } from './pg.js';

/** Work for an HR team (the credentialing team's renewals). */
export const tasks = hr.table(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    kind: text('kind').notNull(),
    team: text('team').notNull(),
    title: text('title').notNull(),
    credentialId: uuid('credential_id'),
    providerId: uuid('provider_id'),
    dueOn: day('due_on').notNull(),
    status: text('status').notNull(),
    createdAt: ts('created_at').notNull(),
    completedAt: ts('completed_at'),
  },
  (t) => [index('tasks_due').on(t.practiceId, t.status, t.dueOn, t.id)],
);
