import type { BreachRecipient, RiskAssessment } from '@mso/contracts/helpdesk';
import { addDays, localDate, zonedInstant } from '@mso/kit/calendar';

/**
 * HIPAA breach notification rules (45 CFR 164.400-414) for a security incident the MSO (a business
 * associate) handles for a practice (the covered entity).
 */

export type BreachException = 'unintentional-workforce-access' | 'inadvertent-authorized-disclosure' | 'unable-to-retain';

export interface Determination {
  reportable: boolean;
  reason: string;
}

const exceptionText: Record<BreachException, string> = {
  'unintentional-workforce-access': 'unintentional, good-faith access by a workforce member within the scope of authority',
  'inadvertent-authorized-disclosure': 'inadvertent disclosure between persons authorised at the same covered entity or business associate',
  'unable-to-retain': 'the recipient could not reasonably have retained the information',
};

/**
 * An impermissible use or disclosure of unsecured PHI is presumed a breach unless the risk assessment
 * shows a low probability that the PHI has been compromised, on all four factors (164.402(2)). PHI
 * encrypted per HHS guidance is not unsecured (no notification), and three exceptions are not breaches.
 */
export function determine(input: { riskAssessment: RiskAssessment | null; phiEncrypted: boolean; exception: BreachException | null }): Determination {
  if (input.phiEncrypted) {
    return { reportable: false, reason: 'the PHI was encrypted as HHS guidance specifies: it is not unsecured PHI, so no breach notification is required' };
  }
  if (input.exception) return { reportable: false, reason: `not a breach: ${exceptionText[input.exception]}` };
  const a = input.riskAssessment;
  if (!a) return { reportable: true, reason: 'presumed a breach until a four-factor risk assessment shows a low probability of compromise' };
  const factors = [
    ['nature and extent of the PHI', a.natureAndExtent.risk],
    ['unauthorized recipient', a.unauthorizedRecipient.risk],
    ['acquired or viewed', a.acquiredOrViewed.risk],
    ['mitigation', a.mitigation.risk],
  ] as const;
  const notLow = factors.filter(([, risk]) => risk !== 'low');
  if (notLow.length === 0) return { reportable: false, reason: 'the risk assessment shows a low probability that the PHI has been compromised' };
  return {
    reportable: true,
    reason: `a reportable breach: the risk assessment does not show a low probability of compromise (${notLow.map(([f, r]) => `${f}: ${r}`).join(', ')})`,
  };
}

/** Individuals affected from which HHS and prominent media are notified within 60 days (164.406, 164.408(b)). */
export const LARGE_BREACH = 500;
const DAY = 86_400_000;
/** Deadline events warn this many days ahead. */
export const WARN_DAYS_BEFORE = 10;

export interface Deadline {
  recipient: BreachRecipient;
  dueAt: Date;
}

/**
 * Notification deadlines from the discovery instant:
 * - the practice: within `practiceNoticeDays` (at most 60; the BAA may say less), for every incident;
 * - individuals: within 60 days, when reportable;
 * - HHS: within 60 days when 500 or more are affected (or the count is not known yet), otherwise
 *   within 60 days after the end of the calendar year of discovery (the annual log);
 * - media: within 60 days when 500 or more are affected. (The rule counts residents of one state;
 *   the total is the conservative reading.)
 */
export function deadlines(input: { discoveredAt: Date; reportable: boolean; individualsAffected: number | null; practiceNoticeDays: number; timeZone: string }): Deadline[] {
  const within = (days: number) => new Date(input.discoveredAt.getTime() + days * DAY);
  const out: Deadline[] = [{ recipient: 'practice', dueAt: within(Math.min(input.practiceNoticeDays, 60)) }];
  if (!input.reportable) return out;
  out.push({ recipient: 'individuals', dueAt: within(60) });
  const large = input.individualsAffected === null || input.individualsAffected >= LARGE_BREACH;
  if (large) {
    out.push({ recipient: 'hhs', dueAt: within(60) });
  } else {
    const year = Number(localDate(input.discoveredAt, input.timeZone).slice(0, 4));
    // 60 days after 31 December: the end of 1 March (29 February in a leap year).
    out.push({ recipient: 'hhs', dueAt: zonedInstant(addDays(`${year + 1}-01-01`, 60), '00:00', input.timeZone) });
  }
  if (input.individualsAffected !== null && input.individualsAffected >= LARGE_BREACH) out.push({ recipient: 'media', dueAt: within(60) });
  return out;
}

export function warnAt(dueAt: Date): Date {
  return new Date(dueAt.getTime() - WARN_DAYS_BEFORE * DAY);
}

/** Whole days left until `dueAt` (rounded down, 0 on the last day). */
export function daysLeft(dueAt: Date, now: Date): number {
  return Math.max(0, Math.floor((dueAt.getTime() - now.getTime()) / DAY));
}

/** When the deadline check next has work for a deadline: its warning, then its miss; null once notified or missed. */
export function deadlineCheckAt(d: { dueAt: Date; warnAt: Date; warnedAt: Date | null; missedAt: Date | null; notifiedAt: Date | null }): Date | null {
  if (d.notifiedAt || d.missedAt) return null;
  const missAt = d.dueAt.getTime() + 1;
  return new Date(d.warnedAt ? missAt : Math.min(d.warnAt.getTime(), missAt));
}
