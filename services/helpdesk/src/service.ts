import { fileURLToPath } from 'node:url';
import * as contract from '@mso/contracts/helpdesk';
import { employeeHired, employeeTerminated } from '@mso/contracts/hr';
import { consume, defineService, handle } from '@mso/kit';
import { onEmployeeHired, onEmployeeTerminated } from './consumers/hr.js';
import { onAgreementChange } from './consumers/agreement.js';
import { createAssetHandler, getAssetHandler, listAssetsHandler, updateAssetHandler } from './handlers/assets.js';
import { assessIncidentHandler, recordNotificationHandler } from './handlers/incidents.js';
import { getSlaPolicyHandler } from './handlers/policy.js';
import { msoSlaComplianceHandler, openTicketsHandler, responseTimesHandler, slaComplianceHandler } from './handlers/reports.js';
import { listStaffHandler } from './handlers/staff.js';
import { createTicketHandler, getTicketHandler, listTicketsHandler, updateTicketHandler } from './handlers/tickets.js';
import { addNoteHandler, addReplyHandler, assignTicketHandler, changeStatusHandler, getHistoryHandler, listMessagesHandler } from './handlers/workflow.js';
import { autoCloseResolved } from './jobs/auto-close.js';
import { checkIncidentDeadlines } from './jobs/incident-deadlines.js';
import { checkSlas } from './jobs/sla-check.js';

/** IT helpdesk: tickets with SLAs, assets, HIPAA security incidents. */
export const helpdesk = defineService({
  id: 'helpdesk',
  version: '1.0.0',
  description: 'IT helpdesk: tickets with SLAs, assets, HIPAA security incidents',
  db: { schema: 'helpdesk', migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) },
  emits: contract.events,
  // Each practice's agreement (SLA tier, calendar, escalation) from tenancy; running clocks follow changes.
  agreements: { onChange: onAgreementChange },
  // HR's staff directory (who tickets can be assigned to): `ctx.staff`.
  staffDirectory: true,
  handlers: [
    handle(contract.createTicket, createTicketHandler),
    handle(contract.listTickets, listTicketsHandler),
    handle(contract.getTicket, getTicketHandler),
    handle(contract.updateTicket, updateTicketHandler),
    handle(contract.addReply, addReplyHandler),
    handle(contract.addNote, addNoteHandler),
    handle(contract.listMessages, listMessagesHandler),
    handle(contract.changeStatus, changeStatusHandler),
    handle(contract.assignTicket, assignTicketHandler),
    handle(contract.getHistory, getHistoryHandler),
    handle(contract.assessIncident, assessIncidentHandler),
    handle(contract.recordNotification, recordNotificationHandler),
    handle(contract.createAsset, createAssetHandler),
    handle(contract.listAssets, listAssetsHandler),
    handle(contract.getAsset, getAssetHandler),
    handle(contract.updateAsset, updateAssetHandler),
    handle(contract.getSlaPolicy, getSlaPolicyHandler),
    handle(contract.openTicketsReport, openTicketsHandler),
    handle(contract.slaComplianceReport, slaComplianceHandler),
    handle(contract.msoSlaComplianceReport, msoSlaComplianceHandler),
    handle(contract.responseTimesReport, responseTimesHandler),
    handle(contract.listStaff, listStaffHandler),
  ],
  consumers: [
    consume(employeeHired, onEmployeeHired),
    consume(employeeTerminated, onEmployeeTerminated),
  ],
  jobs: [
    { name: 'sla-check', every: '1m', run: checkSlas },
    { name: 'incident-deadlines', every: '15m', run: checkIncidentDeadlines },
    { name: 'auto-close', every: '1h', run: autoCloseResolved },
  ],
});

export default helpdesk;
