import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/finance';
import { defineService } from '@mso/kit';
import { onAgreementChange } from './consumers/agreement.js';
import { eventConsumers } from './consumers/events.js';
import { feeConsumers, feeHandlers } from './handlers/fees/index.js';
import { ledgerHandlers } from './handlers/ledger/index.js';
import { reportHandlers } from './handlers/reports/index.js';
import { checkBalances } from './jobs/balance-check.js';
import { ensureEntity } from './ledger/entities.js';

/**
 * Finance: books per legal entity (the MSO and each practice) kept from the other services' events
 * (ledger/mapping.ts), reports, management fees with invoices and mirrored intercompany entries.
 * Each `handlers/<part>/index.ts` binds its part of the contract (`@mso/contracts/finance`, same parts).
 */
export const finance = defineService({
  id: 'finance',
  version: '0.1.0',
  description: 'Finance: ledger per entity from billing events, reports, management fees, intercompany',
  db: { schema: 'finance', migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) },
  emits: contract.events,
  // Every practice's books open with tenancy's announcement; fee runs read the agreements' fees.
  agreements: { onChange: onAgreementChange },
  handlers: [...ledgerHandlers, ...reportHandlers, ...feeHandlers],
  consumers: [...eventConsumers, ...feeConsumers],
  jobs: [{ name: 'balance-check', every: '1h', run: checkBalances }],
  // The MSO's own books (the entity without a practice).
  init: (ctx) => ensureEntity(ctx.db, 'mso', ctx.clock.now(), { name: 'MSO' }),
});

export default finance;
