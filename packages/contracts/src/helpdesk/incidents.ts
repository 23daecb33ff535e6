// Helpdesk contract: the HIPAA side of a security-incident ticket (risk assessment, notice deadlines).
import Type, { type Static } from 'typebox';
import { Nullable, StringEnum, Timestamp } from '../core.js';

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
