// Daily, in each practice's time zone: notices for credentials reaching 90/60/30/7 days before
// expiry (`hr.credential.expiring`) and their expiry day (`hr.credential.expired`), with a task for
// the credentialing team. The notice row, the event and the task commit together, and the notice's
// key (credential, expiry, threshold) makes each happen once, whichever copy runs, however often.
import { and, eq, isNotNull, lte } from 'drizzle-orm';
import { credentialExpired, credentialExpiring, type CredentialKind } from '@mso/contracts/hr';
import { localDate, type JobContext } from '@mso/kit';
import { addDays, EXPIRED, NOTICE_THRESHOLDS, reachedThresholds } from '../domain/credentials.js';
import { credentialNotices, credentials, providers, tasks } from '../db/schema.js';

export const CREDENTIALING_TEAM = 'credentialing';
/** The zone of a practice whose agreement names none. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

const label: Record<CredentialKind, string> = {
  'state-licence': 'State licence',
  dea: 'DEA registration',
  'board-certification': 'Board certification',
  malpractice: 'Malpractice cover',
  'caqh-attestation': 'CAQH attestation',
  recredentialing: 'Recredentialing',
};

export async function noticeExpiringCredentials(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  const agreement = await ctx.agreements.get(practiceId);
  const today = localDate(ctx.tick, agreement?.timeZone ?? DEFAULT_TIME_ZONE);
  const horizon = addDays(today, Math.max(...NOTICE_THRESHOLDS));
  await ctx.transaction(async (tx) => {
    const due = await tx.db
      .select({ credential: credentials, npi: providers.npi })
      .from(credentials)
      .innerJoin(providers, eq(providers.id, credentials.providerId))
      .where(and(eq(credentials.practiceId, practiceId), isNotNull(credentials.expiresOn), lte(credentials.expiresOn, horizon)));
    const now = ctx.clock.now();
    for (const { credential: c, npi } of due) {
      const expiresOn = c.expiresOn!;
      const reached = reachedThresholds(expiresOn, today);
      if (reached.length === 0) continue;
      // Only the tightest threshold reached is announced; looser ones passed over (a credential
      // recorded 20 days before expiry) are recorded as not emitted, so they never go out later.
      const tightest = reached[reached.length - 1]!;
      const inserted = await tx.db
        .insert(credentialNotices)
        .values(reached.map((threshold) => ({ practiceId, credentialId: c.id, expiresOn, threshold, emitted: threshold === tightest, createdAt: now })))
        .onConflictDoNothing()
        .returning({ threshold: credentialNotices.threshold });
      if (!inserted.some((n) => n.threshold === tightest)) continue;
      const notice = { credentialId: c.id, providerId: c.providerId, practiceId, npi, kind: c.kind as CredentialKind, state: c.state, expiresOn };
      const what = `${label[notice.kind]}${c.state ? ` (${c.state})` : ''} of NPI ${npi}`;
      if (tightest === EXPIRED) await tx.emit(credentialExpired, notice, { subject: c.id });
      else await tx.emit(credentialExpiring, { ...notice, daysBefore: tightest }, { subject: c.id });
      await tx.db.insert(tasks).values({
        id: crypto.randomUUID(),
        practiceId,
        kind: tightest === EXPIRED ? 'credential-expired' : 'credential-expiring',
        team: CREDENTIALING_TEAM,
        title: tightest === EXPIRED ? `${what} expired on ${expiresOn}: renew it` : `${what} expires on ${expiresOn} (in ${tightest} days): renew it`,
        credentialId: c.id,
        providerId: c.providerId,
        dueOn: expiresOn,
        status: 'open',
        createdAt: now,
        completedAt: null,
      });
    }
  });
}
