// Helpdesk contract: the `helpdesk` slot of tenancy's agreement terms (SLA tier, calendar, escalation).
import Type, { type Static } from 'typebox';
import { IsoDate, StringEnum } from '../core.js';

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
          /** The HR person id of the staff member who takes breached tickets (ignored, with a warning, while they are not active staff). */
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
