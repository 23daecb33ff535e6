import { randomUUID } from 'node:crypto';
import type { EventDef, EventEnvelope } from '@mso/contracts';

export interface EnvelopeFields {
  /** The publishing service (`source: mso/<service>`); default: the event's producer. */
  service?: string;
  id?: string;
  time: Date;
  subject?: string;
  /** The practice the event is about (`tenantid`); absent for platform events. */
  practiceId?: string | null;
}

/** The CloudEvents 1.0 envelope of one event, as the outbox writes it and tests publish it. */
export function eventEnvelope<D>(event: EventDef, data: D, fields: EnvelopeFields): EventEnvelope<D> {
  return {
    specversion: '1.0',
    id: fields.id ?? randomUUID(),
    source: `mso/${fields.service ?? event.producer}`,
    type: event.type,
    time: fields.time.toISOString(),
    ...(fields.subject ? { subject: fields.subject } : {}),
    datacontenttype: 'application/json',
    dataschemaversion: event.version,
    ...(fields.practiceId ? { tenantid: fields.practiceId } : {}),
    data,
  };
}
