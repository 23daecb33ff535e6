import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/billing';
import { defineService, handle } from '@mso/kit';
import { createCoverageHandler, getCoverageHandler, listCoveragesHandler, updateCoverageHandler } from './handlers/coverages.js';
import {
  addFeeEntriesHandler,
  createFeeScheduleHandler,
  getFeeScheduleHandler,
  listFeeEntriesHandler,
  listFeeSchedulesHandler,
  lookupFeeHandler,
  updateFeeScheduleHandler,
} from './handlers/fees.js';
import { createPatientHandler, getPatientHandler, listPatientsHandler, updatePatientHandler } from './handlers/patients.js';
import { createPayerHandler, getPayerHandler, listPayersHandler, updatePayerHandler } from './handlers/payers.js';
import { createProviderHandler, getProviderHandler, listProvidersHandler, updateProviderHandler } from './handlers/providers.js';

/** Billing: master data so far (payers, patients, coverage, providers, fee schedules); claims and ERAs next. */
export const billing = defineService({
  id: 'billing',
  version: '0.1.0',
  description: 'Billing: payers, patients, coverage, providers and fee schedules (claims and ERAs to come)',
  db: { schema: 'billing', migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) },
  emits: contract.events,
  // The practice's billing terms (timely filing, fee) from its agreement: `ctx.agreement`.
  agreements: true,
  handlers: [
    handle(contract.createPayer, createPayerHandler),
    handle(contract.listPayers, listPayersHandler),
    handle(contract.getPayer, getPayerHandler),
    handle(contract.updatePayer, updatePayerHandler),
    handle(contract.createPatient, createPatientHandler),
    handle(contract.listPatients, listPatientsHandler),
    handle(contract.getPatient, getPatientHandler),
    handle(contract.updatePatient, updatePatientHandler),
    handle(contract.createCoverage, createCoverageHandler),
    handle(contract.listCoverages, listCoveragesHandler),
    handle(contract.getCoverage, getCoverageHandler),
    handle(contract.updateCoverage, updateCoverageHandler),
    handle(contract.createProvider, createProviderHandler),
    handle(contract.listProviders, listProvidersHandler),
    handle(contract.getProvider, getProviderHandler),
    handle(contract.updateProvider, updateProviderHandler),
    handle(contract.createFeeSchedule, createFeeScheduleHandler),
    handle(contract.listFeeSchedules, listFeeSchedulesHandler),
    handle(contract.getFeeSchedule, getFeeScheduleHandler),
    handle(contract.updateFeeSchedule, updateFeeScheduleHandler),
    handle(contract.addFeeEntries, addFeeEntriesHandler),
    handle(contract.listFeeEntries, listFeeEntriesHandler),
    handle(contract.lookupFee, lookupFeeHandler),
  ],
});

export default billing;
