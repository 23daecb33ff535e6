// HR contract: reports. Headcount per employer entity, credentials expiring soon, payroll cost per
// entity and period. A practice key sees its own practice's figures; MSO keys see every entity.
import Type from 'typebox';
import { Cents, everyone, IsoDate, Nullable, operation, StringEnum, UsState, Uuid } from '../core.js';
import { EmployerRef, hrAdmins } from './people.js';
import { credentialKinds } from './providers.js';

export const headcountReport = operation({
  service: 'hr',
  name: 'report.headcount',
  summary: 'Active employments per employer entity on a date (default: today), with their FTE',
  http: { method: 'GET', path: '/v1/hr/reports/headcount' },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ on: Type.Optional(IsoDate), employer: Type.Optional(EmployerRef) }, { additionalProperties: false }),
  output: Type.Object({
    on: IsoDate,
    entities: Type.Array(Type.Object({ employer: Type.String({ description: '`mso` or the practice id' }), headcount: Type.Integer(), fte: Type.Number() })),
    totalHeadcount: Type.Integer(),
  }),
  errors: ['validation-failed', 'not-found'],
});

export const expiringCredentialsReport = operation({
  service: 'hr',
  name: 'report.credentials-expiring',
  summary:
    'Credentials whose expiry falls within the next `days` days (from `on`, default today), soonest first; `includeExpired` adds those already past their expiry',
  http: { method: 'GET', path: '/v1/hr/reports/credentials-expiring' },
  scope: 'platform',
  roles: everyone,
  input: Type.Object(
    {
      days: Type.Optional(Type.Integer({ minimum: 0, maximum: 730, default: 90 })),
      on: Type.Optional(IsoDate),
      includeExpired: Type.Optional(Type.Boolean()),
      practiceId: Type.Optional(Uuid),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    from: IsoDate,
    to: IsoDate,
    items: Type.Array(
      Type.Object({
        credentialId: Uuid,
        providerId: Uuid,
        practiceId: Uuid,
        npi: Type.String(),
        kind: StringEnum(credentialKinds),
        state: Nullable(UsState),
        expiresOn: IsoDate,
        /** Negative once expired. */
        daysLeft: Type.Integer(),
      }),
    ),
  }),
  errors: ['validation-failed', 'not-found'],
});

const CostFigures = {
  grossCents: Cents,
  employerTaxCents: Cents,
  benefitsCents: Cents,
  costCents: Cents,
};

export const payrollCostReport = operation({
  service: 'hr',
  name: 'report.payroll-cost',
  summary:
    "Payroll cost per employer entity and pay period, from the runs posted with periods ending `from`..`to`; `allocatedCents` is the MSO staff cost allocated to a practice in the period (part of the MSO's own cost, not added to the practice's)",
  http: { method: 'GET', path: '/v1/hr/reports/payroll-cost' },
  scope: 'platform',
  roles: hrAdmins,
  input: Type.Object({ from: Type.Optional(IsoDate), to: Type.Optional(IsoDate), employer: Type.Optional(EmployerRef) }, { additionalProperties: false }),
  output: Type.Object({
    entities: Type.Array(
      Type.Object({
        employer: Type.String({ description: '`mso` or the practice id' }),
        periods: Type.Array(Type.Object({ runId: Uuid, periodStart: IsoDate, periodEnd: IsoDate, ...CostFigures })),
        totals: Type.Object(CostFigures),
        /** For a practice: MSO staff cost allocated to it in the MSO's runs over the same periods (MSO keys; null for practice keys). */
        allocatedCents: Nullable(Cents),
      }),
    ),
  }),
  errors: ['validation-failed', 'not-found'],
});

export const reportOperations = [headcountReport, expiringCredentialsReport, payrollCostReport] as const;
