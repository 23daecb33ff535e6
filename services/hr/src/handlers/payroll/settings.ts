import type { InputOf, OutputOf } from '@mso/contracts';
import type { getPayrollSettings, putPayrollSettings } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { eq } from 'drizzle-orm';
import { invalid, notFound } from '../../domain/problems.js';
import { payrollSettings } from '../../db/schema.js';
import { checkEmployer, checkEmployerFirst, employerOf, withCaller } from '../access.js';
import { settingsView } from './views.js';

export async function putPayrollSettingsHandler(input: InputOf<typeof putPayrollSettings>, ctx: HandlerContext): Promise<OutputOf<typeof putPayrollSettings>> {
  await checkEmployerFirst(ctx, input.employer);
  return withCaller(ctx, 'hr.payroll-settings-put', async (tx, caller) => {
    const practiceId = await checkEmployer(ctx, caller, input.employer);
    const fixedLength = input.schedule === 'weekly' || input.schedule === 'biweekly';
    if (fixedLength && !input.firstPeriodStart) throw invalid('/firstPeriodStart', `is required for a ${input.schedule} schedule (the first day of one pay period)`);
    if (!fixedLength && input.firstPeriodStart) throw invalid('/firstPeriodStart', `applies to weekly and biweekly schedules only (${input.schedule} periods follow the calendar)`);
    const values = {
      schedule: input.schedule,
      firstPeriodStart: input.firstPeriodStart ?? null,
      employerTaxBasisPoints: input.employerTaxBasisPoints,
      benefitsBasisPoints: input.benefitsBasisPoints,
      updatedAt: ctx.clock.now(),
    };
    const [row] = await tx.db
      .insert(payrollSettings)
      .values({ employer: employerOf(practiceId), practiceId, ...values })
      .onConflictDoUpdate({ target: payrollSettings.employer, set: values })
      .returning();
    return settingsView(row!);
  });
}

export async function getPayrollSettingsHandler(input: InputOf<typeof getPayrollSettings>, ctx: HandlerContext): Promise<OutputOf<typeof getPayrollSettings>> {
  await checkEmployerFirst(ctx, input.employer);
  return withCaller(ctx, 'hr.payroll-settings-get', async (tx, caller) => {
    const practiceId = await checkEmployer(ctx, caller, input.employer);
    const [row] = await tx.db.select().from(payrollSettings).where(eq(payrollSettings.employer, employerOf(practiceId))).limit(1);
    if (!row) throw notFound('payroll settings');
    return settingsView(row);
  });
}
