import { ticketPriorities, type TicketPriority } from '@mso/contracts/helpdesk';
import type { HelpdeskTerms } from '@mso/contracts/helpdesk';
import type { Agreement } from '@mso/contracts/tenancy';
import { isPersonId } from '@mso/kit/staff';
import { BusinessCalendar, isValidTimeZone, type BusinessCalendarSpec } from '@mso/kit/calendar';

export type Tier = 'basic' | 'standard' | 'premium';

export interface PriorityTarget {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  /** false: the clock runs 24x7 in the practice's time zone. */
  businessHours: boolean;
}

/** A practice's SLA policy: what the agreement's `helpdesk` terms say, with defaults for the rest. */
export interface Policy {
  tier: Tier;
  fromAgreement: boolean;
  calendar: BusinessCalendarSpec & { holidays: string[] };
  targets: Record<TicketPriority, PriorityTarget>;
  atRiskPercent: number;
  escalation: { raisePriority: boolean; reassignTo: string | null };
  /** Days after discovery to notify the practice of a breach (the business associate agreement's term). */
  breachNoticeDays: number;
  warnings: string[];
}

const t = (firstResponseMinutes: number, resolutionMinutes: number, businessHours = true): PriorityTarget => ({ firstResponseMinutes, resolutionMinutes, businessHours });
const H = 60;

/**
 * Default targets per tier, in business minutes (a 9-hour working day by default). Premium covers
 * urgent tickets around the clock.
 */
export const tierTargets: Record<Tier, Record<TicketPriority, PriorityTarget>> = {
  premium: { urgent: t(30, 4 * H, false), high: t(1 * H, 8 * H), normal: t(2 * H, 16 * H), low: t(4 * H, 40 * H) },
  standard: { urgent: t(1 * H, 8 * H), high: t(2 * H, 16 * H), normal: t(4 * H, 24 * H), low: t(8 * H, 40 * H) },
  basic: { urgent: t(2 * H, 16 * H), high: t(4 * H, 24 * H), normal: t(8 * H, 40 * H), low: t(16 * H, 80 * H) },
};

export const defaultCalendar: BusinessCalendarSpec & { holidays: string[] } = {
  timeZone: 'America/New_York',
  workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] },
  holidays: [],
};

export const DEFAULT_AT_RISK_PERCENT = 80;
/** HIPAA: no later than 60 calendar days after discovery (45 CFR 164.410(b)). */
export const HIPAA_NOTICE_DAYS = 60;

/**
 * The policy for a practice's `helpdesk` terms (absent terms: the standard tier on the default
 * calendar, in `timeZone` when given).
 */
export function policyFromTerms(terms: HelpdeskTerms | undefined | null, timeZoneDefault = defaultCalendar.timeZone): Policy {
  const warnings: string[] = [];
  const tier: Tier = terms?.tier ?? 'standard';
  let timeZone = terms?.timeZone ?? timeZoneDefault;
  if (!isValidTimeZone(timeZone)) {
    warnings.push(`unknown time zone "${timeZone}"; using ${defaultCalendar.timeZone}`);
    timeZone = defaultCalendar.timeZone;
  }
  let workingHours = terms?.workingHours ? { ...terms.workingHours, days: [...new Set(terms.workingHours.days)].sort() } : defaultCalendar.workingHours;
  try {
    new BusinessCalendar({ timeZone, workingHours });
  } catch (error) {
    warnings.push(`${(error as Error).message}; using ${defaultCalendar.workingHours.start}-${defaultCalendar.workingHours.end} Monday to Friday`);
    workingHours = defaultCalendar.workingHours;
  }
  const targets = { ...tierTargets[tier] };
  for (const priority of ticketPriorities) {
    const target = terms?.slaTargets?.[priority];
    if (!target) continue;
    if (target.resolutionMinutes < target.firstResponseMinutes) {
      warnings.push(`${priority}: resolution target is shorter than the first-response target`);
    }
    targets[priority] = { firstResponseMinutes: target.firstResponseMinutes, resolutionMinutes: target.resolutionMinutes, businessHours: target.businessHours ?? true };
  }
  const reassignTo = terms?.escalation?.reassignTo ?? null;
  if (reassignTo !== null && !isPersonId(reassignTo)) warnings.push(`escalation.reassignTo "${reassignTo}" is not a person id of the staff directory: breached tickets keep their assignee`);
  return {
    tier,
    fromAgreement: !!terms,
    calendar: { timeZone, workingHours, holidays: [...new Set(terms?.holidays ?? [])].sort() },
    targets,
    atRiskPercent: terms?.atRiskPercent ?? DEFAULT_AT_RISK_PERCENT,
    escalation: { raisePriority: terms?.escalation?.raisePriority ?? true, reassignTo },
    breachNoticeDays: Math.min(terms?.breachNoticeDays ?? HIPAA_NOTICE_DAYS, HIPAA_NOTICE_DAYS),
    warnings,
  };
}

/** The policy of a practice's current agreement: its `terms.helpdesk`, in the practice's time zone unless they name one. */
export function policyOfAgreement(agreement: Agreement): Policy {
  return policyFromTerms(agreement.terms.helpdesk, agreement.timeZone);
}

/** The calendar an SLA clock runs on: the practice's working hours, or around the clock in its zone. */
export function slaCalendar(calendar: BusinessCalendarSpec, businessHours: boolean): BusinessCalendar {
  return businessHours ? new BusinessCalendar(calendar) : BusinessCalendar.always(calendar.timeZone);
}

const order: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

/** One step up (urgent stays urgent). */
export function raisePriority(priority: TicketPriority): TicketPriority {
  return order[Math.min(order.indexOf(priority) + 1, order.length - 1)]!;
}

/** True when `a` is more urgent than `b`. */
export function moreUrgent(a: TicketPriority, b: TicketPriority): boolean {
  return order.indexOf(a) > order.indexOf(b);
}
