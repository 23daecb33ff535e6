import * as contract from '@mso/contracts/collections';
import { handle } from '@mso/kit';
import {
  getPracticeProfileHandler,
  getStatementHandler,
  getStatementPdfHandler,
  listStatementRunsHandler,
  listStatementsHandler,
  putPracticeProfileHandler,
  runStatementsHandler,
  statementsSentReportHandler,
} from './statements.js';

/** Statement runs, statements (JSON and PDF), the practice profile and the statements-sent report. */
export const statementHandlers = [
  handle(contract.runStatements, runStatementsHandler),
  handle(contract.listStatementRuns, listStatementRunsHandler),
  handle(contract.getStatement, getStatementHandler),
  handle(contract.getStatementPdf, getStatementPdfHandler),
  handle(contract.listStatements, listStatementsHandler),
  handle(contract.putPracticeProfile, putPracticeProfileHandler),
  handle(contract.getPracticeProfile, getPracticeProfileHandler),
  handle(contract.statementsSentReport, statementsSentReportHandler),
];
