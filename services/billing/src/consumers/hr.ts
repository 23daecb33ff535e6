import { sql } from 'drizzle-orm';
import { providerCredentialsChanged } from '@mso/contracts/hr';
import { consume, type EventHandler } from '@mso/kit';
import { providerCredentials } from '../db/schema.js';

/**
 * HR's credentials view: each event carries a provider's whole current set of licences and
 * enrollments, so it replaces the row. The kit's inbox drops a repeated event id; the time guard
 * keeps a redelivered older event (which can arrive after newer ones) from undoing a newer set.
 */
export const onProviderCredentialsChanged: EventHandler<typeof providerCredentialsChanged> = async (event, ctx) => {
  const { npi, practiceId, licences, enrollments } = event.data;
  const changedAt = new Date(event.time);
  await ctx.db
    .insert(providerCredentials)
    .values({ practiceId, npi, licences, enrollments, changedAt, updatedAt: ctx.clock.now() })
    .onConflictDoUpdate({
      target: [providerCredentials.practiceId, providerCredentials.npi],
      set: { licences, enrollments, changedAt, updatedAt: ctx.clock.now() },
      setWhere: sql`${providerCredentials.changedAt} <= excluded.changed_at`,
    });
};

export const hrConsumers = [consume(providerCredentialsChanged, onProviderCredentialsChanged)];
