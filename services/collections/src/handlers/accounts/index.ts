import { and, eq, inArray } from 'drizzle-orm';
import * as contract from '@mso/contracts/collections';
import { ProblemError } from '@mso/contracts';
import { handle, isValidTimeZone, type Handler } from '@mso/kit';
import { notFound, unprocessable } from '../../domain/problems.js';
import { balanceLines, getGuarantor, guarantors, insurancePendingCents, listBalanceItems, listHistory } from '../../db/accounts.js';
import { activePlan } from '../../db/plans.js';
import { getSettings, practiceSettings } from '../../db/write-offs.js';
import { whenOf } from '../common.js';
import { toAccount, toGuarantor, toHistory } from './views.js';

// Contact details are PHI: nothing here logs them; problems name fields, never values.

const putGuarantorHandler: Handler<typeof contract.putGuarantor> = async (input, ctx) => {
  if (input.timeZone && !isValidTimeZone(input.timeZone)) throw unprocessable([{ path: '/timeZone', message: 'is not an IANA time zone' }]);
  const now = ctx.clock.now();
  const fields = {
    name: input.name,
    mailingAddress: input.mailingAddress,
    email: input.email ?? null,
    phone: input.phone ?? null,
    timeZone: input.timeZone ?? null,
    preferredChannel: input.preferredChannel,
    consent: input.consent ?? {},
    hold: input.hold ?? false,
    updatedAt: now,
  };
  return ctx.transaction(async (tx) => {
    // The patient's own account: the guarantor's id is billing's patient id.
    const [row] = await tx.db
      .insert(guarantors)
      .values({ id: input.id, practiceId: ctx.practiceId, patientId: input.id, ...fields, createdAt: now })
      .onConflictDoUpdate({ target: guarantors.id, set: fields, setWhere: eq(guarantors.practiceId, ctx.practiceId) })
      .returning();
    if (!row) throw notFound('guarantor');
    return toGuarantor(row);
  });
};

const getGuarantorHandler: Handler<typeof contract.getGuarantor> = async (input, ctx) => {
  const g = await getGuarantor(ctx.db, ctx.practiceId, input.id);
  if (!g) throw notFound('guarantor');
  return toGuarantor(g);
};

const getAccountHandler: Handler<typeof contract.getAccount> = async (input, ctx) => {
  const { on } = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const guarantor = await getGuarantor(tx.db, ctx.practiceId, input.guarantorId);
    if (!guarantor) throw notFound('guarantor');
    const items = await listBalanceItems(tx.db, ctx.practiceId, guarantor.id);
    const lineRows = items.length
      ? await tx.db
          .select()
          .from(balanceLines)
          .where(
            and(
              eq(balanceLines.practiceId, ctx.practiceId),
              inArray(
                balanceLines.claimId,
                items.map((i) => i.claimId),
              ),
            ),
          )
      : [];
    const lines = new Map<string, { reason: string; amountCents: number }[]>();
    for (const l of lineRows) lines.set(l.claimId, [...(lines.get(l.claimId) ?? []), l]);
    const pending = await insurancePendingCents(tx.db, ctx.practiceId, guarantor.patientId);
    const plan = await activePlan(tx.db, ctx.practiceId, guarantor.id);
    return toAccount({ guarantor, items, lines, insurancePendingCents: pending, planId: plan?.id ?? null, today: on });
  });
};

/** Cursor: the last entry's sequence number. */
const listHistoryHandler: Handler<typeof contract.listAccountHistory> = async (input, ctx) => {
  if (!(await getGuarantor(ctx.db, ctx.practiceId, input.guarantorId))) throw notFound('guarantor');
  const after = input.cursor === undefined ? undefined : Number(input.cursor);
  if (after !== undefined && !Number.isSafeInteger(after)) throw new ProblemError('validation-failed', 'cursor: not a cursor of this list', [{ path: '/cursor', message: 'not a cursor of this list' }]);
  const limit = input.limit ?? 50;
  const rows = await listHistory(ctx.db, ctx.practiceId, input.guarantorId, limit + 1, after);
  const page = rows.slice(0, limit);
  return { items: page.map(toHistory), nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null };
};

const getSettingsHandler: Handler<typeof contract.getSettings> = async (_input, ctx) => getSettings(ctx.db, ctx.practiceId);

const putSettingsHandler: Handler<typeof contract.putSettings> = async (input, ctx) => {
  const now = ctx.clock.now();
  await ctx.db
    .insert(practiceSettings)
    .values({ practiceId: ctx.practiceId, ...input, updatedAt: now })
    .onConflictDoUpdate({ target: practiceSettings.practiceId, set: { ...input, updatedAt: now } });
  return getSettings(ctx.db, ctx.practiceId);
};

export const accountHandlers = [
  handle(contract.putGuarantor, putGuarantorHandler),
  handle(contract.getGuarantor, getGuarantorHandler),
  handle(contract.getAccount, getAccountHandler),
  handle(contract.listAccountHistory, listHistoryHandler),
  handle(contract.getSettings, getSettingsHandler),
  handle(contract.putSettings, putSettingsHandler),
];
