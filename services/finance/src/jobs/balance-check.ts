// Proves the kept balances (account_balances, written with every posting) equal the sum of the lines,
// for every entity; records the result (GET /v1/finance/balance-checks/latest) and logs any mismatch.
import { sql } from 'drizzle-orm';
import type { JobContext } from '@mso/kit';
import { accountBalances, balanceChecks, entities } from '../db/schema.js';
import { balanceMismatches } from '../ledger/balances.js';
import { entityOf } from '../ledger/entities.js';

export async function checkBalances(ctx: JobContext): Promise<void> {
  await ctx.acrossPractices('finance.balance-check', (all) =>
    all.transaction(
      async (tx) => {
        const mismatches = await balanceMismatches(tx.db, null);
        const [kept] = await tx.db.select({ n: sql<string>`count(*)` }).from(accountBalances);
        const [known] = await tx.db.select({ n: sql<string>`count(*)` }).from(entities);
        const lines = mismatches
          .slice(0, 20)
          .map((m) => `${entityOf(m.practiceId)} ${m.accountId} ${m.period}: kept ${m.kept.debitCents}/${m.kept.creditCents}, lines ${m.lines.debitCents}/${m.lines.creditCents}`);
        await tx.db.insert(balanceChecks).values({
          id: crypto.randomUUID(),
          practiceId: null,
          checkedAt: ctx.clock.now(),
          accounts: Number(kept?.n ?? 0),
          mismatches: mismatches.length,
          detail: JSON.stringify({ entities: Number(known?.n ?? 0), lines }),
        });
        if (mismatches.length) ctx.log.error({ event: 'finance.balance-mismatch', mismatches: mismatches.length }, 'kept balances differ from the ledger lines');
      },
      { isolation: 'repeatable read' },
    ),
  );
}
