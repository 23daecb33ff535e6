import { ProblemError, type Role } from '@mso/contracts';
import type { TicketStatus } from '@mso/contracts/helpdesk';

/**
 * Ticket statuses and who may move a ticket where.
 *
 * new → open → pending-customer / pending-third-party → open → resolved → closed; resolved reopens to
 * open; closed is final (a new problem is a new ticket).
 */
const transitions: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending-customer', 'pending-third-party', 'resolved', 'closed'],
  open: ['pending-customer', 'pending-third-party', 'resolved', 'closed'],
  'pending-customer': ['open', 'pending-third-party', 'resolved', 'closed'],
  'pending-third-party': ['open', 'pending-customer', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

export type Actor = Role | 'system';

export const isMso = (role: Actor): boolean => role === 'mso-admin' || role === 'mso-staff' || role === 'system';
export const isPending = (s: TicketStatus): boolean => s === 'pending-customer' || s === 'pending-third-party';
export const isDone = (s: TicketStatus): boolean => s === 'resolved' || s === 'closed';

/** Practice users may resolve or withdraw (close) their ticket, answer a pending one, or reopen a resolved one. */
function practiceMayMove(from: TicketStatus, to: TicketStatus): boolean {
  if (to === 'resolved' || to === 'closed') return true;
  return to === 'open' && (from === 'resolved' || from === 'pending-customer');
}

/** Throws 409 for a move the workflow does not allow, 403 for one the caller's role may not make. */
export function checkTransition(from: TicketStatus, to: TicketStatus, role: Actor): void {
  if (from === to) throw new ProblemError('conflict', `the ticket is already ${to}`, [{ path: '/status', message: `already ${to}` }]);
  if (!transitions[from].includes(to)) {
    const allowed = transitions[from];
    throw new ProblemError(
      'conflict',
      from === 'closed' ? 'a closed ticket cannot change; open a new ticket' : `a ${from} ticket cannot move to ${to} (allowed: ${allowed.join(', ')})`,
      [{ path: '/status', message: `not allowed from ${from}` }],
    );
  }
  if (!isMso(role) && !practiceMayMove(from, to)) {
    throw new ProblemError('forbidden', `the practice may resolve, close or reopen a ticket, not move it to ${to}`, [{ path: '/status', message: 'MSO staff only' }]);
  }
}

export type ClockEffect = 'none' | 'pause' | 'resume' | 'stop';

/** What a status change does to the SLA clock. */
export function clockEffect(from: TicketStatus, to: TicketStatus): ClockEffect {
  if (isDone(to)) return isDone(from) ? 'none' : 'stop';
  if (isPending(to)) return isPending(from) ? 'none' : 'pause';
  // to new/open
  return isPending(from) || isDone(from) ? 'resume' : 'none';
}

/**
 * The status after a public reply: the MSO's reply opens a new ticket; the practice's reply brings a
 * ticket waiting on it, or a resolved one, back to open. Replies to closed tickets are refused.
 */
export function statusAfterReply(status: TicketStatus, role: Actor): TicketStatus {
  if (status === 'closed') throw new ProblemError('conflict', 'a closed ticket takes no replies; open a new ticket');
  if (isMso(role)) return status === 'new' ? 'open' : status;
  return status === 'pending-customer' || status === 'resolved' ? 'open' : status;
}
