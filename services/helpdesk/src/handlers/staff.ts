import type { listStaff } from '@mso/contracts/helpdesk';
import { localDate, type Handler } from '@mso/kit';
import { policyOfAgreement } from '../domain/policy.js';

/** The practice's today, in its time zone: the day assignees' employments are checked on. */
export const practiceToday = (timeZone: string, now: Date): string => localDate(now, timeZone);

export const listStaffHandler: Handler<typeof listStaff> = async (_input, ctx) => {
  const policy = policyOfAgreement(await ctx.agreement);
  const asOf = practiceToday(policy.calendar.timeZone, ctx.clock.now());
  const items = await ctx.staff.assignable(ctx.practiceId, asOf);
  return {
    asOf,
    items: items.map((m) => ({
      personId: m.personId,
      displayName: m.displayName,
      employments: m.employments.map((e) => ({ employer: e.employer, title: e.title, department: e.department, startDate: e.startDate, endDate: e.endDate })),
    })),
  };
};
