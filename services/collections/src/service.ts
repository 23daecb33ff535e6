import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/collections';
import { defineService } from '@mso/kit';
import { billingConsumers } from './consumers/billing.js';
import { accountHandlers } from './handlers/accounts/index.js';
import { paymentHandlers } from './handlers/payments/index.js';
import { planHandlers } from './handlers/plans/index.js';
import { reportHandlers } from './handlers/reports/index.js';
import { writeOffHandlers } from './handlers/write-offs/index.js';
import { agencyHandlers } from './handlers/agencies/index.js';
import { dunningHandlers } from './handlers/dunning/index.js';
import { statementHandlers } from './handlers/statements/index.js';
import { advanceDunning } from './jobs/dunning.js';
import { releaseQueuedStatements } from './jobs/statement-release.js';
import { runScheduledStatements } from './jobs/statement-run.js';
import { defaultPlansJob } from './jobs/plan-default.js';
import { smallBalanceJob } from './jobs/small-balance.js';

/**
 * Collections: guarantor balances from billing's adjudications, statements, dunning, payment plans,
 * patient payments, refunds and write-offs.
 * Each `handlers/<part>/index.ts` binds its part of the contract (`@mso/contracts/collections`, same parts).
 */
export const collections = defineService({
  id: 'collections',
  version: '0.1.0',
  description: 'Collections: guarantor balances, statements, dunning, payment plans, patient payments',
  db: { schema: 'collections', migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) },
  emits: contract.events,
  agreements: true,
  handlers: [...accountHandlers, ...paymentHandlers, ...planHandlers, ...writeOffHandlers, ...reportHandlers, ...statementHandlers, ...dunningHandlers, ...agencyHandlers],
  // Guarantor balances and insurance pending from billing's claims and adjudications.
  consumers: [...billingConsumers],
  jobs: [
    // In each practice's own zone, on the injected clock.
    { name: 'plan-default', cron: '0 6 * * *', perPractice: true, run: defaultPlansJob },
    { name: 'small-balance-write-off', cron: '0 2 * * *', perPractice: true, run: smallBalanceJob },
    { name: 'statement-run', cron: '0 7 * * *', perPractice: true, run: runScheduledStatements },
    { name: 'dunning', cron: '30 7 * * *', perPractice: true, run: advanceDunning },
    { name: 'statement-release', cron: '*/15 * * * *', perPractice: true, run: releaseQueuedStatements },
  ],
});

export default collections;
