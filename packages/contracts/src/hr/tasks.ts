// HR contract: tasks for HR's teams, e.g. the credentialing team's renewals the expiry job opens.
import Type from 'typebox';
import { actionOnId, listPage } from '../builders.js';
import { IsoDate, Nullable, StringEnum, Timestamp, Uuid } from '../core.js';
import { credentialingStaff } from './providers.js';


export const taskKinds = ['credential-expiring', 'credential-expired'] as const;
export const taskStatuses = ['open', 'done'] as const;

export const Task = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  kind: StringEnum(taskKinds),
  /** The team the task is for. */
  team: Type.String(),
  title: Type.String(),
  credentialId: Nullable(Uuid),
  providerId: Nullable(Uuid),
  dueOn: IsoDate,
  status: StringEnum(taskStatuses),
  createdAt: Timestamp,
  completedAt: Nullable(Timestamp),
});

export const listTasks = listPage({
  service: 'hr',
  name: 'task.list',
  summary: "HR tasks, oldest first: a practice key its own practice's, an MSO key every practice's (or one, with practiceId)",
  path: '/v1/hr/tasks',
  scope: 'platform',
  roles: credentialingStaff,
  filters: { practiceId: Type.Optional(Uuid), status: Type.Optional(StringEnum(taskStatuses)) },
  item: Task,
  errors: ['validation-failed', 'not-found'],
});

export const completeTask = actionOnId({
  service: 'hr',
  name: 'task.complete',
  summary: 'Mark a task done',
  path: '/v1/hr/tasks/{id}/complete',
  scope: 'platform',
  roles: credentialingStaff,
  output: Task,
  errors: ['not-found'],
});

export const taskOperations = [listTasks, completeTask] as const;
