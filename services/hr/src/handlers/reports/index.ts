// HR reports: headcount per employer entity, credentials expiring soon, payroll cost per entity and
// period. A practice key sees its own practice's figures; MSO keys every entity's.
import { asc, eq, gte, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { InputOf, OutputOf } from '@mso/contracts';
import * as contract from '@mso/contracts/hr';
import { eqIfSet, handle, localDate, type HandlerContext } from '@mso/kit';
import { addDays } from '../../domain/credentials.js';
import { daysInclusive } from '../../domain/payroll.js';
import { fteOf } from '../../domain/people.js';
import { notFound } from '../../domain/problems.js';
import { credentials, employments, payrollRuns, providers } from '../../db/schema.js';
import { employerOrder, checkPracticeBuysHr, employerOf, practiceOfEmployer, withCaller, type Caller } from '../access.js';
import { DEFAULT_TIME_ZONE } from '../../jobs/credential-expiry.js';
import { ownRows } from '../providers/providers.js';

/** Today in the caller's practice's time zone (MSO keys: the default zone). */
async function today(ctx: HandlerContext, caller: Caller): Promise<string> {
  const agreement = caller.practiceId ? await ctx.agreements.get(caller.practiceId) : null;
  return localDate(ctx.clock.now(), agreement?.timeZone ?? DEFAULT_TIME_ZONE);
}

/** The employer filter of a report: a practice key may name only its own practice. */
function employerFilter(caller: Caller, employer: string | undefined): string | undefined {
  const named = employer?.toLowerCase();
  if (caller.practiceId && named !== undefined && named !== caller.practiceId) throw notFound('employer');
  return named;
}

async function headcountHandler(input: InputOf<typeof contract.headcountReport>, ctx: HandlerContext): Promise<OutputOf<typeof contract.headcountReport>> {
  return withCaller(ctx, 'hr.report-headcount', async (tx, caller) => {
    const employer = employerFilter(caller, input.employer);
    const on = input.on ?? (await today(ctx, caller));
    const byEmployer =
      employer === undefined ? undefined : practiceOfEmployer(employer) === null ? isNull(employments.practiceId) : eq(employments.practiceId, employer);
    const rows = await tx.db
      .select({ practiceId: employments.practiceId, headcount: sql<number>`count(*)::int`, fte: sql<number>`coalesce(sum(${employments.fteHundredths}), 0)::int` })
      .from(employments)
      .where(ownRows(caller, employments.practiceId, byEmployer, lte(employments.startDate, on), or(isNull(employments.endDate), gte(employments.endDate, on))))
      .groupBy(employments.practiceId);
    const entities = rows
      .map((r) => ({ employer: employerOf(r.practiceId), headcount: Number(r.headcount), fte: fteOf(Number(r.fte)) }))
      .sort(employerOrder);
    return { on, entities, totalHeadcount: entities.reduce((n, e) => n + e.headcount, 0) };
  });
}

async function expiringCredentialsHandler(input: InputOf<typeof contract.expiringCredentialsReport>, ctx: HandlerContext): Promise<OutputOf<typeof contract.expiringCredentialsReport>> {
  return withCaller(ctx, 'hr.report-credentials-expiring', async (tx, caller) => {
    const practiceId = employerFilter(caller, input.practiceId);
    if (!caller.practiceId && practiceId) await checkPracticeBuysHr(ctx, practiceId);
    const from = input.on ?? (await today(ctx, caller));
    const to = addDays(from, input.days ?? 90);
    const rows = await tx.db
      .select({ c: credentials, npi: providers.npi })
      .from(credentials)
      .innerJoin(providers, eq(providers.id, credentials.providerId))
      .where(
        ownRows(
          caller,
          credentials.practiceId,
          eqIfSet(credentials.practiceId, practiceId),
          isNotNull(credentials.expiresOn),
          lte(credentials.expiresOn, to),
          input.includeExpired ? undefined : gte(credentials.expiresOn, from),
        ),
      )
      .orderBy(asc(credentials.expiresOn), asc(credentials.id));
    const items = rows.map(({ c, npi }) => {
      const expiresOn = c.expiresOn!;
      const daysLeft = expiresOn >= from ? daysInclusive(from, expiresOn) - 1 : -(daysInclusive(expiresOn, from) - 1);
      return { credentialId: c.id, providerId: c.providerId, practiceId: c.practiceId, npi, kind: c.kind as 'state-licence', state: c.state, expiresOn, daysLeft };
    });
    return { from, to, items };
  });
}

interface Figures {
  grossCents: number;
  employerTaxCents: number;
  benefitsCents: number;
  costCents: number;
}
const zero = (): Figures => ({ grossCents: 0, employerTaxCents: 0, benefitsCents: 0, costCents: 0 });

async function payrollCostHandler(input: InputOf<typeof contract.payrollCostReport>, ctx: HandlerContext): Promise<OutputOf<typeof contract.payrollCostReport>> {
  return withCaller(ctx, 'hr.report-payroll-cost', async (tx, caller) => {
    const employer = employerFilter(caller, input.employer);
    const runs = await tx.db
      .select()
      .from(payrollRuns)
      .where(ownRows(caller, payrollRuns.practiceId, input.from ? gte(payrollRuns.periodEnd, input.from) : undefined, input.to ? lte(payrollRuns.periodEnd, input.to) : undefined))
      .orderBy(asc(payrollRuns.periodStart), asc(payrollRuns.id));
    type Entity = OutputOf<typeof contract.payrollCostReport>['entities'][number];
    const entities = new Map<string, Entity>();
    const entity = (key: string) => {
      let e = entities.get(key);
      if (!e) entities.set(key, (e = { employer: key, periods: [], totals: zero(), allocatedCents: caller.practiceId ? null : 0 }));
      return e;
    };
    for (const r of runs) {
      // MSO keys: the cost the MSO's runs allocated to each practice (read with the MSO's runs).
      if (!caller.practiceId && r.employer === 'mso') {
        for (const a of r.allocations) if (employer === undefined || employer === a.practiceId) entity(a.practiceId).allocatedCents! += a.costCents;
      }
      if (employer !== undefined && r.employer !== employer) continue;
      const e = entity(r.employer);
      const figures = { grossCents: r.grossCents, employerTaxCents: r.employerTaxCents, benefitsCents: r.benefitsCents, costCents: r.costCents };
      e.periods.push({ runId: r.id, periodStart: r.periodStart, periodEnd: r.periodEnd, ...figures });
      for (const k of Object.keys(figures) as (keyof Figures)[]) e.totals[k] += figures[k];
    }
    const list = [...entities.values()].sort(employerOrder);
    return { entities: list };
  });
}

/** HR reports. */
export const reportHandlers = [
  handle(contract.headcountReport, headcountHandler),
  handle(contract.expiringCredentialsReport, expiringCredentialsHandler),
  handle(contract.payrollCostReport, payrollCostHandler),
];
