import * as contract from '@mso/contracts/finance';
import { handle } from '@mso/kit';
import { assetConsumers } from './assets.js';
import { listExpensesHandler, recordExpenseHandler } from './expenses.js';
import { getConsolidatedHandler, getIntercompanyHandler } from './intercompany.js';
import { getInvoiceHandler, getInvoicePdfHandler, listInvoicesHandler } from './invoices.js';
import { getManagementFeeRunHandler, listManagementFeeRunsHandler, previewManagementFeesHandler, runManagementFeesHandler } from './runs.js';
import { staffConsumers } from './staff.js';

/** Management fee runs, invoices, MSO expenses, intercompany and the consolidated view. */
export const feeHandlers = [
  handle(contract.runManagementFees, runManagementFeesHandler),
  handle(contract.previewManagementFees, previewManagementFeesHandler),
  handle(contract.listManagementFeeRuns, listManagementFeeRunsHandler),
  handle(contract.getManagementFeeRun, getManagementFeeRunHandler),
  handle(contract.listInvoices, listInvoicesHandler),
  handle(contract.getInvoice, getInvoiceHandler),
  handle(contract.getInvoicePdf, getInvoicePdfHandler),
  handle(contract.recordExpense, recordExpenseHandler),
  handle(contract.listExpenses, listExpensesHandler),
  handle(contract.getIntercompany, getIntercompanyHandler),
  handle(contract.getConsolidated, getConsolidatedHandler),
];

/** Helpdesk's asset register, for per-seat fees; HR's employments and payroll allocations, for per-employee and cost-plus fees. */
export const feeConsumers = [...assetConsumers, ...staffConsumers];
