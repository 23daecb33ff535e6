import * as contract from '@mso/contracts/billing';
import { handle, type HandlerBinding } from '@mso/kit';
import { matchUnmatchedRemittanceHandler, postClaimPaymentHandler } from './manual.js';
import { postRemittanceHandler } from './post-remittance.js';
import { getRemittanceHandler, listRemittancesHandler, listUnmatchedRemittancesHandler } from './views.js';

/** 835 posting, remittances, the unmatched-remittance queue and paper EOB postings. */
export const remittanceHandlers: HandlerBinding[] = [
  handle(contract.postRemittance, postRemittanceHandler),
  handle(contract.getRemittance, getRemittanceHandler),
  handle(contract.listRemittances, listRemittancesHandler),
  handle(contract.listUnmatchedRemittances, listUnmatchedRemittancesHandler),
  handle(contract.matchUnmatchedRemittance, matchUnmatchedRemittanceHandler),
  handle(contract.postClaimPayment, postClaimPaymentHandler),
];
