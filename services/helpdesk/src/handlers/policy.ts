import { ticketPriorities, type getSlaPolicy } from '@mso/contracts/helpdesk';
import type { Handler } from '@mso/kit';
import { policyOfAgreement } from '../domain/policy.js';

export const getSlaPolicyHandler: Handler<typeof getSlaPolicy> = async (_input, ctx) => {
  const policy = policyOfAgreement(await ctx.agreement);
  return {
    practiceId: ctx.practiceId,
    tier: policy.tier,
    fromAgreement: policy.fromAgreement,
    calendar: { timeZone: policy.calendar.timeZone, workingHours: { ...policy.calendar.workingHours, days: [...policy.calendar.workingHours.days] }, holidays: policy.calendar.holidays },
    targets: ticketPriorities.map((priority) => ({ priority, ...policy.targets[priority] })),
    atRiskPercent: policy.atRiskPercent,
    escalation: policy.escalation,
    breachNoticeDays: policy.breachNoticeDays,
    warnings: policy.warnings,
  };
};
