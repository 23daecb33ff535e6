import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/hr';
import { defineService } from '@mso/kit';
import { peopleHandlers } from './handlers/people/index.js';
import { providerHandlers } from './handlers/providers/index.js';
import { taskHandlers } from './handlers/tasks/index.js';
import { DEFAULT_TIME_ZONE, noticeExpiringCredentials } from './jobs/credential-expiry.js';
import { ssnKeyIsSet } from './ssn-key.js';

/**
 * HR: people and their employments across the MSO and the practices, providers and their
 * credentials, the credential-expiry notices and the credentialing team's tasks.
 * Each `handlers/<part>/index.ts` binds its part of the contract (`@mso/contracts/hr`, same parts).
 */
export const hr = defineService({
  id: 'hr',
  version: '0.1.0',
  description: 'HR: people and employments per legal entity, providers and credentials, expiry notices',
  db: { schema: 'hr', migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) },
  emits: contract.events,
  // Practice keys must buy HR (the operations are platform-scoped, like finance's); jobs run per practice.
  agreements: true,
  handlers: [...peopleHandlers, ...providerHandlers, ...taskHandlers],
  jobs: [{ name: 'credential-expiry', cron: '0 6 * * *', timeZone: DEFAULT_TIME_ZONE, perPractice: true, run: noticeExpiringCredentials }],
  init: async (ctx) => {
    if (!ssnKeyIsSet()) ctx.log.warn('MSO_IDEMPOTENCY_KEY is not set: SSN hashes use a development key that production will not match');
  },
});

export default hr;
