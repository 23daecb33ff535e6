import * as contract from '@mso/contracts/hr';
import { handle } from '@mso/kit';
import { createPayrollRunHandler, getPayrollRunHandler, listPayrollRunsHandler } from './runs.js';
import { getPayrollSettingsHandler, putPayrollSettingsHandler } from './settings.js';

/** Pay schedules and rates per employer, payroll runs. */
export const payrollHandlers = [
  handle(contract.putPayrollSettings, putPayrollSettingsHandler),
  handle(contract.getPayrollSettings, getPayrollSettingsHandler),
  handle(contract.createPayrollRun, createPayrollRunHandler),
  handle(contract.getPayrollRun, getPayrollRunHandler),
  handle(contract.listPayrollRuns, listPayrollRunsHandler),
];
