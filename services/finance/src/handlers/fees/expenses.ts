// MSO expenses incurred directly for a practice. They are what cost-plus fees mark up and what a joint
// venture's profit is net of; the expense itself reaches the MSO's books through its own journal entry.
import { randomUUID } from 'node:crypto';
import { and, between, desc, eq } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Expense, listExpenses, recordExpense } from '@mso/contracts/finance';
import type { Handler } from '@mso/kit';
import { monthBounds } from '../../domain/fees/period.js';
import { feeExpenses } from '../../db/schema.js';

type ExpenseRow = typeof feeExpenses.$inferSelect;

const toExpense = (r: ExpenseRow): Expense => ({
  id: r.id,
  practiceId: r.practiceId,
  date: r.date,
  amountCents: r.amountCents,
  description: r.description,
  createdAt: r.createdAt.toISOString(),
  createdBy: r.createdBy,
});

export const recordExpenseHandler: Handler<typeof recordExpense> = async (input, ctx) => {
  if (!(await ctx.agreements.get(input.practiceId))) throw new ProblemError('not-found', 'no such practice', [{ path: '/practiceId', message: 'no such practice' }]);
  const row: ExpenseRow = {
    id: randomUUID(),
    practiceId: input.practiceId,
    date: input.date,
    amountCents: input.amountCents,
    description: input.description,
    createdAt: ctx.clock.now(),
    createdBy: ctx.principal.id,
  };
  await ctx.acrossPractices('finance.expense.create', (all) => all.transaction((tx) => tx.db.insert(feeExpenses).values(row)));
  return toExpense(row);
};

export const listExpensesHandler: Handler<typeof listExpenses> = async (input, ctx) => {
  const month = input.period ? monthBounds(input.period) : null;
  const rows = await ctx.acrossPractices('finance.expense.list', (all) =>
    all.db
      .select()
      .from(feeExpenses)
      .where(and(input.practiceId ? eq(feeExpenses.practiceId, input.practiceId) : undefined, month ? between(feeExpenses.date, month.first, month.last) : undefined))
      .orderBy(desc(feeExpenses.date), desc(feeExpenses.createdAt))
      .limit(500),
  );
  return { items: rows.map(toExpense) };
};
