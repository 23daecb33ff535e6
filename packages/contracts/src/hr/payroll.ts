// HR contract: payroll totals per employer entity and pay period. Tax withholding is out of scope.
import Type, { type Static } from 'typebox';
import { getById, listPage } from '../builders.js';
import { Cents, event, everyone, IsoDate, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { EmployerRef, hrAdmins } from './people.js';

/**
 * A payroll run's totals for one employer (the MSO or a practice): no per-person amounts on the bus.
 * `allocations` split the cost of MSO staff who serve practices by their allocation percentages
 * (empty for a practice's own payroll).
 */
export const payrollPosted = event({
  type: 'hr.payroll.posted',
  data: Type.Object({
    runId: Uuid,
    employer: EmployerRef,
    periodStart: IsoDate,
    periodEnd: IsoDate,
    grossCents: Cents,
    employerTaxCents: Cents,
    benefitsCents: Cents,
    allocations: Type.Array(Type.Object({ practiceId: Uuid, costCents: Cents })),
  }),
});

export const paySchedules = ['weekly', 'biweekly', 'semi-monthly', 'monthly'] as const;
export type PaySchedule = (typeof paySchedules)[number];

/** Basis points of gross pay (765 = 7.65 %). */
const BasisPoints = Type.Integer({ minimum: 0, maximum: 10_000, description: 'Basis points of gross pay (765 = 7.65 %)' });

export const PayrollSettingsBody = Type.Object(
  {
    schedule: StringEnum(paySchedules),
    /** Weekly and biweekly: the first day of one pay period; every period starts 7 (14) days after another. */
    firstPeriodStart: Type.Optional(IsoDate),
    /** The employer's share of payroll taxes (FICA, FUTA, SUTA together), in basis points of gross. */
    employerTaxBasisPoints: BasisPoints,
    /** Benefits the employer pays (health, retirement match), in basis points of gross. */
    benefitsBasisPoints: BasisPoints,
  },
  { additionalProperties: false },
);

export const PayrollSettings = Type.Object({
  employer: Type.String({ description: '`mso` or the practice id' }),
  schedule: StringEnum(paySchedules),
  firstPeriodStart: Nullable(IsoDate),
  employerTaxBasisPoints: Type.Integer(),
  benefitsBasisPoints: Type.Integer(),
  updatedAt: Timestamp,
});
export type PayrollSettings = Static<typeof PayrollSettings>;

export const putPayrollSettings = operation({
  service: 'hr',
  name: 'payroll-settings.put',
  summary:
    "Set an employer's pay schedule (weekly, biweekly, semi-monthly, monthly) and its employer tax and benefit rates. Runs already posted keep the settings they were computed with",
  http: { method: 'PUT', path: '/v1/hr/payroll-settings/{employer}' },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ employer: EmployerRef, ...PayrollSettingsBody.properties }, { additionalProperties: false }),
  output: PayrollSettings,
  errors: ['validation-failed', 'not-found'],
});

export const getPayrollSettings = operation({
  service: 'hr',
  name: 'payroll-settings.get',
  summary: "An employer's pay schedule and rates (404 until set)",
  http: { method: 'GET', path: '/v1/hr/payroll-settings/{employer}' },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ employer: EmployerRef }, { additionalProperties: false }),
  output: PayrollSettings,
  errors: ['not-found'],
});

export const HoursEntry = Type.Object(
  {
    employmentId: Uuid,
    /** Hours worked in the period, to the hundredth. */
    hours: Type.Number({ minimum: 0, maximum: 1000, multipleOf: 0.01 }),
  },
  { additionalProperties: false },
);

/** One employment's pay in a run: confidential, shown only to the roles that see pay. */
export const PayrollLine = Type.Object({
  employmentId: Uuid,
  personId: Uuid,
  basis: StringEnum(['salary', 'hourly'] as const),
  /** Per year (salary) or per hour (hourly), in cents, as on the employment when the run was made. */
  rateCents: Cents,
  /** Hourly only; null for salary. */
  hours: Nullable(Type.Number()),
  /** Days of the period the employment was active (salary is prorated by them). */
  daysActive: Type.Integer(),
  grossCents: Cents,
  employerTaxCents: Cents,
  benefitsCents: Cents,
  costCents: Cents,
  allocations: Type.Array(Type.Object({ practiceId: Uuid, costCents: Cents })),
});

export const PayrollRun = Type.Object({
  id: Uuid,
  employer: Type.String({ description: '`mso` or the practice id' }),
  periodStart: IsoDate,
  periodEnd: IsoDate,
  schedule: StringEnum(paySchedules),
  employerTaxBasisPoints: Type.Integer(),
  benefitsBasisPoints: Type.Integer(),
  employees: Type.Integer({ description: 'Employments paid in the run' }),
  grossCents: Cents,
  employerTaxCents: Cents,
  benefitsCents: Cents,
  /** Gross + employer taxes + benefits. */
  costCents: Cents,
  /** MSO staff cost split across the practices they serve (largest remainder: the parts sum to each person's cost). */
  allocations: Type.Array(Type.Object({ practiceId: Uuid, costCents: Cents })),
  /** Per employment; absent for roles that do not see pay. */
  lines: Type.Optional(Type.Array(PayrollLine)),
  createdAt: Timestamp,
});
export type PayrollRun = Static<typeof PayrollRun>;

export const createPayrollRun = operation({
  service: 'hr',
  name: 'payroll-run.create',
  summary:
    "Compute and post an employer's payroll totals for one pay period of its schedule: gross pay per employment (salary ÷ periods per year, prorated by days for an employment active for part of the period, rounded half up once per employment; hourly: the hours entered × the rate, every hourly employment active in the period needs its hours, 0 if none), employer taxes and benefits at the employer's rates, and the cost of MSO staff split by their allocations. Emits hr.payroll.posted (totals only). The same employer and period again answers the run on file (200) and posts nothing. Tax withholding (employee taxes, net pay), overtime and pay stubs are out of scope: these are the employer's cost totals for the books",
  http: { method: 'POST', path: '/v1/hr/payroll-runs', status: 201, statuses: [200] },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object(
    {
      employer: EmployerRef,
      periodStart: IsoDate,
      periodEnd: IsoDate,
      /** Hours of each hourly employment in the period. */
      hours: Type.Optional(Type.Array(HoursEntry, { maxItems: 5000 })),
    },
    { additionalProperties: false },
  ),
  output: PayrollRun,
  errors: ['validation-failed', 'not-found', 'conflict'],
  phi: 'write',
});

export const getPayrollRun = getById({
  service: 'hr',
  name: 'payroll-run.get',
  summary: 'A payroll run with its totals, and its lines per employment for the roles that see pay',
  path: '/v1/hr/payroll-runs/{id}',
  scope: 'platform',
  roles: everyone,
  output: PayrollRun,
  phi: 'read',
});

export const listPayrollRuns = listPage({
  service: 'hr',
  name: 'payroll-run.list',
  summary: 'Payroll runs (totals only), newest first; `employer`, and periods ending `from`..`to`',
  path: '/v1/hr/payroll-runs',
  scope: 'platform',
  roles: everyone,
  filters: { employer: Type.Optional(EmployerRef), from: Type.Optional(IsoDate), to: Type.Optional(IsoDate) },
  item: Type.Omit(PayrollRun, ['lines']),
  errors: ['validation-failed', 'not-found'],
});

export const payrollOperations = [putPayrollSettings, getPayrollSettings, createPayrollRun, getPayrollRun, listPayrollRuns] as const;
export const payrollEvents = [payrollPosted] as const;
