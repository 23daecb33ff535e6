import * as contract from '@mso/contracts/finance';
import { handle } from '@mso/kit';
import { createAccountHandler, listAccountsHandler, listEntitiesHandler } from './accounts.js';
import { createJournalEntryHandler, getJournalEntryHandler, listJournalEntriesHandler, reverseJournalEntryHandler } from './entries.js';
import { closeFiscalYearHandler, closePeriodHandler, getBalanceCheckHandler, listPeriodsHandler } from './periods.js';

/** Entities, chart of accounts, journal entries and periods. */
export const ledgerHandlers = [
  handle(contract.listEntities, listEntitiesHandler),
  handle(contract.listAccounts, listAccountsHandler),
  handle(contract.createAccount, createAccountHandler),
  handle(contract.createJournalEntry, createJournalEntryHandler),
  handle(contract.getJournalEntry, getJournalEntryHandler),
  handle(contract.listJournalEntries, listJournalEntriesHandler),
  handle(contract.reverseJournalEntry, reverseJournalEntryHandler),
  handle(contract.listPeriods, listPeriodsHandler),
  handle(contract.closePeriod, closePeriodHandler),
  handle(contract.closeFiscalYear, closeFiscalYearHandler),
  handle(contract.getBalanceCheck, getBalanceCheckHandler),
];
