import * as contract from '@mso/contracts/billing';
import { handle, type HandlerBinding, type JobDefinition } from '@mso/kit';
import { listWorkStaffHandler } from './assignee.js';
import { appealDenialHandler, getDenialHandler, listDenialsHandler, resubmitDenialHandler, updateDenialHandler, writeOffDenialHandler } from './denials.js';
import { runDenialQueue } from './enqueue.js';
import { listMissingErasHandler, listTimelyFilingHandler, runClaimFollowUp, updateMissingEraHandler } from './follow-up.js';
import { claimsByStatusHandler, revenueCycleByPracticeHandler, revenueCycleHandler } from './reports.js';

export { enqueueDenials, type EnqueueResult } from './enqueue.js';

/** Denial and missing-ERA queues, timely filing, revenue-cycle reports, the staff items can be assigned to. */
export const workHandlers: HandlerBinding[] = [
  handle(contract.listDenials, listDenialsHandler),
  handle(contract.getDenial, getDenialHandler),
  handle(contract.updateDenial, updateDenialHandler),
  handle(contract.appealDenial, appealDenialHandler),
  handle(contract.resubmitDenial, resubmitDenialHandler),
  handle(contract.writeOffDenial, writeOffDenialHandler),
  handle(contract.listMissingEras, listMissingErasHandler),
  handle(contract.updateMissingEra, updateMissingEraHandler),
  handle(contract.listTimelyFiling, listTimelyFilingHandler),
  handle(contract.claimsByStatusReport, claimsByStatusHandler),
  handle(contract.revenueCycleReport, revenueCycleHandler),
  handle(contract.revenueCycleByPracticeReport, revenueCycleByPracticeHandler),
  handle(contract.listWorkStaff, listWorkStaffHandler),
];

export const workJobs: JobDefinition[] = [
  // Postings queue their denials as they are posted; this catches any posting that did not.
  { name: 'denial-queue', every: '15m', perPractice: true, run: runDenialQueue },
  // Each morning in the practice's zone: timely-filing deadlines and the missing-ERA queue.
  { name: 'claim-follow-up', cron: '0 6 * * *', perPractice: true, timeout: '10m', run: runClaimFollowUp },
];
