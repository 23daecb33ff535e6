// Helpdesk contract: the practice's SLA policy and the reports (open tickets, compliance, response times).
import Type from 'typebox';
import { IsoDate, mso, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { allRoles, msoAndPracticeAdmin, ticketPriorities } from './common.js';
import { helpdeskTiers } from './terms.js';

export const SlaPolicy = Type.Object({
  practiceId: Uuid,
  tier: StringEnum(helpdeskTiers),
  /** False while no helpdesk terms were received for the practice: the default policy applies. */
  fromAgreement: Type.Boolean(),
  calendar: Type.Object({
    timeZone: Type.String(),
    workingHours: Type.Object({ start: Type.String(), end: Type.String(), days: Type.Array(Type.Integer()) }),
    holidays: Type.Array(IsoDate),
  }),
  targets: Type.Array(
    Type.Object({
      priority: StringEnum(ticketPriorities),
      firstResponseMinutes: Type.Integer(),
      resolutionMinutes: Type.Integer(),
      businessHours: Type.Boolean(),
    }),
  ),
  atRiskPercent: Type.Integer(),
  escalation: Type.Object({ raisePriority: Type.Boolean(), reassignTo: Nullable(Type.String()) }),
  breachNoticeDays: Type.Integer(),
  /** Problems with the agreement's terms that made the service fall back to a default (e.g. an unknown time zone). */
  warnings: Type.Array(Type.String()),
});

export const getSlaPolicy = operation({
  service: 'helpdesk',
  name: 'sla-policy.get',
  summary: "The practice's SLA policy: targets per priority and business calendar",
  http: { method: 'GET', path: '/v1/helpdesk/sla-policy' },
  roles: allRoles,
  input: Type.Object({}, { additionalProperties: false }),
  output: SlaPolicy,
});

const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });
const MonthRange = {
  /** First month (YYYY-MM, in the practice's time zone). Default: five months before `to`. */
  from: Type.Optional(Month),
  /** Last month, inclusive. Default: the current month. */
  to: Type.Optional(Month),
};

const Compliance = Type.Object({
  met: Type.Integer(),
  breached: Type.Integer(),
  /** met / (met + breached) in percent, one decimal; null when there is nothing to measure yet. */
  percent: Nullable(Type.Number()),
});

export const ComplianceRow = Type.Object({
  practiceId: Uuid,
  month: Type.String(),
  tickets: Type.Integer(),
  firstResponse: Compliance,
  resolution: Compliance,
});

export const AgeBuckets = Type.Object({
  underOneDay: Type.Integer(),
  oneToThreeDays: Type.Integer(),
  threeToSevenDays: Type.Integer(),
  overSevenDays: Type.Integer(),
});

export const OpenTicketsReport = Type.Object({
  asOf: Timestamp,
  total: Type.Integer(),
  byPriority: Type.Array(
    Type.Object({
      priority: StringEnum(ticketPriorities),
      count: Type.Integer(),
      age: AgeBuckets,
      oldestCreatedAt: Nullable(Timestamp),
    }),
  ),
});

export const openTicketsReport = operation({
  service: 'helpdesk',
  name: 'report.open-tickets',
  summary: 'Open tickets by priority and age',
  http: { method: 'GET', path: '/v1/helpdesk/reports/open-tickets' },
  roles: msoAndPracticeAdmin,
  input: Type.Object({}, { additionalProperties: false }),
  output: OpenTicketsReport,
});

export const slaComplianceReport = operation({
  service: 'helpdesk',
  name: 'report.sla-compliance',
  summary: "SLA compliance per month for the practice (by the month tickets were opened)",
  http: { method: 'GET', path: '/v1/helpdesk/reports/sla-compliance' },
  roles: msoAndPracticeAdmin,
  input: Type.Object(MonthRange, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(ComplianceRow) }),
  errors: ['validation-failed'],
});

export const msoSlaComplianceReport = operation({
  service: 'helpdesk',
  name: 'report.sla-compliance-by-practice',
  summary: 'SLA compliance per practice and month, across all practices',
  http: { method: 'GET', path: '/v1/helpdesk/reports/sla-compliance-by-practice' },
  scope: 'platform',
  roles: mso,
  input: Type.Object(MonthRange, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(ComplianceRow) }),
  errors: ['validation-failed'],
});

const MeanTimes = Type.Object({
  tickets: Type.Integer(),
  /** Mean business minutes (working hours only, pauses excluded); null without data. */
  meanBusinessMinutes: Nullable(Type.Number()),
  /** Mean wall-clock minutes from opening; null without data. */
  meanElapsedMinutes: Nullable(Type.Number()),
});

export const responseTimesReport = operation({
  service: 'helpdesk',
  name: 'report.response-times',
  summary: 'Mean time to first response and to resolution, overall and per priority',
  http: { method: 'GET', path: '/v1/helpdesk/reports/response-times' },
  roles: msoAndPracticeAdmin,
  input: Type.Object(MonthRange, { additionalProperties: false }),
  output: Type.Object({
    from: Type.String(),
    to: Type.String(),
    overall: Type.Object({ firstResponse: MeanTimes, resolution: MeanTimes }),
    byPriority: Type.Array(Type.Object({ priority: StringEnum(ticketPriorities), firstResponse: MeanTimes, resolution: MeanTimes })),
  }),
  errors: ['validation-failed'],
});
