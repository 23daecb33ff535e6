import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { integer, pgSchema, primaryKey, text } from 'drizzle-orm/pg-core';
import { operation, ProblemError } from '@mso/contracts';
import { getInfo, getJob, listJobs } from '@mso/contracts/finance';
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

/** A large file posted as a job (an 835 of 10,000 claims would be): the handler hashes its bytes in chunks. */
export const importStatement = operation({
  service: 'finance',
  name: 'test-statement.import',
  summary: 'Import a statement file (test)',
  http: { method: 'POST', path: '/v1/finance/test-statements', body: { mediaTypes: ['text/plain', 'application/edi-x12'], maxBytes: 50 * 1024 * 1024 } },
  async: true,
  roles: ['practice-admin', 'mso-staff'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ sha256: Type.String(), bytes: Type.Integer(), mediaType: Type.String() }),
});

/**
 * A file that is a job only when large (`async.aboveBytes`): small ones answer at once, 201 the first
 * time and 200 with the same answer when the same bytes come again.
 */
export const fileReceipt = operation({
  service: 'finance',
  name: 'test-receipt.file',
  summary: 'File a receipt (test)',
  http: { method: 'POST', path: '/v1/finance/test-receipts', status: 201, statuses: [200], body: { mediaTypes: ['text/plain'], maxBytes: 10 * 1024 * 1024 } },
  async: { aboveBytes: 64 * 1024 },
  roles: ['practice-admin', 'mso-staff'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ sha256: Type.String(), first: Type.Boolean() }),
});
const receiptsFiled = new Set<string>();

/**
 * Test control of {@link importStatement}: when `hold` is set, the next run waits for `release`, then
 * throws as a copy going down mid-job would leave it (the job goes back to the queue).
 */
export const statementRuns: { hold?: { entered: () => void; release: Promise<void> } } = {};

/** A PHI write run as a job, that its handler refuses (`refuse`) or that breaks (`crash`). */
export const applyChartNote = operation({
  service: 'finance',
  name: 'test-chart-note.apply',
  summary: 'Apply a chart note (test)',
  http: { method: 'POST', path: '/v1/finance/test-chart-notes/{id}' },
  async: true,
  phi: 'write',
  roles: ['practice-admin', 'mso-staff'],
  input: Type.Object({ id: Type.String({ minLength: 1 }), outcome: Type.Union([Type.Literal('ok'), Type.Literal('refuse'), Type.Literal('crash')]) }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String() }),
});

/** An MSO report over every practice's lines, on the kit's audited MSO-wide path. */
export const countAllLines = operation({
  service: 'finance',
  name: 'test-lines.count-all',
  summary: "Count every practice's batch lines (test)",
  http: { method: 'GET', path: '/v1/finance/test-lines/count' },
  scope: 'platform',
  roles: ['mso-admin', 'mso-staff'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ lines: Type.Integer() }),
});

export const longWork = defineService({
  id: 'finance',
  version: '0.0.0-test',
  description: 'long work (test)',
  db: { schema: 'cli_long_work', migrationsFolder: fileURLToPath(new URL('./migrations', import.meta.url)) },
  // The operations the kit answers for every service, and the test's own (not finance's real contract).
  operations: [getInfo, getJob, listJobs, postBatch, importStatement, fileReceipt, applyChartNote, countAllLines],
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
    handle(importStatement, async (_input, ctx) => {
      const hold = statementRuns.hold;
      if (hold) {
        statementRuns.hold = undefined;
        hold.entered();
        await hold.release;
        throw new Error('the copy went down mid-job');
      }
      if (!ctx.body) throw new ProblemError('validation-failed', 'send the statement file as the body');
      const { bytes, mediaType } = ctx.body;
      const hash = createHash('sha256');
      const chunk = 1024 * 1024;
      const chunks = Math.ceil(bytes.byteLength / chunk);
      for (let i = 0; i < chunks; i++) {
        hash.update(bytes.subarray(i * chunk, (i + 1) * chunk));
        ctx.progress(i + 1, chunks);
      }
      return { sha256: hash.digest('hex'), bytes: bytes.byteLength, mediaType };
    }),
    handle(fileReceipt, async (_input, ctx) => {
      const sha256 = createHash('sha256').update(ctx.body!.bytes).digest('hex');
      const first = !receiptsFiled.has(sha256);
      receiptsFiled.add(sha256);
      if (!first) ctx.status(200);
      return { sha256, first };
    }),
    handle(applyChartNote, async (input, ctx) =>
      ctx.transaction(async (tx) => {
        await tx.db.insert(batchLines).values({ batch: `note-${input.id}`, n: 0, practiceId: ctx.practiceId });
        if (input.outcome === 'refuse') throw new ProblemError('unprocessable', 'the chart note does not apply');
        if (input.outcome === 'crash') throw new Error('the chart store broke');
        return { id: input.id };
      }),
    ),
    handle(countAllLines, (_input, ctx) =>
      ctx.acrossPractices('test: batch lines of every practice', async (all) => ({ lines: (await all.db.select().from(batchLines)).length })),
    ),
  ],
});

/** Lines of a batch in the database (what the job's effects left). */
export async function countBatchLines(db: Db, batch: string): Promise<number> {
  return (await db.select().from(batchLines).where(eq(batchLines.batch, batch))).length;
}
