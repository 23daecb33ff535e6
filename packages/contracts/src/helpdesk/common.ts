// Helpdesk contract: the vocabulary every part shares, and the roles its operations allow.
import Type from 'typebox';
import { mso, Uuid, type Role } from '../core.js';

export const ticketCategories = ['hardware', 'software', 'access', 'network', 'ehr', 'security-incident', 'other'] as const;
export type TicketCategory = (typeof ticketCategories)[number];
/** Highest first. */
export const ticketPriorities = ['urgent', 'high', 'normal', 'low'] as const;
export type TicketPriority = (typeof ticketPriorities)[number];
export const ticketStatuses = ['new', 'open', 'pending-customer', 'pending-third-party', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];
export const ticketSources = ['api', 'hr-onboarding', 'hr-offboarding'] as const;
export type TicketSource = (typeof ticketSources)[number];
export const slaTargetNames = ['first-response', 'resolution'] as const;
export type SlaTargetName = (typeof slaTargetNames)[number];

const practiceRoles = ['practice-admin', 'practice-user'] as const satisfies Role[];
export const allRoles: Role[] = [...mso, ...practiceRoles];
export const msoAndPracticeAdmin: Role[] = [...mso, 'practice-admin'];

export const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
export const IdParam = { id: Uuid };
