import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/tenancy';
import { defineService, handle } from '@mso/kit';
import { auditConsumers, listAuditEventsHandler, pruneAuditEvents } from './handlers/audit.js';
import { createMsoApiKeyHandler, createPracticeApiKeyHandler, revokeApiKeyHandler } from './handlers/api-keys.js';
import { getCatalogHandler, getMeHandler } from './handlers/catalog.js';
import { getEntitlementHandler, resolveApiKeyHandler, syncEntitlements } from './handlers/entitlements.js';
import { addLocationHandler } from './handlers/locations.js';
import { createPracticeHandler, getPracticeHandler, listPracticesHandler, putAgreementHandler } from './handlers/practices.js';

/** The control plane: practices, their agreements, API keys and what each practice may use. */
export const tenancy = defineService({
  id: 'tenancy',
  version: '1.0.0',
  description: 'Practices, agreements (MSAs), API keys and entitlements',
  db: { schema: 'tenancy', migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) },
  emits: contract.events,
  handlers: [
    handle(contract.createPractice, createPracticeHandler),
    handle(contract.listPractices, listPracticesHandler),
    handle(contract.getPractice, getPracticeHandler),
    handle(contract.putAgreement, putAgreementHandler),
    handle(contract.addLocation, addLocationHandler),
    handle(contract.createPracticeApiKey, createPracticeApiKeyHandler),
    handle(contract.createMsoApiKey, createMsoApiKeyHandler),
    handle(contract.revokeApiKey, revokeApiKeyHandler),
    handle(contract.getCatalog, getCatalogHandler),
    handle(contract.getMe, getMeHandler),
    handle(contract.resolveApiKey, resolveApiKeyHandler),
    handle(contract.getEntitlement, getEntitlementHandler),
    handle(contract.listAuditEvents, listAuditEventsHandler),
  ],
  consumers: auditConsumers,
  jobs: [
    { name: 'entitlement-sync', every: '1m', run: (ctx) => syncEntitlements(ctx) },
    { name: 'audit-prune', every: '1d', run: pruneAuditEvents },
  ],
  init: (ctx) => syncEntitlements(ctx),
});

export default tenancy;
