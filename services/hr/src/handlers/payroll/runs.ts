// Payroll runs: an employer's totals for one pay period of its schedule. Load the settings (locked:
// runs of one employer take turns) and the employments active in the period, compute (domain), save
// the run and its lines and emit hr.payroll.posted (totals only) in one transaction.
import { and, asc, eq, gte, isNull, lte, or, type SQL } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf, type Role } from '@mso/contracts';
import { hrAdmins, payrollPosted, type createPayrollRun, type getPayrollRun, type listPayrollRuns, type PaySchedule } from '@mso/contracts/hr';
import { eqIfSet, keysetPage, paginate, type Db, type HandlerContext } from '@mso/kit';
import { checkPeriod, computeRun, type PayEmployment } from '../../domain/payroll.js';
import { toHundredths } from '../../domain/pto.js';
import { invalid, notFound } from '../../domain/problems.js';
import { employments, payrollLines, payrollRuns, payrollSettings } from '../../db/schema.js';
import { checkEmployer, checkEmployerFirst, employerOf, withCaller, type Caller } from '../access.js';
import { ownRows } from '../providers/providers.js';
import { runView, type LineRow, type RunRow } from './views.js';

/** Per-person lines (pay) are for the roles that see pay. */
const seesPay = (role: Role | 'system') => role !== 'system' && hrAdmins.includes(role);

const sameEmployer = (column: typeof employments.practiceId | typeof payrollRuns.practiceId, practiceId: string | null): SQL =>
  practiceId === null ? isNull(column) : eq(column, practiceId);

async function linesOf(db: Db, runId: string): Promise<LineRow[]> {
  return db.select().from(payrollLines).where(eq(payrollLines.runId, runId)).orderBy(asc(payrollLines.personId), asc(payrollLines.employmentId));
}

/** The hours sent, checked against the run's hourly employments: one entry each, no other. */
function hoursByEmployment(list: readonly PayEmployment[], hours: InputOf<typeof createPayrollRun>['hours']): Map<string, number> {
  const hourly = new Set(list.filter((e) => e.basis === 'hourly').map((e) => e.id));
  const byId = new Map<string, number>();
  (hours ?? []).forEach((h, i) => {
    const id = h.employmentId.toLowerCase();
    if (!hourly.has(id)) throw invalid(`/hours/${i}/employmentId`, "is not an hourly employment of this employer active in the period");
    if (byId.has(id)) throw invalid(`/hours/${i}/employmentId`, 'is listed twice');
    byId.set(id, toHundredths(h.hours));
  });
  const missing = [...hourly].filter((id) => !byId.has(id));
  if (missing.length > 0) throw invalid('/hours', `missing for the hourly employments ${missing.join(', ')} (send 0 for no hours)`);
  return byId;
}

/** A repeat with hours that differ from the run on file is refused rather than ignored. */
function checkSameHours(lines: LineRow[], hours: InputOf<typeof createPayrollRun>['hours']): void {
  if (hours === undefined) return;
  const onFile = new Map(lines.filter((l) => l.hoursHundredths !== null).map((l) => [l.employmentId, l.hoursHundredths]));
  const sent = new Map(hours.map((h) => [h.employmentId.toLowerCase(), toHundredths(h.hours)]));
  const same = onFile.size === sent.size && [...sent].every(([id, h]) => onFile.get(id) === h);
  if (!same) throw new ProblemError('conflict', 'the run for this period is posted with other hours', [{ path: '/hours', message: 'differ from the run on file: runs are not changed once posted' }]);
}

export async function createPayrollRunHandler(input: InputOf<typeof createPayrollRun>, ctx: HandlerContext): Promise<OutputOf<typeof createPayrollRun>> {
  await checkEmployerFirst(ctx, input.employer);
  return withCaller(ctx, 'hr.payroll-run-create', async (tx, caller) => {
    const practiceId = await checkEmployer(ctx, caller, input.employer);
    const employer = employerOf(practiceId);
    const [settings] = await tx.db.select().from(payrollSettings).where(eq(payrollSettings.employer, employer)).for('update').limit(1);
    if (!settings) throw invalid('/employer', 'has no pay schedule yet: set it with PUT /v1/hr/payroll-settings/{employer}');

    const [onFile] = await tx.db
      .select()
      .from(payrollRuns)
      .where(and(eq(payrollRuns.employer, employer), eq(payrollRuns.periodStart, input.periodStart), eq(payrollRuns.periodEnd, input.periodEnd)))
      .limit(1);
    if (onFile) {
      const lines = await linesOf(tx.db, onFile.id);
      checkSameHours(lines, input.hours);
      ctx.status(200);
      return runView(onFile, lines);
    }

    const schedule = settings.schedule as PaySchedule;
    checkPeriod(schedule, settings.firstPeriodStart, input.periodStart, input.periodEnd);
    const [overlapping] = await tx.db
      .select({ periodStart: payrollRuns.periodStart, periodEnd: payrollRuns.periodEnd })
      .from(payrollRuns)
      .where(and(eq(payrollRuns.employer, employer), lte(payrollRuns.periodStart, input.periodEnd), gte(payrollRuns.periodEnd, input.periodStart)))
      .limit(1);
    if (overlapping) throw new ProblemError('conflict', `a run for ${overlapping.periodStart}..${overlapping.periodEnd} overlaps this period`, [{ path: '/periodStart', message: 'overlaps a posted run' }]);

    const rows = await tx.db
      .select()
      .from(employments)
      .where(and(sameEmployer(employments.practiceId, practiceId), lte(employments.startDate, input.periodEnd), or(isNull(employments.endDate), gte(employments.endDate, input.periodStart))))
      .orderBy(asc(employments.personId), asc(employments.id));
    const list: PayEmployment[] = rows.map((e) => ({ id: e.id, personId: e.personId, basis: e.payBasis as 'salary', rateCents: e.payCents, startDate: e.startDate, endDate: e.endDate, allocations: e.allocations }));
    const hours = hoursByEmployment(list, input.hours);
    const rates = { schedule, employerTaxBasisPoints: settings.employerTaxBasisPoints, benefitsBasisPoints: settings.benefitsBasisPoints };
    const { lines, totals } = computeRun(rates, input.periodStart, input.periodEnd, list, hours);

    const id = crypto.randomUUID();
    const [run] = await tx.db
      .insert(payrollRuns)
      .values({ id, practiceId, employer, periodStart: input.periodStart, periodEnd: input.periodEnd, ...rates, employees: lines.length, ...totals, createdAt: ctx.clock.now() })
      .returning();
    const saved = lines.length > 0 ? await tx.db.insert(payrollLines).values(lines.map((l) => ({ runId: id, practiceId, ...l }))).returning() : [];
    await tx.emit(
      payrollPosted,
      { runId: id, employer, periodStart: input.periodStart, periodEnd: input.periodEnd, grossCents: totals.grossCents, employerTaxCents: totals.employerTaxCents, benefitsCents: totals.benefitsCents, allocations: totals.allocations },
      { subject: id, practiceId },
    );
    ctx.status(201);
    return runView(run!, saved.sort((a, b) => a.personId.localeCompare(b.personId) || a.employmentId.localeCompare(b.employmentId)));
  });
}

export async function getPayrollRunHandler(input: InputOf<typeof getPayrollRun>, ctx: HandlerContext): Promise<OutputOf<typeof getPayrollRun>> {
  return withCaller(ctx, 'hr.payroll-run-get', async (tx, caller) => {
    const [run] = await tx.db.select().from(payrollRuns).where(ownRuns(caller, eq(payrollRuns.id, input.id))).limit(1);
    if (!run) throw notFound('payroll run');
    return runView(run, seesPay(ctx.principal.role) ? await linesOf(tx.db, run.id) : undefined);
  });
}

export async function listPayrollRunsHandler(input: InputOf<typeof listPayrollRuns>, ctx: HandlerContext): Promise<OutputOf<typeof listPayrollRuns>> {
  return withCaller(ctx, 'hr.payroll-run-list', async (tx, caller) => {
    const employer = input.employer?.toLowerCase();
    if (caller.practiceId && employer !== undefined && employer !== caller.practiceId) throw notFound('employer');
    const page = keysetPage({ createdAt: payrollRuns.createdAt, id: payrollRuns.id }, input, 'desc');
    const rows: RunRow[] = await tx.db
      .select()
      .from(payrollRuns)
      .where(ownRuns(caller, page.where, eqIfSet(payrollRuns.employer, employer), input.from ? gte(payrollRuns.periodEnd, input.from) : undefined, input.to ? lte(payrollRuns.periodEnd, input.to) : undefined))
      .orderBy(...page.orderBy)
      .limit(page.fetch);
    return paginate(rows, page.limit, (r) => runView(r, undefined));
  });
}

/** Runs the caller may see: a practice key its own practice's only (the MSO's are not its own). */
export const ownRuns = (caller: Caller, ...conditions: (SQL | undefined)[]) => ownRows(caller, payrollRuns.practiceId, ...conditions);

