import * as contract from '@mso/contracts/collections';
import { handle } from '@mso/kit';
import {
  createAgencyHandler,
  exportPlacementsHandler,
  listAgenciesHandler,
  listPlacementsHandler,
  placeAccountHandler,
  recallPlacementHandler,
  recordRecoveryHandler,
} from './agencies.js';

/** Collection agencies, placements, recoveries and recalls. */
export const agencyHandlers = [
  handle(contract.createAgency, createAgencyHandler),
  handle(contract.listAgencies, listAgenciesHandler),
  handle(contract.placeAccount, placeAccountHandler),
  handle(contract.listPlacements, listPlacementsHandler),
  handle(contract.exportPlacements, exportPlacementsHandler),
  handle(contract.recordRecovery, recordRecoveryHandler),
  handle(contract.recallPlacement, recallPlacementHandler),
];
