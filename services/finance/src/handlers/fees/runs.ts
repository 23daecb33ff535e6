// The management fee run: every practice with an agreement in force in the month gets its fee
// computed, invoiced and posted in both books, in one transaction; a rerun posts only what changed.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import { getPractice } from '@mso/contracts/tenancy';
import { invoiceIssued, type getManagementFeeRun, type listManagementFeeRuns, type ManagementFeeRun, type previewManagementFees, type runManagementFees } from '@mso/contracts/finance';
import { addDays, canonicalJson, type Agreement, type Handler, type HandlerContext, type TransactionContext } from '@mso/kit';
import type { FeeWarning } from '../../domain/fees/fee-splitting.js';
import { practiceFee, type PracticeFee } from '../../domain/fees/fees.js';
import { monthBounds } from '../../domain/fees/period.js';
import { distributionEntry, feeEntries, shareDifferences } from '../../domain/fees/postings.js';
import { feeDistributions, feeInvoices, feeRuns, periods } from '../../db/schema.js';
import { postEntry, type EntryLineInput } from '../../ledger/post.js';
import { agreementsForMonth } from './agreements.js';
import { distributedSoFar, feeBasisData, invoicedSoFar, invoicesInPeriod, practiceName, type Distributed, type Invoiced } from './basis.js';

type RunPractice = ManagementFeeRun['practices'][number];

/** Days between an invoice and its due date. */
const PAYMENT_TERMS_DAYS = 30;

const money = (cents: number) => `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;

interface Computed {
  agreement: Agreement;
  fee: PracticeFee;
  invoiced: Invoiced;
  distributed: Distributed;
}

function startedMonth(period: string, today: string): void {
  if (monthBounds(period).first > today) throw new ProblemError('unprocessable', `period ${period} has not started yet`, [{ path: '/period', message: 'is in the future' }]);
}

async function computeAll(tx: TransactionContext, period: string, agreements: readonly Agreement[]): Promise<Computed[]> {
  const computed: Computed[] = [];
  for (const agreement of agreements) {
    const data = await feeBasisData(tx.db, agreement.practiceId, period, agreement.timeZone);
    const fee = practiceFee({ model: agreement.model, state: agreement.state, fees: agreement.fees, ownership: agreement.ownership }, data);
    computed.push({ agreement, fee, invoiced: await invoicedSoFar(tx.db, agreement.practiceId, period), distributed: await distributedSoFar(tx.db, agreement.practiceId, period) });
  }
  return computed;
}

export const runManagementFeesHandler: Handler<typeof runManagementFees> = async (input, ctx) => {
  const { period } = input;
  const today = ctx.clock.now().toISOString().slice(0, 10);
  startedMonth(period, today);
  const current = await ctx.agreements.list();
  // Names for the invoices, asked of tenancy before the transaction (no calls inside one).
  const names = await practiceNames(ctx, current.map((a) => a.practiceId));

  const { run, replayed } = await ctx.acrossPractices('finance.management-fee-run', (all) =>
    all.transaction(async (tx) => {
      // One run at a time: invoice numbers and "what was invoiced before" are read and written under this lock.
      await tx.db.execute(sql`select pg_advisory_xact_lock(hashtextextended('finance.management-fee-run', 0))`);
      const agreements = await agreementsForMonth(tx.db, period, current);
      await refuseClosed(tx, period, agreements);
      const computed = await computeAll(tx, period, agreements);
      const last = await lastRun(tx, period);
      if (last && nothingToPost(computed) && sameFees(last.result, computed)) return { run: last.result, replayed: true };
      return { run: await postRun(ctx, tx, period, today, computed, (last?.seq ?? 0) + 1, names), replayed: false };
    }),
  );
  if (replayed) ctx.status(200);
  return run;
};

export const previewManagementFeesHandler: Handler<typeof previewManagementFees> = async (input, ctx) => {
  const { period } = input;
  startedMonth(period, ctx.clock.now().toISOString().slice(0, 10));
  const current = await ctx.agreements.list();
  const computed = await ctx.acrossPractices('finance.management-fee-run.preview', (all) =>
    all.transaction(async (tx) => computeAll(tx, period, await agreementsForMonth(tx.db, period, current))),
  );
  return {
    period,
    practices: computed.map(({ agreement, fee, invoiced }) => ({
      practiceId: agreement.practiceId,
      model: agreement.model,
      feeCents: fee.feeCents,
      lines: fee.lines,
      previouslyInvoicedCents: invoiced.cents,
      differenceCents: fee.feeCents - invoiced.cents,
      invoiceId: invoiced.latestId,
      venture: fee.venture,
      warnings: fee.warnings,
    })),
    warnings: runWarnings(computed),
  };
};

/** Each practice's name as tenancy knows it; a practice tenancy does not answer for keeps its entity's name. */
async function practiceNames(ctx: HandlerContext, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(
      ids.slice(i, i + 25).map(async (practiceId) => {
        try {
          names.set(practiceId, (await ctx.call(getPractice, { practiceId })).name);
        } catch (error) {
          ctx.log.warn({ practiceId, err: error instanceof Error ? error.message : String(error) }, 'practice name not available from tenancy');
        }
      }),
    );
  }
  return names;
}

/** A month closed in the MSO's books, or in the books of a practice the run covers, takes no fee run. */
async function refuseClosed(tx: TransactionContext, period: string, agreements: readonly Agreement[]) {
  const closed = await tx.db.select({ practiceId: periods.practiceId }).from(periods).where(eq(periods.period, period));
  const covered = new Set(agreements.map((a) => a.practiceId));
  const hit = closed.find((c) => c.practiceId === null) ?? closed.find((c) => covered.has(c.practiceId!));
  if (!hit) return;
  const whose = hit.practiceId === null ? "the MSO's books" : `the books of practice ${hit.practiceId}`;
  throw new ProblemError('conflict', `period ${period} is closed in ${whose}: a fee run for it is refused`, [{ path: '/period', message: `period ${period} is closed` }], { period });
}

async function lastRun(tx: TransactionContext, period: string): Promise<{ seq: number; result: ManagementFeeRun } | null> {
  const [row] = await tx.db.select({ seq: feeRuns.seq, result: feeRuns.result }).from(feeRuns).where(and(eq(feeRuns.period, period), isNull(feeRuns.practiceId))).orderBy(desc(feeRuns.seq)).limit(1);
  return row ?? null;
}

const nothingToPost = (computed: readonly Computed[]) =>
  computed.every((c) => c.fee.feeCents === c.invoiced.cents && shareDifferences(c.fee.venture?.shares ?? [], c.distributed.byParty).length === 0);

/** The same practices with the same fees, lines and venture split as the last run answered. */
function sameFees(last: ManagementFeeRun, computed: readonly Computed[]): boolean {
  const summary = (ps: readonly Pick<RunPractice, 'practiceId' | 'feeCents' | 'lines' | 'venture'>[]) => canonicalJson(ps.map((p) => [p.practiceId, p.feeCents, p.lines, p.venture]));
  return summary(last.practices) === summary(computed.map((c) => ({ practiceId: c.agreement.practiceId, feeCents: c.fee.feeCents, lines: c.fee.lines, venture: c.fee.venture })));
}

async function postRun(ctx: HandlerContext, tx: TransactionContext, period: string, today: string, computed: readonly Computed[], seq: number, names: ReadonlyMap<string, string>): Promise<ManagementFeeRun> {
  const runId = randomUUID();
  const now = ctx.clock.now();
  const by = ctx.principal.id;
  // The fee accrues in its month: on its last day, or today while the month is still running.
  const { last } = monthBounds(period);
  const entryDate = last < today ? last : today;
  const posting = { db: tx.db, clock: ctx.clock };
  const source = { kind: 'fee-run' as const, id: runId, by };
  let numbered = await invoicesInPeriod(tx.db, period);
  let entriesPosted = 0;
  const practices: RunPractice[] = [];
  const invoices: (typeof feeInvoices.$inferInsert)[] = [];
  const distributions: (typeof feeDistributions.$inferInsert)[] = [];

  for (const { agreement, fee, invoiced, distributed } of computed) {
    const practiceId = agreement.practiceId;
    const differenceCents = fee.feeCents - invoiced.cents;
    const warnings: FeeWarning[] = [...fee.warnings];
    let invoiceId = invoiced.latestId;
    const entries = feeEntries(practiceId, differenceCents);
    if (entries) {
      const seq = invoiced.count + 1;
      const number = `MSO-${period}-${String(++numbered).padStart(5, '0')}`;
      const kind = differenceCents > 0 ? 'invoice' : 'credit-note';
      if (invoiced.count > 0) {
        warnings.push({
          code: 'rerun-difference',
          message: `earlier runs invoiced ${money(invoiced.cents)} for ${period}; the fee is now ${money(fee.feeCents)}, so this run posts only the difference of ${money(differenceCents)} (${kind} ${number})`,
        });
      }
      const memo = `Management fee ${period}: ${kind} ${number}`;
      const inPractice = await postEntry(posting, { entity: practiceId, date: entryDate, memo, source, idempotencyKey: `management-fee:${period}:${seq}`, lines: entries.practice, closedPeriod: 'refuse' });
      const inMso = await postEntry(posting, { entity: 'mso', date: entryDate, memo, source, idempotencyKey: `management-fee:${practiceId}:${period}:${seq}`, lines: entries.mso as EntryLineInput[], closedPeriod: 'refuse' });
      entriesPosted += Number(inPractice.posted) + Number(inMso.posted);
      invoiceId = randomUUID();
      invoices.push({
        id: invoiceId,
        practiceId,
        number,
        kind,
        period,
        seq,
        runId,
        practiceName: names.get(practiceId) ?? (await practiceName(tx.db, practiceId)),
        model: agreement.model,
        issuedOn: today,
        dueOn: addDays(today, PAYMENT_TERMS_DAYS),
        lines: fee.lines,
        feeCents: fee.feeCents,
        previouslyInvoicedCents: invoiced.cents,
        amountCents: differenceCents,
        warnings,
        practiceEntryId: inPractice.entryId,
        msoEntryId: inMso.entryId,
        createdAt: now,
      });
    }
    const shares = shareDifferences(fee.venture?.shares ?? [], distributed.byParty);
    const distribution = distributionEntry(practiceId, shares);
    if (distribution) {
      const entry = await postEntry(posting, {
        entity: 'mso',
        date: entryDate,
        memo: `Joint-venture profit ${period} from practice ${practiceId}: owners' distributions`,
        source,
        idempotencyKey: `venture-distribution:${practiceId}:${period}:${distributed.entries + 1}`,
        lines: distribution as EntryLineInput[],
        closedPeriod: 'refuse',
      });
      entriesPosted += Number(entry.posted);
      for (const s of shares) distributions.push({ id: randomUUID(), practiceId, period, runId, party: s.party, amountCents: s.differenceCents, entryId: entry.entryId, createdAt: now });
      if (distributed.entries > 0) warnings.push({ code: 'rerun-difference', message: `the venture's distributions for ${period} changed: this run posts only the difference per owner` });
    }
    practices.push({
      practiceId,
      model: agreement.model,
      feeCents: fee.feeCents,
      lines: fee.lines,
      previouslyInvoicedCents: invoiced.cents,
      differenceCents,
      invoiceId,
      venture: fee.venture,
      warnings,
    });
  }

  const run: ManagementFeeRun = { id: runId, period, entriesPosted, practices, warnings: runWarnings(computed), createdAt: now.toISOString(), createdBy: by };
  await tx.db.insert(feeRuns).values({ id: runId, practiceId: null, period, seq, entriesPosted, result: run, createdAt: now, createdBy: by });
  if (invoices.length) await tx.db.insert(feeInvoices).values(invoices);
  if (distributions.length) await tx.db.insert(feeDistributions).values(distributions);
  // Emitted last: each practice's event turn is held from here to the commit.
  for (const inv of invoices) {
    await tx.emit(
      invoiceIssued,
      { invoiceId: inv.id!, number: inv.number, kind: inv.kind as 'invoice' | 'credit-note', practiceId: inv.practiceId, period, runId, feeCents: inv.feeCents, amountCents: inv.amountCents, issuedOn: inv.issuedOn, dueOn: inv.dueOn },
      { practiceId: inv.practiceId, subject: inv.id! },
    );
  }
  return run;
}

function runWarnings(computed: readonly Computed[]): FeeWarning[] {
  if (computed.length > 0) return [];
  return [{ code: 'no-agreements', message: 'no practice has an agreement in force in this period: nothing was invoiced' }];
}

// Runs are the MSO's rows (no practice): the platform scope of these operations sees them, and only them.
export const listManagementFeeRunsHandler: Handler<typeof listManagementFeeRuns> = async (input, ctx) => {
  const rows = await ctx.db
    .select({ result: feeRuns.result })
    .from(feeRuns)
    .where(and(isNull(feeRuns.practiceId), input.period ? eq(feeRuns.period, input.period) : undefined))
    .orderBy(desc(feeRuns.createdAt), desc(feeRuns.seq))
    .limit(200);
  return { items: rows.map((r) => r.result) };
};

export const getManagementFeeRunHandler: Handler<typeof getManagementFeeRun> = async (input, ctx) => {
  const [row] = await ctx.db.select({ result: feeRuns.result }).from(feeRuns).where(and(isNull(feeRuns.practiceId), eq(feeRuns.id, input.id)));
  if (!row) throw new ProblemError('not-found', 'no such fee run');
  return row.result;
};
