import * as contract from '@mso/contracts/billing';
import { handle, type HandlerBinding } from '@mso/kit';
import { createClaimFromEncounterHandler, getClaimHandler, listClaimsHandler, updateClaimHandler } from './claims.js';
import { addChargeHandler, createEncounterHandler, getEncounterHandler, listEncountersHandler } from './encounters.js';
import { correctClaimHandler, scrubClaimHandler, submitClaimHandler, voidClaimHandler } from './lifecycle.js';
import { submitClaimsHandler } from './submissions.js';

/** Encounters and charges, claims built from them, the scrubber, submission, corrections and voids. */
export const claimHandlers: HandlerBinding[] = [
  handle(contract.createEncounter, createEncounterHandler),
  handle(contract.getEncounter, getEncounterHandler),
  handle(contract.listEncounters, listEncountersHandler),
  handle(contract.addCharge, addChargeHandler),
  handle(contract.createClaimFromEncounter, createClaimFromEncounterHandler),
  handle(contract.getClaim, getClaimHandler),
  handle(contract.listClaims, listClaimsHandler),
  handle(contract.updateClaim, updateClaimHandler),
  handle(contract.scrubClaim, scrubClaimHandler),
  handle(contract.submitClaim, submitClaimHandler),
  handle(contract.submitClaims, submitClaimsHandler),
  handle(contract.correctClaim, correctClaimHandler),
  handle(contract.voidClaim, voidClaimHandler),
];
