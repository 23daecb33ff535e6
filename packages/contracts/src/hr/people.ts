// HR contract: people and their employments. One person, one employment per employer entity and
// period (`mso` or a practice id). Practice keys see only their practice's employments (and the
// people who hold one); MSO keys see all. SSN, date of birth, home address and pay are confidential:
// the operations that carry them are `phi`, so every call is audited, and they never reach events.
import Type, { type Static } from 'typebox';
import { actionOnId, getById, listPage, updateById } from '../builders.js';
import { IsoDate, Nullable, operation, type Role, StringEnum, Timestamp, UsState, Uuid } from '../core.js';


/** Who manages people: the MSO's HR staff and the practice's administrators. */
export const hrAdmins: readonly Role[] = ['mso-admin', 'mso-staff', 'practice-admin'];

/** `mso` (the MSO's own staff) or a practice id. */
export const EmployerRef = Type.String({ pattern: '^(mso|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$', description: '`mso` or a practice id' });

export const Address = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    state: UsState,
    postalCode: Type.String({ pattern: '^[0-9]{5}(-[0-9]{4})?$' }),
  },
  { additionalProperties: false },
);

export const payBases = ['salary', 'hourly'] as const;
export const Pay = Type.Object(
  {
    basis: StringEnum(payBases),
    /** Per year for `salary`, per hour for `hourly`, in integer cents. */
    amountCents: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const Allocation = Type.Object(
  { practiceId: Uuid, percent: Type.Integer({ minimum: 1, maximum: 100 }) },
  { additionalProperties: false },
);

const employmentFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  department: Type.String({ minLength: 1, maxLength: 200 }),
  /** Full-time equivalent, 0.01 to 1. */
  fte: Type.Number({ exclusiveMinimum: 0, maximum: 1, multipleOf: 0.01 }),
  pay: Pay,
  startDate: IsoDate,
};

export const NewEmploymentBody = Type.Object(
  {
    employer: EmployerRef,
    ...employmentFields,
    endDate: Type.Optional(IsoDate),
    /** The manager's person id. */
    managerId: Type.Optional(Uuid),
    /** For MSO staff who serve practices: their cost split across practices, percentages summing to 100. */
    allocations: Type.Optional(Type.Array(Allocation, { maxItems: 100 })),
    /** Systems the employee needs access to (e.g. `ehr`, `email`): in the hired and terminated events for helpdesk. */
    systems: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 30, uniqueItems: true })),
  },
  { additionalProperties: false },
);

export const Employment = Type.Object({
  id: Uuid,
  personId: Uuid,
  employer: Type.String({ description: '`mso` or the practice id' }),
  title: Type.String(),
  department: Type.String(),
  fte: Type.Number(),
  pay: Pay,
  startDate: IsoDate,
  endDate: Nullable(IsoDate),
  managerId: Nullable(Uuid),
  allocations: Type.Array(Allocation),
  systems: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Employment = Static<typeof Employment>;

export const NewPerson = Type.Object(
  {
    firstName: Type.String({ minLength: 1, maxLength: 100 }),
    lastName: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
    /** Nine digits, dashes optional. Kept only as its last four digits and a keyed hash (for matching). */
    ssn: Type.String({ pattern: '^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$' }),
    dateOfBirth: IsoDate,
    homeAddress: Type.Optional(Address),
    /** The first employment. */
    employment: NewEmploymentBody,
  },
  { additionalProperties: false },
);

export const Person = Type.Object({
  id: Uuid,
  firstName: Type.String(),
  lastName: Type.String(),
  email: Nullable(Type.String()),
  ssnLast4: Type.String(),
  dateOfBirth: IsoDate,
  homeAddress: Nullable(Address),
  /** The employments the caller may see: a practice key's own practice's only. */
  employments: Type.Array(Employment),
  createdAt: Timestamp,
});
export type Person = Static<typeof Person>;

/** A directory row: no personal data, no pay. */
export const PersonSummary = Type.Object({
  id: Uuid,
  firstName: Type.String(),
  lastName: Type.String(),
  email: Nullable(Type.String()),
  employments: Type.Array(Type.Object({ id: Uuid, employer: Type.String(), title: Type.String(), department: Type.String(), startDate: IsoDate, endDate: Nullable(IsoDate) })),
});

export const createPerson = operation({
  service: 'hr',
  name: 'person.create',
  summary:
    'Add a person with a first employment. A person is matched by SSN: the same SSN and date of birth is the same person, and the employment joins it (200 instead of 201); the same SSN with another date of birth answers 409',
  http: { method: 'POST', path: '/v1/hr/people', status: 201, statuses: [200] },
  scope: 'platform',
  roles: hrAdmins,
  input: NewPerson,
  output: Person,
  errors: ['validation-failed', 'not-found', 'conflict'],
  phi: 'write',
});

export const getPerson = getById({
  service: 'hr',
  name: 'person.get',
  summary: "A person with the employments the caller may see (another practice's person answers 404)",
  path: '/v1/hr/people/{id}',
  scope: 'platform',
  roles: hrAdmins,
  output: Person,
  phi: 'read',
});

export const listPeople = listPage({
  service: 'hr',
  name: 'person.list',
  summary: 'The staff directory: people with an employment the caller may see, in the order they were added (no personal data, no pay)',
  path: '/v1/hr/people',
  scope: 'platform',
  roles: hrAdmins,
  filters: { employer: Type.Optional(EmployerRef) },
  item: PersonSummary,
  errors: ['validation-failed', 'not-found'],
});

export const updatePerson = updateById({
  service: 'hr',
  name: 'person.update',
  summary: "Correct a person's name, email or home address (one record for every employer). The SSN and date of birth are the match key: not changed here",
  path: '/v1/hr/people/{id}',
  scope: 'platform',
  roles: hrAdmins,
  body: {
    firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 200 }))),
    homeAddress: Type.Optional(Nullable(Address)),
  },
  output: Person,
  errors: ['validation-failed', 'not-found'],
  phi: 'write',
});

export const addEmployment = actionOnId({
  service: 'hr',
  name: 'employment.create',
  summary: "Add an employment to a person (e.g. a practice employee who joins the MSO's staff as well)",
  path: '/v1/hr/people/{personId}/employments',
  status: 201,
  param: 'personId',
  scope: 'platform',
  roles: hrAdmins,
  body: NewEmploymentBody.properties,
  output: Employment,
  errors: ['validation-failed', 'not-found', 'conflict'],
  phi: 'write',
});

export const getEmployment = getById({
  service: 'hr',
  name: 'employment.get',
  summary: "One employment (another practice's answers 404)",
  path: '/v1/hr/employments/{id}',
  scope: 'platform',
  roles: hrAdmins,
  output: Employment,
  phi: 'read',
});

export const updateEmployment = updateById({
  service: 'hr',
  name: 'employment.update',
  summary: 'Change an employment: title, department, FTE, pay, manager, allocations, systems, end date (setting the end date of an open employment terminates it, as employment.terminate without a reason)',
  path: '/v1/hr/employments/{id}',
  scope: 'platform',
  roles: hrAdmins,
  body: {
    title: Type.Optional(employmentFields.title),
    department: Type.Optional(employmentFields.department),
    fte: Type.Optional(employmentFields.fte),
    pay: Type.Optional(Pay),
    endDate: Type.Optional(Nullable(IsoDate)),
    managerId: Type.Optional(Nullable(Uuid)),
    allocations: Type.Optional(Type.Array(Allocation, { maxItems: 100 })),
    systems: NewEmploymentBody.properties.systems,
  },
  output: Employment,
  errors: ['validation-failed', 'not-found'],
  phi: 'write',
});

export const peopleOperations = [createPerson, getPerson, listPeople, updatePerson, addEmployment, getEmployment, updateEmployment] as const;
