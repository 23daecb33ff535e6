import * as contract from '@mso/contracts/hr';
import { handle } from '@mso/kit';
import { adjustBalanceHandler, balanceReportHandler, getBalanceHandler } from './balances.js';
import { createPolicyHandler, listPoliciesHandler, updatePolicyHandler } from './policies.js';
import { approveRequestHandler, cancelRequestHandler, createRequestHandler, getRequestHandler, listRequestsHandler, rejectRequestHandler } from './requests.js';

/** Paid time off: policies per employer and leave type, requests and their decisions, the balance ledger. */
export const ptoHandlers = [
  handle(contract.createPtoPolicy, createPolicyHandler),
  handle(contract.updatePtoPolicy, updatePolicyHandler),
  handle(contract.listPtoPolicies, listPoliciesHandler),
  handle(contract.getPtoBalance, getBalanceHandler),
  handle(contract.adjustPtoBalance, adjustBalanceHandler),
  handle(contract.createPtoRequest, createRequestHandler),
  handle(contract.getPtoRequest, getRequestHandler),
  handle(contract.listPtoRequests, listRequestsHandler),
  handle(contract.approvePtoRequest, approveRequestHandler),
  handle(contract.rejectPtoRequest, rejectRequestHandler),
  handle(contract.cancelPtoRequest, cancelRequestHandler),
  handle(contract.ptoBalanceReport, balanceReportHandler),
];
