// Onboarding and offboarding rules: a checklist's tasks from its template, its progress on a date.
import { addDays } from '@mso/kit';

export interface TemplateTask {
  title: string;
  ownerRole: string;
  dueDays: number;
}

export interface PlannedTask {
  position: number;
  title: string;
  ownerRole: string;
  dueOn: string;
}

/** The tasks of a checklist: each template task due `dueDays` after the anchor (start or last day). */
export function planTasks(template: readonly TemplateTask[], anchorDate: string): PlannedTask[] {
  return template.map((t, position) => ({ position, title: t.title, ownerRole: t.ownerRole, dueOn: addDays(anchorDate, t.dueDays) }));
}

export interface TaskState {
  dueOn: string;
  doneAt: Date | null;
}

/** Overdue: not done, and due before `today` (a task due today is not late yet). */
export const isOverdue = (task: TaskState, today: string) => task.doneAt === null && task.dueOn < today;

export function progressOf(tasks: readonly TaskState[], today: string): { done: number; total: number; overdue: number } {
  return {
    done: tasks.filter((t) => t.doneAt !== null).length,
    total: tasks.length,
    overdue: tasks.filter((t) => isOverdue(t, today)).length,
  };
}

/** The name other services show: first and last name, nothing else of the person. */
export const displayNameOf = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

/** Whole days from `from` to `to` (calendar dates; negative when `to` is earlier). */
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * What a new end date does to an employment: `terminate` an open one (an end set where there was
 * none), `move` a terminated one's last day, `refuse` removing a terminated one's end (a return is a
 * new employment), or `keep` (no termination involved: unchanged, or a fixed term's planned end).
 */
export function endDateChange(current: { endDate: string | null; terminated: boolean }, next: string | null): 'terminate' | 'move' | 'refuse' | 'keep' {
  if (current.terminated) return next === null ? 'refuse' : next === current.endDate ? 'keep' : 'move';
  return current.endDate === null && next !== null ? 'terminate' : 'keep';
}
