import * as contract from '@mso/contracts/billing';
import { handle, type HandlerBinding } from '@mso/kit';
import { importAcknowledgmentHandler } from './acknowledgments.js';
import { createBatchesHandler, getBatchFileHandler, getBatchHandler, listBatchesHandler } from './batches.js';
import { getClaimImportHandler, importClaimsHandler } from './imports.js';

/** 837P batches out, 999/277CA acknowledgments in, 837P imports from EHRs. */
export const ediHandlers: HandlerBinding[] = [
  handle(contract.createBatches, createBatchesHandler),
  handle(contract.listBatches, listBatchesHandler),
  handle(contract.getBatch, getBatchHandler),
  handle(contract.getBatchFile, getBatchFileHandler),
  handle(contract.importAcknowledgment, importAcknowledgmentHandler),
  handle(contract.importClaims, importClaimsHandler),
  handle(contract.getClaimImport, getClaimImportHandler),
];
