import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/hr';
import { consume, defineService } from '@mso/kit';
import { publishStaffMember } from './consumers/staff-directory.js';
import { onboardingHandlers } from './handlers/onboarding/index.js';
import { payrollHandlers } from './handlers/payroll/index.js';
import { peopleHandlers } from './handlers/people/index.js';
import { providerHandlers } from './handlers/providers/index.js';
import { ptoHandlers } from './handlers/pto/index.js';
import { reportHandlers } from './handlers/reports/index.js';
import { taskHandlers } from './handlers/tasks/index.js';
import { DEFAULT_TIME_ZONE, noticeExpiringCredentials } from './jobs/credential-expiry.js';
import { accruePto, PTO_ACCRUAL_CRON } from './jobs/pto-accrual.js';
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
  handlers: [...peopleHandlers, ...providerHandlers, ...taskHandlers, ...payrollHandlers, ...reportHandlers, ...onboardingHandlers, ...ptoHandlers],
  consumers: [consume(contract.personChanged, publishStaffMember)],
  jobs: [{ name: 'credential-expiry', cron: '0 6 * * *', timeZone: DEFAULT_TIME_ZONE, perPractice: true, run: noticeExpiringCredentials }, { name: 'pto-accrual', cron: PTO_ACCRUAL_CRON, timeZone: DEFAULT_TIME_ZONE, perPractice: true, run: accruePto }, { name: 'pto-accrual-mso', cron: PTO_ACCRUAL_CRON, timeZone: DEFAULT_TIME_ZONE, run: accruePto }],
  init: async (ctx) => {
    if (!ssnKeyIsSet()) ctx.log.warn('MSO_IDEMPOTENCY_KEY is not set: SSN hashes use a development key that production will not match');
  },
});

export default hr;
