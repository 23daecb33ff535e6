import { gte, lt, notInArray, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import {
  ticketPriorities,
  type msoSlaComplianceReport,
  type openTicketsReport,
  type responseTimesReport,
  type slaComplianceReport,
  type TicketPriority,
} from '@mso/contracts/helpdesk';
import { localDate, tenantWhere, zonedInstant, type Db, type Handler } from '@mso/kit';
import { policyOfAgreement } from '../domain/policy.js';
import { tickets } from '../db/schema.js';

const DAY = 86_400_000;
const MAX_MONTHS = 36;

function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** The months from..to (inclusive), defaulting to the six months up to the current one in `timeZone`. */
export function monthRange(input: { from?: string | undefined; to?: string | undefined }, now: Date, timeZone: string): string[] {
  const to = input.to ?? localDate(now, timeZone).slice(0, 7);
  const from = input.from ?? addMonths(to, -5);
  if (from > to) throw new ProblemError('validation-failed', 'from is after to', [{ path: '/from', message: 'must not be after to' }]);
  const months: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) {
    months.push(m);
    if (months.length > MAX_MONTHS) throw new ProblemError('validation-failed', `at most ${MAX_MONTHS} months at a time`, [{ path: '/from', message: 'range too long' }]);
  }
  return months;
}

const percent = (met: number, breached: number): number | null => (met + breached === 0 ? null : Math.round((met * 1000) / (met + breached)) / 10);
const round1 = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10);

/** Tickets opened in the months (in the practice's time zone). */
function openedIn(practiceId: string, months: string[], timeZone: string) {
  const start = zonedInstant(`${months[0]!}-01`, '00:00', timeZone);
  const end = zonedInstant(`${addMonths(months[months.length - 1]!, 1)}-01`, '00:00', timeZone);
  return tenantWhere(tickets.practiceId, practiceId, gte(tickets.createdAt, start), lt(tickets.createdAt, end));
}

async function complianceRows(db: Db, practiceId: string, months: string[], timeZone: string) {
  const month = sql<string>`to_char(${tickets.createdAt} at time zone ${timeZone}, 'YYYY-MM')`;
  const rows = await db
    .select({
      month,
      tickets: sql<number>`count(*)::int`,
      frMet: sql<number>`(count(*) filter (where ${tickets.frMetAt} is not null and ${tickets.frBreachedAt} is null))::int`,
      frBreached: sql<number>`(count(*) filter (where ${tickets.frBreachedAt} is not null))::int`,
      resMet: sql<number>`(count(*) filter (where ${tickets.resMetAt} is not null and ${tickets.resBreachedAt} is null))::int`,
      resBreached: sql<number>`(count(*) filter (where ${tickets.resBreachedAt} is not null))::int`,
    })
    .from(tickets)
    .where(openedIn(practiceId, months, timeZone))
    // By position: the time zone is a parameter, and two parameters never count as the same expression.
    .groupBy(sql`1`);
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  return months.map((m) => {
    const r = byMonth.get(m);
    const frMet = r?.frMet ?? 0;
    const frBreached = r?.frBreached ?? 0;
    const resMet = r?.resMet ?? 0;
    const resBreached = r?.resBreached ?? 0;
    return {
      practiceId,
      month: m,
      tickets: r?.tickets ?? 0,
      firstResponse: { met: frMet, breached: frBreached, percent: percent(frMet, frBreached) },
      resolution: { met: resMet, breached: resBreached, percent: percent(resMet, resBreached) },
    };
  });
}

export const slaComplianceHandler: Handler<typeof slaComplianceReport> = async (input, ctx) => {
  const policy = policyOfAgreement(await ctx.agreement);
  const months = monthRange(input, ctx.clock.now(), policy.calendar.timeZone);
  return { items: await complianceRows(ctx.db, ctx.practiceId, months, policy.calendar.timeZone) };
};

/** Every practice with tickets in the range, each in its own time zone. */
export const msoSlaComplianceHandler: Handler<typeof msoSlaComplianceReport> = async (input, ctx) => {
  const now = ctx.clock.now();
  const known = await ctx.agreements.list();
  return ctx.acrossPractices('report.sla-compliance-by-practice: every practice', async (all) => {
    const items = [];
    for (const agreement of known) {
      const policy = policyOfAgreement(agreement);
      const months = monthRange(input, now, policy.calendar.timeZone);
      const rows = await complianceRows(all.db, agreement.practiceId, months, policy.calendar.timeZone);
      if (rows.some((r) => r.tickets > 0)) items.push(...rows);
    }
    return { items };
  });
};

export const openTicketsHandler: Handler<typeof openTicketsReport> = async (_input, ctx) => {
  const now = ctx.clock.now();
  const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const rows = await ctx.db
    .select({
      priority: tickets.priority,
      count: sql<number>`count(*)::int`,
      underOneDay: sql<number>`(count(*) filter (where ${tickets.createdAt} > ${ago(1)}::timestamptz))::int`,
      oneToThreeDays: sql<number>`(count(*) filter (where ${tickets.createdAt} <= ${ago(1)}::timestamptz and ${tickets.createdAt} > ${ago(3)}::timestamptz))::int`,
      threeToSevenDays: sql<number>`(count(*) filter (where ${tickets.createdAt} <= ${ago(3)}::timestamptz and ${tickets.createdAt} > ${ago(7)}::timestamptz))::int`,
      overSevenDays: sql<number>`(count(*) filter (where ${tickets.createdAt} <= ${ago(7)}::timestamptz))::int`,
      oldest: sql<string | null>`min(${tickets.createdAt})`,
    })
    .from(tickets)
    .where(tenantWhere(tickets.practiceId, ctx.practiceId, notInArray(tickets.status, ['resolved', 'closed'])))
    .groupBy(tickets.priority);
  const byPriority = ticketPriorities.map((priority) => {
    const r = rows.find((x) => x.priority === priority);
    return {
      priority,
      count: r?.count ?? 0,
      age: {
        underOneDay: r?.underOneDay ?? 0,
        oneToThreeDays: r?.oneToThreeDays ?? 0,
        threeToSevenDays: r?.threeToSevenDays ?? 0,
        overSevenDays: r?.overSevenDays ?? 0,
      },
      oldestCreatedAt: r?.oldest ? new Date(r.oldest).toISOString() : null,
    };
  });
  return { asOf: now.toISOString(), total: byPriority.reduce((n, p) => n + p.count, 0), byPriority };
};

export const responseTimesHandler: Handler<typeof responseTimesReport> = async (input, ctx) => {
  const policy = policyOfAgreement(await ctx.agreement);
  const timeZone = policy.calendar.timeZone;
  const months = monthRange(input, ctx.clock.now(), timeZone);
  const rows = await ctx.db
    .select({
      priority: tickets.priority,
      frTickets: sql<number>`(count(*) filter (where ${tickets.frMetAt} is not null))::int`,
      frBusiness: sql<string | null>`avg(${tickets.frElapsedMs}) filter (where ${tickets.frMetAt} is not null)`,
      frWall: sql<string | null>`avg(extract(epoch from ${tickets.frMetAt} - ${tickets.createdAt}) * 1000) filter (where ${tickets.frMetAt} is not null)`,
      resTickets: sql<number>`(count(*) filter (where ${tickets.resMetAt} is not null))::int`,
      resBusiness: sql<string | null>`avg(${tickets.resElapsedMs}) filter (where ${tickets.resMetAt} is not null)`,
      resWall: sql<string | null>`avg(extract(epoch from ${tickets.resMetAt} - ${tickets.createdAt}) * 1000) filter (where ${tickets.resMetAt} is not null)`,
    })
    .from(tickets)
    .where(openedIn(ctx.practiceId, months, timeZone))
    .groupBy(tickets.priority);
  const minutes = (ms: string | null | undefined) => (ms === null || ms === undefined ? null : round1(Number(ms) / 60_000));
  const mean = (n: number, business: string | null | undefined, wall: string | null | undefined) => ({ tickets: n, meanBusinessMinutes: minutes(business), meanElapsedMinutes: minutes(wall) });
  // Overall means are the ticket-weighted means of the groups.
  const weighted = (pick: (r: (typeof rows)[number]) => [number, string | null]) => {
    let n = 0;
    let sum = 0;
    for (const r of rows) {
      const [count, avg] = pick(r);
      if (count && avg !== null) {
        n += count;
        sum += count * Number(avg);
      }
    }
    return { n, avg: n ? String(sum / n) : null };
  };
  const frB = weighted((r) => [r.frTickets, r.frBusiness]);
  const frW = weighted((r) => [r.frTickets, r.frWall]);
  const resB = weighted((r) => [r.resTickets, r.resBusiness]);
  const resW = weighted((r) => [r.resTickets, r.resWall]);
  return {
    from: months[0]!,
    to: months[months.length - 1]!,
    overall: { firstResponse: mean(frB.n, frB.avg, frW.avg), resolution: mean(resB.n, resB.avg, resW.avg) },
    byPriority: ticketPriorities.map((priority: TicketPriority) => {
      const r = rows.find((x) => x.priority === priority);
      return { priority, firstResponse: mean(r?.frTickets ?? 0, r?.frBusiness, r?.frWall), resolution: mean(r?.resTickets ?? 0, r?.resBusiness, r?.resWall) };
    }),
  };
};
