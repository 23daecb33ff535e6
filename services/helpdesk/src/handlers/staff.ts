import type { listStaff } from '@mso/contracts/helpdesk';
import { localDate, type Handler } from '@mso/kit';
import { policyOfAgreement } from '../domain/policy.js';

export const listStaffHandler: Handler<typeof listStaff> = async (_input, ctx) => {
  const policy = policyOfAgreement(await ctx.agreement);
  const asOf = localDate(ctx.clock.now(), policy.calendar.timeZone);
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
