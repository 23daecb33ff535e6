// HR contract: onboarding and offboarding. Each employer entity (the MSO or a practice) keeps one
// onboarding and one offboarding checklist template; a hire gets a checklist from the onboarding
// template (due dates counted from the employment's start date), a termination one from the
// offboarding template (counted from the last day). Terminating an employment also announces it
// (`hr.employee.terminated`) so helpdesk removes access.
import Type, { type Static } from 'typebox';
import { actionOnId, getById, listPage, updateById } from '../builders.js';
import { IsoDate, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { Employment, EmployerRef, hrAdmins } from './people.js';

export const checklistKinds = ['onboarding', 'offboarding'] as const;
export type ChecklistKind = (typeof checklistKinds)[number];

/** Who does a task: HR, IT, the new hire's manager, payroll, facilities, or the employee. */
export const taskOwnerRoles = ['hr', 'it', 'manager', 'payroll', 'facilities', 'employee'] as const;

export const TemplateTask = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    ownerRole: StringEnum(taskOwnerRoles),
    /** Days from the start date (onboarding) or the last day (offboarding); negative is before it. */
    dueDays: Type.Integer({ minimum: -90, maximum: 365 }),
  },
  { additionalProperties: false },
);

const templateTasks = Type.Array(TemplateTask, { minItems: 1, maxItems: 100 });

export const ChecklistTemplate = Type.Object({
  id: Uuid,
  employer: Type.String({ description: '`mso` or the practice id' }),
  kind: StringEnum(checklistKinds),
  name: Type.String(),
  tasks: Type.Array(Type.Object({ title: Type.String(), ownerRole: StringEnum(taskOwnerRoles), dueDays: Type.Integer() })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ChecklistTemplate = Static<typeof ChecklistTemplate>;

export const createChecklistTemplate = operation({
  service: 'hr',
  name: 'checklist-template.create',
  summary:
    "Set up an employer's onboarding or offboarding checklist template (one of each per employer: a second answers 409, change it instead). Checklists started later follow it; checklists already started keep their tasks",
  http: { method: 'POST', path: '/v1/hr/checklist-templates', status: 201 },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object(
    { employer: EmployerRef, kind: StringEnum(checklistKinds), name: Type.String({ minLength: 1, maxLength: 200 }), tasks: templateTasks },
    { additionalProperties: false },
  ),
  output: ChecklistTemplate,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const listChecklistTemplates = operation({
  service: 'hr',
  name: 'checklist-template.list',
  summary: "The checklist templates the caller may see: a practice key its practice's, an MSO key every employer's (or one, with employer)",
  http: { method: 'GET', path: '/v1/hr/checklist-templates' },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ employer: Type.Optional(EmployerRef), kind: Type.Optional(StringEnum(checklistKinds)) }, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(ChecklistTemplate) }),
  errors: ['validation-failed', 'not-found'],
});

export const updateChecklistTemplate = updateById({
  service: 'hr',
  name: 'checklist-template.update',
  summary: "Rename a template or replace its tasks (checklists already started keep theirs)",
  path: '/v1/hr/checklist-templates/{id}',
  scope: 'platform',
  roles: hrAdmins,
  body: { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), tasks: Type.Optional(templateTasks) },
  output: ChecklistTemplate,
  errors: ['validation-failed', 'not-found'],
});

export const ChecklistProgress = Type.Object({
  done: Type.Integer(),
  total: Type.Integer(),
  /** Open tasks whose due date is before today (the employer's local date). */
  overdue: Type.Integer(),
});

export const ChecklistTask = Type.Object({
  id: Uuid,
  title: Type.String(),
  ownerRole: StringEnum(taskOwnerRoles),
  dueOn: IsoDate,
  overdue: Type.Boolean(),
  doneAt: Nullable(Timestamp),
  /** The key's principal that marked it done. */
  doneBy: Nullable(Type.String()),
});

export const Checklist = Type.Object({
  id: Uuid,
  kind: StringEnum(checklistKinds),
  employmentId: Uuid,
  personId: Uuid,
  employer: Type.String({ description: '`mso` or the practice id' }),
  /** Name and title only: no personal data. */
  displayName: Type.String(),
  title: Type.String(),
  /** The start date (onboarding) or the last day (offboarding) the due dates count from. */
  anchorDate: IsoDate,
  status: StringEnum(['open', 'complete'] as const),
  progress: ChecklistProgress,
  tasks: Type.Array(ChecklistTask),
  createdAt: Timestamp,
  completedAt: Nullable(Timestamp),
});
export type Checklist = Static<typeof Checklist>;

export const ChecklistSummary = Type.Object({
  id: Uuid,
  kind: StringEnum(checklistKinds),
  employmentId: Uuid,
  personId: Uuid,
  employer: Type.String(),
  displayName: Type.String(),
  title: Type.String(),
  anchorDate: IsoDate,
  status: StringEnum(['open', 'complete'] as const),
  progress: ChecklistProgress,
});

export const listChecklists = listPage({
  service: 'hr',
  name: 'checklist.list',
  summary: 'Onboarding and offboarding checklists with their progress (done/total, overdue), newest first',
  path: '/v1/hr/checklists',
  scope: 'platform',
  roles: hrAdmins,
  filters: {
    employer: Type.Optional(EmployerRef),
    kind: Type.Optional(StringEnum(checklistKinds)),
    status: Type.Optional(StringEnum(['open', 'complete'] as const)),
    employmentId: Type.Optional(Uuid),
  },
  item: ChecklistSummary,
  errors: ['validation-failed', 'not-found'],
});

export const getChecklist = getById({
  service: 'hr',
  name: 'checklist.get',
  summary: "A checklist with its tasks and progress (another practice's answers 404)",
  path: '/v1/hr/checklists/{id}',
  scope: 'platform',
  roles: hrAdmins,
  output: Checklist,
});

export const startChecklist = operation({
  service: 'hr',
  name: 'checklist.start',
  summary:
    "Start an employment's checklist from its employer's template now (e.g. for a hire recorded before the template existed): onboarding counts from the start date, offboarding from the last day. Hires and terminations start theirs on their own; a second start answers 409, as does an employer without a template or an offboarding checklist for an employment without an end",
  http: { method: 'POST', path: '/v1/hr/checklists', status: 201 },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ employmentId: Uuid, kind: StringEnum(checklistKinds) }, { additionalProperties: false }),
  output: Checklist,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const completeChecklistTask = operation({
  service: 'hr',
  name: 'checklist.task-complete',
  summary: 'Mark a checklist task done (again: no change); the checklist is complete when every task is',
  http: { method: 'POST', path: '/v1/hr/checklists/{id}/tasks/{taskId}/complete' },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ id: Uuid, taskId: Uuid }, { additionalProperties: false }),
  output: Checklist,
  errors: ['not-found'],
});

export const terminationReasons = ['resignation', 'dismissal', 'layoff', 'retirement', 'end-of-contract', 'other'] as const;

export const terminateEmployment = actionOnId({
  service: 'hr',
  name: 'employment.terminate',
  summary:
    "End an employment on its last day: sets the end date, starts the employer's offboarding checklist and announces `hr.employee.terminated` (helpdesk opens an urgent access-removal ticket). Terminating again answers 409",
  path: '/v1/hr/employments/{id}/terminate',
  scope: 'platform',
  roles: hrAdmins,
  body: {
    lastDay: IsoDate,
    reason: StringEnum(terminationReasons),
    /** Internal; never on the bus. */
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  output: Type.Object({ employment: Employment, termination: Type.Object({ lastDay: IsoDate, reason: Nullable(StringEnum(terminationReasons)), note: Nullable(Type.String()), recordedAt: Timestamp }), offboardingChecklistId: Nullable(Uuid) }),
  errors: ['validation-failed', 'not-found', 'conflict'],
  phi: 'write',
});

export const onboardingOperations = [
  createChecklistTemplate,
  listChecklistTemplates,
  updateChecklistTemplate,
  listChecklists,
  getChecklist,
  startChecklist,
  completeChecklistTask,
  terminateEmployment,
] as const;
