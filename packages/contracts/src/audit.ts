import Type, { type Static } from 'typebox';
import { event, StringEnum, Timestamp, Uuid, type ServiceId } from './core.js';

export const auditOutcomes = ['ok', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/**
 * One access to PHI through an operation declared `phi: 'read' | 'write'`: who, for which practice,
 * what, on which resources, and how it ended; or one use of the MSO-wide path past the tenant wall
 * (`access: 'across-practices'`, with its reason). Ids only: never the PHI itself.
 */
export const AuditRecord = Type.Object({
  id: Uuid,
  /** When the access happened (the service's clock). */
  at: Timestamp,
  service: Type.String(),
  /** The operation's subject, e.g. `helpdesk.v1.ticket.get`; for `across-practices`, also `job:<name>`, `event:<type>` or `init`. */
  operation: Type.String(),
  access: StringEnum(['read', 'write', 'across-practices'] as const),
  /** The API key id (or `system:<service>`) and its role. */
  principalId: Type.String(),
  principalRole: Type.String(),
  /** The practice the access was on behalf of; null for MSO-wide operations. */
  practiceId: Type.Union([Type.String(), Type.Null()]),
  /** The input's path parameters and the output's `id`, when there is one. */
  resourceIds: Type.Array(Type.String()),
  outcome: StringEnum(auditOutcomes),
  /** The problem code of a refused or failed attempt. */
  problemCode: Type.Union([Type.String(), Type.Null()]),
  traceId: Type.Union([Type.String(), Type.Null()]),
  /** Why the MSO-wide path was used (`across-practices` only; no PHI in it). */
  reason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type AuditRecord = Static<typeof AuditRecord>;

/**
 * `<service>.audit.recorded`: the kit emits one per audit record, through the service's outbox in the
 * same transaction as the record; tenancy keeps them for `GET /v1/tenancy/audit-events`.
 */
export function auditRecorded(service: ServiceId) {
  return event({ type: `${service}.audit.recorded`, data: AuditRecord });
}
