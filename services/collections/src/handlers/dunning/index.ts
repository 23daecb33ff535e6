import * as contract from '@mso/contracts/collections';
import { handle } from '@mso/kit';
import { dunningStepsReportHandler, getDunningPolicyHandler, getDunningStateHandler, putDunningPolicyHandler } from './dunning.js';

/** The dunning policy, accounts' positions in it, and the accounts-per-step report. */
export const dunningHandlers = [
  handle(contract.putDunningPolicy, putDunningPolicyHandler),
  handle(contract.getDunningPolicy, getDunningPolicyHandler),
  handle(contract.getDunningState, getDunningStateHandler),
  handle(contract.dunningStepsReport, dunningStepsReportHandler),
];
