import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { integer, pgSchema, primaryKey, text } from 'drizzle-orm/pg-core';
import { operation, ProblemError } from '@mso/contracts';
import { operations as financeOperations } from '@mso/contracts/finance';
import { eq } from 'drizzle-orm';
import { defineService, handle, type Db } from '../../src/index.js';

// A service with one long operation, for the tests of async jobs across processes (apps/cli runs it
// in child processes behind a real gateway): it posts a batch
// of lines one by one (slowly), reporting progress, all in the job's one transaction.
export const batchLines = pgSchema('cli_long_work').table(
  'batch_lines',
  { batch: text('batch').notNull(), n: integer('n').notNull(), practiceId: text('practice_id').notNull() },
  (t) => [primaryKey({ columns: [t.batch, t.n] })],
);

export const postBatch = operation({
  service: 'finance',
  name: 'test-batch.post',
  summary: 'Post a batch of lines (test)',
  http: { method: 'POST', path: '/v1/finance/test-batches' },
  async: true,
  roles: ['practice-admin', 'mso-staff'],
  input: Type.Object(
    {
      batch: Type.String({ minLength: 1, maxLength: 64 }),
      lines: Type.Integer({ minimum: 1, maximum: 1000 }),
      stepMs: Type.Integer({ minimum: 0, maximum: 1000 }),
      /** The line the handler refuses (a 422, as a domain rule would), after writing the ones before it. */
      refuseLine: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ batch: Type.String(), lines: Type.Integer() }),
});

export const longWork = defineService({
  id: 'finance',
  version: '0.0.0-test',
  description: 'long work (test)',
  db: { schema: 'cli_long_work', migrationsFolder: fileURLToPath(new URL('./migrations', import.meta.url)) },
  operations: [...financeOperations, postBatch],
  handlers: [
    handle(postBatch, async (input, ctx) =>
      ctx.transaction(async (tx) => {
        for (let n = 0; n < input.lines; n++) {
          if (n === input.refuseLine) throw new ProblemError('unprocessable', `line ${n} does not balance`);
          await tx.db.insert(batchLines).values({ batch: input.batch, n, practiceId: ctx.practiceId });
          ctx.progress(n + 1, input.lines);
          await new Promise((resolve) => setTimeout(resolve, input.stepMs));
        }
        return { batch: input.batch, lines: input.lines };
      }),
    ),
  ],
});

/** Lines of a batch in the database (what the job's effects left). */
export async function countBatchLines(db: Db, batch: string): Promise<number> {
  return (await db.select().from(batchLines).where(eq(batchLines.batch, batch))).length;
}
