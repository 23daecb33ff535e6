import * as contract from '@mso/contracts/finance';
import { handle } from '@mso/kit';
import {
  exportGeneralLedgerHandler,
  exportTrialBalanceHandler,
  getArAgingHandler,
  getBalanceSheetHandler,
  getGeneralLedgerHandler,
  getProfitAndLossHandler,
  getTrialBalanceHandler,
} from './reports.js';

/** Trial balance, P&L, balance sheet, general ledger, AR aging, CSV exports. */
export const reportHandlers = [
  handle(contract.getTrialBalance, getTrialBalanceHandler),
  handle(contract.exportTrialBalance, exportTrialBalanceHandler),
  handle(contract.getProfitAndLoss, getProfitAndLossHandler),
  handle(contract.getBalanceSheet, getBalanceSheetHandler),
  handle(contract.getGeneralLedger, getGeneralLedgerHandler),
  handle(contract.exportGeneralLedger, exportGeneralLedgerHandler),
  handle(contract.getArAging, getArAgingHandler),
];
