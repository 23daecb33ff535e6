import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/billing';
import { defineService } from '@mso/kit';
import { hrConsumers } from './consumers/hr.js';
import { claimHandlers } from './handlers/claims/index.js';
import { ediHandlers } from './handlers/edi/index.js';
import { masterDataHandlers } from './handlers/master-data/index.js';
import { remittanceHandlers } from './handlers/remittances/index.js';
import { workHandlers, workJobs } from './handlers/work/index.js';

/**
 * Billing, the revenue cycle: master data, encounters to claims (scrubbed, submitted, batched as 837P),
 * 999/277CA acknowledgments, 837P imports, 835 remittance posting, denial and missing-ERA work queues.
 * Each `handlers/<part>/index.ts` binds its part of the contract (`@mso/contracts/billing`, same parts).
 */
export const billing = defineService({
  id: 'billing',
  version: '0.2.0',
  description: 'Billing: claims from charges to cash (scrubber, 837P out and in, 999/277CA, 835 posting, work queues)',
  db: { schema: 'billing', migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) },
  emits: contract.events,
  // The practice's billing terms (timely filing, fee) from its agreement: `ctx.agreement`.
  agreements: true,
  // HR's staff directory (who work items can be assigned to): `ctx.staff`.
  staffDirectory: true,
  handlers: [...masterDataHandlers, ...claimHandlers, ...ediHandlers, ...remittanceHandlers, ...workHandlers],
  // HR's credentials view, which the scrubber's `provider-not-credentialed` rule reads.
  consumers: [...hrConsumers],
  jobs: [...workJobs],
});

export default billing;
