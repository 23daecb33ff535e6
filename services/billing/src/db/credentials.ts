import { jsonb, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { billing, ts } from './pg.js';

// HR's credentialing view, kept from `hr.provider.credentials-changed`: what the scrubber's
// `provider-not-credentialed` rule reads. HR owns the data; billing only mirrors it.

export interface CredentialPeriod {
  from: string;
  /** Null when open-ended. */
  to: string | null;
}
export type LicencePeriod = CredentialPeriod & { state: string };
/** `payerId` is the payer's EDI payer id, matched against `payers.edi_payer_id`. */
export type EnrollmentPeriod = CredentialPeriod & { payerId: string };

/** One row per practice and NPI: the latest full set HR announced, replaced whole by each event. */
export const providerCredentials = billing.table(
  'provider_credentials',
  {
    practiceId: uuid('practice_id').notNull(),
    npi: text('npi').notNull(),
    licences: jsonb('licences').$type<LicencePeriod[]>().notNull(),
    enrollments: jsonb('enrollments').$type<EnrollmentPeriod[]>().notNull(),
    /** The event's time: a redelivered older event does not overwrite a newer set. */
    changedAt: ts('changed_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.npi] })],
);
