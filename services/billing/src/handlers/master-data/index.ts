import * as contract from '@mso/contracts/billing';
import { handle } from '@mso/kit';
import { createCoverageHandler, getCoverageHandler, listCoveragesHandler, updateCoverageHandler } from './coverages.js';
import {
  addFeeEntriesHandler,
  createFeeScheduleHandler,
  getFeeScheduleHandler,
  listFeeEntriesHandler,
  listFeeSchedulesHandler,
  lookupFeeHandler,
  updateFeeScheduleHandler,
} from './fees.js';
import { createPatientHandler, getPatientHandler, listPatientsHandler, updatePatientHandler } from './patients.js';
import { createPayerHandler, getPayerHandler, listPayersHandler, updatePayerHandler } from './payers.js';
import { createProviderHandler, getProviderHandler, listProvidersHandler, updateProviderHandler } from './providers.js';


/** Payers, patients, coverage, providers and fee schedules. */
export const masterDataHandlers = [
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
];
