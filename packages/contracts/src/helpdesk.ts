// Helpdesk's contract, one file per part (helpdesk/*.ts): tickets, working them, security incidents,
// assets, SLA policy and reports, the staff tickets are assigned to, events. The service handles
// every operation listed in `operations`.
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';
import { createAsset, getAsset, listAssets, updateAsset } from './helpdesk/assets.js';
import {
  assetRegistered,
  assetRetired,
  helpdeskAuditRecorded,
  incidentDeadlineAtRisk,
  incidentDeadlineMissed,
  slaAtRisk,
  slaBreached,
  ticketAssigned,
  ticketCreated,
  ticketResolved,
} from './helpdesk/events.js';
import { listStaff } from './helpdesk/staff.js';
import { getSlaPolicy, msoSlaComplianceReport, openTicketsReport, responseTimesReport, slaComplianceReport } from './helpdesk/reports.js';
import { createTicket, getTicket, listTickets, updateTicket } from './helpdesk/tickets.js';
import { addNote, addReply, assessIncident, assignTicket, changeStatus, getHistory, listMessages, recordNotification } from './helpdesk/workflow.js';

export {
  slaTargetNames,
  ticketCategories,
  ticketPriorities,
  ticketSources,
  ticketStatuses,
  type SlaTargetName,
  type TicketCategory,
  type TicketPriority,
  type TicketSource,
  type TicketStatus,
} from './helpdesk/common.js';
export * from './helpdesk/terms.js';
export * from './helpdesk/incidents.js';
export * from './helpdesk/tickets.js';
export * from './helpdesk/workflow.js';
export * from './helpdesk/assets.js';
export * from './helpdesk/reports.js';
export * from './helpdesk/staff.js';
export * from './helpdesk/events.js';

export const getInfo = serviceInfo('helpdesk');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('helpdesk');
export const listJobs = serviceJobList('helpdesk');

export const operations = [
  getInfo,
  getJob,
  listJobs,
  createTicket,
  listTickets,
  getTicket,
  updateTicket,
  addReply,
  addNote,
  listMessages,
  changeStatus,
  assignTicket,
  getHistory,
  assessIncident,
  recordNotification,
  createAsset,
  listAssets,
  getAsset,
  updateAsset,
  getSlaPolicy,
  openTicketsReport,
  slaComplianceReport,
  msoSlaComplianceReport,
  responseTimesReport,
  listStaff,
] as const;

export const events = [
  ticketCreated,
  ticketAssigned,
  ticketResolved,
  slaAtRisk,
  slaBreached,
  incidentDeadlineAtRisk,
  incidentDeadlineMissed,
  assetRegistered,
  assetRetired,
  helpdeskAuditRecorded,
] as const;
