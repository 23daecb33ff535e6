import Type, { type Static } from 'typebox';
import { event, IsoDate, mso, Nullable, operation, Page, PageQuery, type Role, StringEnum, Timestamp, Uuid } from './core.js';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';
import { auditRecorded } from './audit.js';

export const getInfo = serviceInfo('helpdesk');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('helpdesk');
export const listJobs = serviceJobList('helpdesk');

// ---- Vocabulary ----------------------------------------------------------------------------------

export const ticketCategories = ['hardware', 'software', 'access', 'network', 'ehr', 'security-incident', 'other'] as const;
export type TicketCategory = (typeof ticketCategories)[number];
/** Highest first. */
export const ticketPriorities = ['urgent', 'high', 'normal', 'low'] as const;
export type TicketPriority = (typeof ticketPriorities)[number];
export const ticketStatuses = ['new', 'open', 'pending-customer', 'pending-third-party', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];
export const ticketSources = ['api', 'hr-onboarding', 'hr-offboarding'] as const;
export type TicketSource = (typeof ticketSources)[number];
export const slaTargetNames = ['first-response', 'resolution'] as const;
export type SlaTargetName = (typeof slaTargetNames)[number];

// ---- Agreement terms (the `helpdesk` slot of tenancy's AgreementTerms) --------------------------

export const helpdeskTiers = ['basic', 'standard', 'premium'] as const;
/** One priority's service level: minutes to first response and to resolution. */
export const SlaTarget = Type.Object(
  {
    firstResponseMinutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
    resolutionMinutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
    /** false: the clock runs around the clock (24x7) instead of in working hours. Default true. */
    businessHours: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const HelpdeskTerms = Type.Object(
  {
    tier: Type.Optional(StringEnum(helpdeskTiers)),
    /** IANA time zone of the practice's business calendar, e.g. America/New_York. */
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Working hours, local time `HH:MM`, on the given ISO weekdays (1 = Monday). */
    workingHours: Type.Optional(
      Type.Object(
        {
          start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
          end: Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' }),
          days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }),
        },
        { additionalProperties: false },
      ),
    ),
    holidays: Type.Optional(Type.Array(IsoDate, { maxItems: 366 })),
    /** Per-priority service levels replacing the tier's defaults (business minutes unless `businessHours` is false). */
    slaTargets: Type.Optional(
      Type.Object(
        { urgent: Type.Optional(SlaTarget), high: Type.Optional(SlaTarget), normal: Type.Optional(SlaTarget), low: Type.Optional(SlaTarget) },
        { additionalProperties: false },
      ),
    ),
    /** What happens to a ticket that breaches its SLA: raise its priority one step, and/or reassign it. */
    escalation: Type.Optional(
      Type.Object(
        {
          raisePriority: Type.Optional(Type.Boolean()),
          reassignTo: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Percent of an SLA target after which a ticket counts as at risk (default 80). */
    atRiskPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
    /** Days after discovery by which the MSO notifies the practice of a breach (HIPAA maximum and default 60). */
    breachNoticeDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
  },
  { additionalProperties: false },
);
export type HelpdeskTerms = Static<typeof HelpdeskTerms>;

const practiceRoles = ['practice-admin', 'practice-user'] as const satisfies Role[];
const allRoles: Role[] = [...mso, ...practiceRoles];
const msoAndPracticeAdmin: Role[] = [...mso, 'practice-admin'];

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const IdParam = { id: Uuid };

// ---- Tickets -------------------------------------------------------------------------------------

export const Contact = Type.Object(
  {
    name: Type.Optional(Text(200)),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const Requester = Type.Object({
  /** The API key (or `system:<service>`) that opened the ticket. */
  id: Type.String(),
  role: Type.String(),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
});

export const SlaPolicyApplied = Type.Object({
  tier: StringEnum(helpdeskTiers),
  firstResponseMinutes: Type.Integer(),
  resolutionMinutes: Type.Integer(),
  /** True: minutes count in the practice's working hours; false: around the clock. */
  businessHours: Type.Boolean(),
  timeZone: Type.String(),
});

export const Sla = Type.Object({
  policy: SlaPolicyApplied,
  /** `running`; `paused` in the pending-* states; `stopped` once resolved or closed. */
  clock: StringEnum(['running', 'paused', 'stopped'] as const),
  pausedAt: Nullable(Timestamp),
  /** When the first public reply from the MSO is due; null while paused. Kept once answered. */
  firstResponseDueAt: Nullable(Timestamp),
  firstRespondedAt: Nullable(Timestamp),
  firstResponseBreached: Type.Boolean(),
  firstResponseAtRisk: Type.Boolean(),
  /** When resolution is due; null while paused. Kept once resolved. */
  resolutionDueAt: Nullable(Timestamp),
  resolvedAt: Nullable(Timestamp),
  resolutionBreached: Type.Boolean(),
  resolutionAtRisk: Type.Boolean(),
  /** Business minutes the resolution clock has run (pauses excluded). */
  elapsedMinutes: Type.Integer(),
  /** Business minutes left to resolution (negative once overdue); null once stopped. */
  resolutionRemainingMinutes: Nullable(Type.Integer()),
  /** Times the ticket was escalated after a breach. */
  escalations: Type.Integer(),
});
export type Sla = Static<typeof Sla>;

export const breachRecipients = ['practice', 'individuals', 'hhs', 'media'] as const;
export type BreachRecipient = (typeof breachRecipients)[number];
export const riskLevels = ['low', 'medium', 'high'] as const;
/** The statutory exceptions under which an impermissible use is not a breach (45 CFR 164.402(1)). */
export const breachExceptions = ['unintentional-workforce-access', 'inadvertent-authorized-disclosure', 'unable-to-retain'] as const;

const Factor = Type.Object(
  { risk: StringEnum(riskLevels), notes: Type.Optional(Type.String({ maxLength: 4000 })) },
  { additionalProperties: false },
);

/** The four factors of a HIPAA breach risk assessment (45 CFR 164.402(2)). */
export const RiskAssessment = Type.Object(
  {
    /** Nature and extent of the PHI involved: identifiers, sensitivity, likelihood of re-identification. */
    natureAndExtent: Factor,
    /** Who used the PHI or received it without authorisation. */
    unauthorizedRecipient: Factor,
    /** Whether the PHI was actually acquired or viewed. */
    acquiredOrViewed: Factor,
    /** How far the risk has been mitigated (assurances, retrieval, remote wipe). */
    mitigation: Factor,
  },
  { additionalProperties: false },
);
export type RiskAssessment = Static<typeof RiskAssessment>;

export const NotificationDeadline = Type.Object({
  recipient: StringEnum(breachRecipients),
  dueAt: Timestamp,
  notifiedAt: Nullable(Timestamp),
  /** Past due and not notified. */
  missed: Type.Boolean(),
});

export const SecurityIncident = Type.Object({
  discoveredAt: Timestamp,
  riskAssessment: Nullable(RiskAssessment),
  /** The PHI was encrypted per HHS guidance (not "unsecured PHI"): no breach notification. */
  phiEncrypted: Type.Boolean(),
  exception: Nullable(StringEnum(breachExceptions)),
  individualsAffected: Nullable(Type.Integer()),
  /**
   * Whether the incident is a reportable breach of unsecured PHI. Presumed (true) until an assessment
   * shows a low probability of compromise on all four factors, or encryption or an exception applies.
   */
  reportableBreach: Type.Boolean(),
  determination: Type.String(),
  deadlines: Type.Array(NotificationDeadline),
  updatedAt: Timestamp,
});
export type SecurityIncident = Static<typeof SecurityIncident>;

export const Ticket = Type.Object({
  id: Uuid,
  /** Per-practice ticket number, 1, 2, 3... */
  number: Type.Integer(),
  practiceId: Uuid,
  subject: Type.String(),
  description: Type.String(),
  category: StringEnum(ticketCategories),
  priority: StringEnum(ticketPriorities),
  status: StringEnum(ticketStatuses),
  requester: Requester,
  /** The MSO staff member working the ticket (staff id or e-mail), or null. */
  assignee: Nullable(Type.String()),
  assetId: Nullable(Uuid),
  source: StringEnum(ticketSources),
  sla: Sla,
  securityIncident: Nullable(SecurityIncident),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  closedAt: Nullable(Timestamp),
});
export type Ticket = Static<typeof Ticket>;

export const NewTicket = Type.Object(
  {
    subject: Text(200),
    description: Text(20_000),
    priority: StringEnum(ticketPriorities),
    category: StringEnum(ticketCategories),
    assetId: Type.Optional(Uuid),
    /** Who to contact, when the caller is not the person with the problem (e.g. staff taking a call). */
    requester: Type.Optional(Contact),
    /** Security incidents: when the incident was discovered, if before now. Default: now. */
    discoveredAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export const createTicket = operation({
  service: 'helpdesk',
  name: 'ticket.create',
  phi: 'write',
  summary: 'Open a ticket',
  http: { method: 'POST', path: '/v1/helpdesk/tickets', status: 201 },
  roles: allRoles,
  input: NewTicket,
  output: Ticket,
  errors: ['validation-failed', 'unprocessable'],
});

export const listTickets = operation({
  service: 'helpdesk',
  name: 'ticket.list',
  phi: 'read',
  summary: 'List tickets, newest first',
  http: { method: 'GET', path: '/v1/helpdesk/tickets' },
  roles: allRoles,
  input: Type.Object(
    {
      status: Type.Optional(StringEnum(ticketStatuses)),
      /** true: every status but resolved and closed. */
      active: Type.Optional(Type.Boolean()),
      priority: Type.Optional(StringEnum(ticketPriorities)),
      category: Type.Optional(StringEnum(ticketCategories)),
      assignee: Type.Optional(Text(200)),
      /** true: only tickets nobody is assigned to. */
      unassigned: Type.Optional(Type.Boolean()),
      assetId: Type.Optional(Uuid),
      /** true: only tickets that breached a target. */
      breached: Type.Optional(Type.Boolean()),
      ...PageQuery,
    },
    { additionalProperties: false },
  ),
  output: Page(Ticket),
  errors: ['validation-failed'],
});

export const getTicket = operation({
  service: 'helpdesk',
  name: 'ticket.get',
  phi: 'read',
  summary: 'Get a ticket with its SLA state',
  http: { method: 'GET', path: '/v1/helpdesk/tickets/{id}' },
  roles: allRoles,
  input: Type.Object(IdParam, { additionalProperties: false }),
  output: Ticket,
  errors: ['not-found'],
});

export const updateTicket = operation({
  service: 'helpdesk',
  name: 'ticket.update',
  phi: 'write',
  summary: 'Change subject, category, priority or linked asset (a priority change re-targets the SLA)',
  http: { method: 'PATCH', path: '/v1/helpdesk/tickets/{id}' },
  roles: mso,
  input: Type.Object(
    {
      ...IdParam,
      subject: Type.Optional(Text(200)),
      category: Type.Optional(StringEnum(ticketCategories)),
      priority: Type.Optional(StringEnum(ticketPriorities)),
      assetId: Type.Optional(Nullable(Uuid)),
    },
    { additionalProperties: false },
  ),
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

export const ticketMessageKinds = ['reply', 'note'] as const;
export const TicketMessage = Type.Object({
  id: Uuid,
  ticketId: Uuid,
  /** `reply`: public, seen by the practice; `note`: internal to the MSO. */
  kind: StringEnum(ticketMessageKinds),
  body: Type.String(),
  author: Type.Object({ id: Type.String(), role: Type.String() }),
  createdAt: Timestamp,
});

const MessageInput = Type.Object({ ...IdParam, body: Text(20_000) }, { additionalProperties: false });

export const addReply = operation({
  service: 'helpdesk',
  name: 'ticket.reply',
  phi: 'write',
  summary: "Add a public reply (the MSO's first one is the first response; a practice reply reopens a pending or resolved ticket)",
  http: { method: 'POST', path: '/v1/helpdesk/tickets/{id}/replies', status: 201 },
  roles: allRoles,
  input: MessageInput,
  output: TicketMessage,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const addNote = operation({
  service: 'helpdesk',
  name: 'ticket.note',
  phi: 'write',
  summary: 'Add an internal note (MSO only; not a response to the practice)',
  http: { method: 'POST', path: '/v1/helpdesk/tickets/{id}/notes', status: 201 },
  roles: mso,
  input: MessageInput,
  output: TicketMessage,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const listMessages = operation({
  service: 'helpdesk',
  name: 'ticket.messages',
  phi: 'read',
  summary: 'The conversation, oldest first (internal notes for MSO roles only)',
  http: { method: 'GET', path: '/v1/helpdesk/tickets/{id}/messages' },
  roles: allRoles,
  input: Type.Object({ ...IdParam, ...PageQuery }, { additionalProperties: false }),
  output: Page(TicketMessage),
  errors: ['not-found', 'validation-failed'],
});

export const changeStatus = operation({
  service: 'helpdesk',
  name: 'ticket.status',
  phi: 'write',
  summary: 'Move a ticket to another status (pending-* pause the SLA clocks, resolved stops them)',
  http: { method: 'POST', path: '/v1/helpdesk/tickets/{id}/status' },
  roles: allRoles,
  input: Type.Object(
    {
      ...IdParam,
      status: StringEnum(ticketStatuses),
      /** Why (kept in the history; e.g. the resolution summary). */
      reason: Type.Optional(Text(2_000)),
    },
    { additionalProperties: false },
  ),
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'forbidden'],
});

export const assignTicket = operation({
  service: 'helpdesk',
  name: 'ticket.assign',
  phi: 'write',
  summary: 'Assign a ticket to MSO staff (null unassigns; omitted assigns to the caller)',
  http: { method: 'POST', path: '/v1/helpdesk/tickets/{id}/assignment' },
  roles: mso,
  input: Type.Object({ ...IdParam, assignee: Type.Optional(Nullable(Text(200))) }, { additionalProperties: false }),
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const historyActions = [
  'created',
  'updated',
  'status-changed',
  'assigned',
  'replied',
  'noted',
  'sla-at-risk',
  'sla-breached',
  'escalated',
  'incident-assessed',
  'incident-notified',
  'incident-deadline-at-risk',
  'incident-deadline-missed',
] as const;

export const HistoryEntry = Type.Object({
  id: Type.String(),
  ticketId: Uuid,
  at: Timestamp,
  actor: Type.Object({ id: Type.String(), role: Type.String() }),
  action: StringEnum(historyActions),
  /** Field changes as `{ field: [from, to] }`, and other details of the action. */
  changes: Type.Record(Type.String(), Type.Unknown()),
});

export const getHistory = operation({
  service: 'helpdesk',
  name: 'ticket.history',
  phi: 'read',
  summary: 'Every change to a ticket, oldest first',
  http: { method: 'GET', path: '/v1/helpdesk/tickets/{id}/history' },
  roles: allRoles,
  input: Type.Object(IdParam, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(HistoryEntry) }),
  errors: ['not-found'],
});

// ---- Security incidents (HIPAA) --------------------------------------------------------------------

export const assessIncident = operation({
  service: 'helpdesk',
  name: 'incident.assess',
  phi: 'write',
  summary: 'Record the discovery time, four-factor risk assessment and individuals affected of a security incident',
  http: { method: 'PUT', path: '/v1/helpdesk/tickets/{id}/security-incident' },
  roles: msoAndPracticeAdmin,
  input: Type.Object(
    {
      ...IdParam,
      discoveredAt: Type.Optional(Timestamp),
      riskAssessment: Type.Optional(RiskAssessment),
      phiEncrypted: Type.Optional(Type.Boolean()),
      exception: Type.Optional(Nullable(StringEnum(breachExceptions))),
      individualsAffected: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    },
    { additionalProperties: false },
  ),
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

export const recordNotification = operation({
  service: 'helpdesk',
  name: 'incident.notify',
  phi: 'write',
  summary: 'Record that a breach notice went out (to the practice, individuals, HHS or the media)',
  http: { method: 'POST', path: '/v1/helpdesk/tickets/{id}/security-incident/notifications' },
  roles: msoAndPracticeAdmin,
  input: Type.Object(
    { ...IdParam, recipient: StringEnum(breachRecipients), notifiedAt: Type.Optional(Timestamp) },
    { additionalProperties: false },
  ),
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

// ---- Assets ------------------------------------------------------------------------------------

export const assetTypes = ['laptop', 'desktop', 'server', 'tablet', 'phone', 'printer', 'network-device', 'medical-device', 'software-licence', 'other'] as const;
export const assetStatuses = ['in-use', 'in-stock', 'in-repair', 'retired', 'lost', 'stolen'] as const;

const AssetFields = {
  name: Text(200),
  type: StringEnum(assetTypes),
  status: StringEnum(assetStatuses),
  manufacturer: Nullable(Type.String({ maxLength: 200 })),
  model: Nullable(Type.String({ maxLength: 200 })),
  /** Device serial number or licence number; unique within the practice. */
  serialNumber: Nullable(Type.String({ minLength: 1, maxLength: 200 })),
  /** The person the device or licence is assigned to. */
  assignedTo: Nullable(Type.String({ maxLength: 200 })),
  warrantyEndsOn: Nullable(IsoDate),
  /** Full-disk encryption; null where it does not apply (printers, licences). */
  diskEncrypted: Nullable(Type.Boolean()),
  /** Licences: seats bought. */
  seats: Nullable(Type.Integer({ minimum: 1 })),
  /** Licences: when the subscription ends. */
  expiresOn: Nullable(IsoDate),
  notes: Nullable(Type.String({ maxLength: 4000 })),
};

export const Asset = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  ...AssetFields,
  /** Tickets linked to this asset that are not resolved or closed. */
  openTickets: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Asset = Static<typeof Asset>;

export const NewAsset = Type.Object(
  {
    name: AssetFields.name,
    type: AssetFields.type,
    status: Type.Optional(AssetFields.status),
    manufacturer: Type.Optional(AssetFields.manufacturer),
    model: Type.Optional(AssetFields.model),
    serialNumber: Type.Optional(AssetFields.serialNumber),
    assignedTo: Type.Optional(AssetFields.assignedTo),
    warrantyEndsOn: Type.Optional(AssetFields.warrantyEndsOn),
    diskEncrypted: Type.Optional(AssetFields.diskEncrypted),
    seats: Type.Optional(AssetFields.seats),
    expiresOn: Type.Optional(AssetFields.expiresOn),
    notes: Type.Optional(AssetFields.notes),
  },
  { additionalProperties: false },
);

export const createAsset = operation({
  service: 'helpdesk',
  name: 'asset.create',
  summary: 'Register a device or software licence',
  http: { method: 'POST', path: '/v1/helpdesk/assets', status: 201 },
  roles: msoAndPracticeAdmin,
  input: NewAsset,
  output: Asset,
  errors: ['validation-failed', 'conflict'],
});

export const listAssets = operation({
  service: 'helpdesk',
  name: 'asset.list',
  summary: "List the practice's assets, newest first",
  http: { method: 'GET', path: '/v1/helpdesk/assets' },
  roles: allRoles,
  input: Type.Object(
    {
      type: Type.Optional(StringEnum(assetTypes)),
      status: Type.Optional(StringEnum(assetStatuses)),
      assignedTo: Type.Optional(Text(200)),
      /** Warranty or licence ending on or before this date. */
      endingBy: Type.Optional(IsoDate),
      /** false: devices without disk encryption. */
      diskEncrypted: Type.Optional(Type.Boolean()),
      ...PageQuery,
    },
    { additionalProperties: false },
  ),
  output: Page(Asset),
  errors: ['validation-failed'],
});

export const getAsset = operation({
  service: 'helpdesk',
  name: 'asset.get',
  summary: 'Get an asset',
  http: { method: 'GET', path: '/v1/helpdesk/assets/{id}' },
  roles: allRoles,
  input: Type.Object(IdParam, { additionalProperties: false }),
  output: Asset,
  errors: ['not-found'],
});

export const updateAsset = operation({
  service: 'helpdesk',
  name: 'asset.update',
  summary: 'Change an asset (e.g. reassign it, or report it lost)',
  http: { method: 'PATCH', path: '/v1/helpdesk/assets/{id}' },
  roles: msoAndPracticeAdmin,
  input: Type.Object(
    {
      ...IdParam,
      ...NewAsset.properties,
      name: Type.Optional(AssetFields.name),
      type: Type.Optional(AssetFields.type),
    },
    { additionalProperties: false },
  ),
  output: Asset,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

// ---- SLA policy and reports ------------------------------------------------------------------------

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

// ---- Events ------------------------------------------------------------------------------------

const TicketRef = {
  ticketId: Uuid,
  practiceId: Uuid,
  number: Type.Integer(),
  category: StringEnum(ticketCategories),
  priority: StringEnum(ticketPriorities),
};

export const ticketCreated = event({
  type: 'helpdesk.ticket.created',
  data: Type.Object({
    ...TicketRef,
    status: StringEnum(ticketStatuses),
    source: StringEnum(ticketSources),
    assetId: Nullable(Uuid),
    firstResponseDueAt: Nullable(Timestamp),
    resolutionDueAt: Nullable(Timestamp),
    createdAt: Timestamp,
  }),
});

export const ticketAssigned = event({
  type: 'helpdesk.ticket.assigned',
  data: Type.Object({ ...TicketRef, assignee: Nullable(Type.String()), previousAssignee: Nullable(Type.String()) }),
});

export const ticketResolved = event({
  type: 'helpdesk.ticket.resolved',
  data: Type.Object({
    ...TicketRef,
    resolvedAt: Timestamp,
    firstResponseBreached: Type.Boolean(),
    resolutionBreached: Type.Boolean(),
    /** Business minutes to resolution, pauses excluded. */
    resolutionMinutes: Type.Integer(),
  }),
});

const SlaEvent = {
  ...TicketRef,
  target: StringEnum(slaTargetNames),
  dueAt: Timestamp,
  assignee: Nullable(Type.String()),
};

export const slaAtRisk = event({
  type: 'helpdesk.sla.at-risk',
  data: Type.Object({ ...SlaEvent, remainingMinutes: Type.Integer() }),
});

export const slaBreached = event({
  type: 'helpdesk.sla.breached',
  data: Type.Object({
    ...SlaEvent,
    /** What the policy did about it. */
    escalation: Type.Object({
      priority: Type.Object({ from: StringEnum(ticketPriorities), to: StringEnum(ticketPriorities) }),
      assignee: Type.Object({ from: Nullable(Type.String()), to: Nullable(Type.String()) }),
    }),
  }),
});

const DeadlineEvent = {
  ticketId: Uuid,
  practiceId: Uuid,
  number: Type.Integer(),
  recipient: StringEnum(breachRecipients),
  dueAt: Timestamp,
  individualsAffected: Nullable(Type.Integer()),
};

export const incidentDeadlineAtRisk = event({
  type: 'helpdesk.incident.deadline-at-risk',
  data: Type.Object({ ...DeadlineEvent, daysLeft: Type.Integer() }),
});

export const incidentDeadlineMissed = event({
  type: 'helpdesk.incident.deadline-missed',
  data: Type.Object(DeadlineEvent),
});

/**
 * A device or licence entered the practice's asset register (created, or back from retired, lost or
 * stolen): finance counts devices for per-seat fees. `kind` is the asset type, `at` when it happened.
 */
export const assetRegistered = event({
  type: 'helpdesk.asset.registered',
  data: Type.Object({ assetId: Uuid, practiceId: Uuid, kind: StringEnum(assetTypes), at: Timestamp }),
});

/** An asset left the register (retired, lost or stolen). */
export const assetRetired = event({
  type: 'helpdesk.asset.retired',
  data: Type.Object({ assetId: Uuid, practiceId: Uuid, kind: StringEnum(assetTypes), at: Timestamp }),
});

export const operations = [
  getInfo,
  getJob,
  listJobs,
  createTicket,
  listTickets,
  getTicket,
  updateTicket,
  addReply,
  addNote,
  listMessages,
  changeStatus,
  assignTicket,
  getHistory,
  assessIncident,
  recordNotification,
  createAsset,
  listAssets,
  getAsset,
  updateAsset,
  getSlaPolicy,
  openTicketsReport,
  slaComplianceReport,
  msoSlaComplianceReport,
  responseTimesReport,
] as const;

/** PHI access records of helpdesk's ticket and incident operations (written by the kit). */
export const helpdeskAuditRecorded = auditRecorded('helpdesk');

export const events = [
  ticketCreated,
  ticketAssigned,
  ticketResolved,
  slaAtRisk,
  slaBreached,
  incidentDeadlineAtRisk,
  incidentDeadlineMissed,
  assetRegistered,
  assetRetired,
  helpdeskAuditRecorded,
] as const;
