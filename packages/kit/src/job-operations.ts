import { mso, ProblemError, serviceJobGet, serviceJobList, type BusinessService, type ScheduledJob } from '@mso/contracts';
import type { AsyncJobRunner } from './jobs.js';
import type { Scheduler } from './scheduler.js';
import { handle, type HandlerBinding } from './service.js';

/**
 * `job.get` and `job.list`, which the kit answers for every business service (like `info`): a
 * practice sees its own async jobs; MSO roles also see the scheduled jobs and how their runs went.
 */
export function jobOperations(service: BusinessService, parts: () => { runner: AsyncJobRunner | undefined; scheduler: Scheduler | undefined }): HandlerBinding[] {
  return [
    handle(serviceJobGet(service), async (input, ctx) => {
      const { runner } = parts();
      if (!runner) throw new ProblemError('not-found', 'no such job');
      return runner.get(input.id, ctx.practiceId);
    }),
    handle(serviceJobList(service), async (input, ctx) => {
      const { runner, scheduler } = parts();
      const limit = input.limit ?? 50;
      if (input.kind === 'scheduled') {
        const role = ctx.principal.role;
        if (role !== 'system' && !(mso as readonly string[]).includes(role)) throw new ProblemError('forbidden', 'the scheduled jobs of a service are listed for MSO roles');
        const all = scheduler ? await scheduler.status() : [];
        // With X-Practice-Id: that practice's runs of per-practice jobs, and the service-wide jobs.
        const rows = all.filter((s) => !ctx.tenant || s.practiceId === null || s.practiceId === ctx.tenant);
        return pageByPosition(rows.map((s) => ({ kind: 'scheduled' as const, ...s })), input.cursor, limit);
      }
      if (!ctx.tenant) {
        throw new ProblemError('validation-failed', 'async jobs belong to a practice: MSO keys name it in the X-Practice-Id header', [{ path: '/headers/x-practice-id', message: 'required for kind=async' }]);
      }
      return runner ? runner.list(ctx.tenant, { limit, ...(input.cursor ? { cursor: input.cursor } : {}) }) : { items: [], nextCursor: null };
    }),
  ];
}

/** The scheduled list is built from the job definitions each time (jobs x practices): pages by position. */
function pageByPosition(rows: ScheduledJob[], cursor: string | undefined, limit: number) {
  let start = 0;
  if (cursor) {
    start = Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0) throw new ProblemError('validation-failed', 'cursor is not one this API returned', [{ path: '/cursor', message: 'invalid cursor' }]);
  }
  const end = start + limit;
  return { items: rows.slice(start, end), nextCursor: end < rows.length ? Buffer.from(String(end)).toString('base64url') : null };
}
