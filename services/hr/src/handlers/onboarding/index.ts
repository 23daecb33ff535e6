import * as contract from '@mso/contracts/hr';
import { handle } from '@mso/kit';
import { completeChecklistTaskHandler, getChecklistHandler, listChecklistsHandler, startChecklistHandler } from './checklists.js';
import { createChecklistTemplateHandler, listChecklistTemplatesHandler, updateChecklistTemplateHandler } from './templates.js';

/** Onboarding and offboarding: checklist templates per employer, checklists per employment. */
export const onboardingHandlers = [
  handle(contract.createChecklistTemplate, createChecklistTemplateHandler),
  handle(contract.listChecklistTemplates, listChecklistTemplatesHandler),
  handle(contract.updateChecklistTemplate, updateChecklistTemplateHandler),
  handle(contract.listChecklists, listChecklistsHandler),
  handle(contract.getChecklist, getChecklistHandler),
  handle(contract.startChecklist, startChecklistHandler),
  handle(contract.completeChecklistTask, completeChecklistTaskHandler),
];
