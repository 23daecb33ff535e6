// The MSO's invoices to practices: the MSO reads all of them, a practice's admin its own practice's.
import { and, desc, eq } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { getInvoice, getInvoicePdf, Invoice, listInvoices } from '@mso/contracts/finance';
import type { Db, Handler, HandlerContext } from '@mso/kit';
import { feeInvoices } from '../../db/schema.js';
import { renderInvoicePdf } from './invoice-pdf.js';

type InvoiceRow = typeof feeInvoices.$inferSelect;

export const toInvoice = (r: InvoiceRow): Invoice => ({
  id: r.id,
  number: r.number,
  kind: r.kind as Invoice['kind'],
  practiceId: r.practiceId,
  practiceName: r.practiceName,
  period: r.period,
  runId: r.runId,
  issuedOn: r.issuedOn,
  dueOn: r.dueOn,
  model: r.model as Invoice['model'],
  lines: r.lines,
  feeCents: r.feeCents,
  previouslyInvoicedCents: r.previouslyInvoicedCents,
  amountCents: r.amountCents,
  warnings: r.warnings,
  practiceEntryId: r.practiceEntryId,
  msoEntryId: r.msoEntryId,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Reads invoices as the caller may: a practice key its own practice's rows (behind the tenant wall as
 * well as the filter), an MSO key every practice's (recorded as a read across practices).
 */
async function readInvoices<T>(ctx: HandlerContext, reason: string, fn: (db: Db, practiceId: string | null) => Promise<T>): Promise<T> {
  const own = ctx.principal.practiceId;
  if (own) return fn(ctx.db, own);
  return ctx.acrossPractices(reason, (all) => fn(all.db, null));
}

export const listInvoicesHandler: Handler<typeof listInvoices> = async (input, ctx) => {
  const own = ctx.principal.practiceId;
  if (own && input.practiceId && input.practiceId !== own) throw new ProblemError('not-found', 'no such practice');
  const rows = await readInvoices(ctx, 'finance.invoice.list', (db, practiceId) =>
    db
      .select()
      .from(feeInvoices)
      .where(
        and(
          practiceId ? eq(feeInvoices.practiceId, practiceId) : undefined,
          input.practiceId ? eq(feeInvoices.practiceId, input.practiceId) : undefined,
          input.period ? eq(feeInvoices.period, input.period) : undefined,
        ),
      )
      .orderBy(desc(feeInvoices.createdAt), desc(feeInvoices.number))
      .limit(500),
  );
  return { items: rows.map(toInvoice) };
};

async function loadInvoice(ctx: HandlerContext, id: string): Promise<InvoiceRow> {
  const [row] = await readInvoices(ctx, 'finance.invoice.get', (db, practiceId) =>
    db
      .select()
      .from(feeInvoices)
      .where(and(eq(feeInvoices.id, id), practiceId ? eq(feeInvoices.practiceId, practiceId) : undefined)),
  );
  if (!row) throw new ProblemError('not-found', 'no such invoice');
  return row;
}

export const getInvoiceHandler: Handler<typeof getInvoice> = async (input, ctx) => toInvoice(await loadInvoice(ctx, input.id));

export const getInvoicePdfHandler: Handler<typeof getInvoicePdf> = async (input, ctx) => ({
  mediaType: 'application/pdf',
  bytes: await renderInvoicePdf(toInvoice(await loadInvoice(ctx, input.id))),
});
