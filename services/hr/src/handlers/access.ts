// Who sees what. A practice key: its own practice's rows only, in its own scope behind the tenant
// wall (another practice's id answers 404, as a missing one). An MSO key: every practice's and the
// MSO's own, through the recorded way across the wall.
import { ProblemError } from '@mso/contracts';
import type { HandlerContext, TransactionContext } from '@mso/kit';
import { notFound } from '../domain/problems.js';

export interface Caller {
  /** The practice of a practice key; null for MSO keys, who see every employer. */
  practiceId: string | null;
}

/** The caller, after checking a practice key's practice buys HR. */
export async function callerOf(ctx: HandlerContext): Promise<Caller> {
  const own = ctx.principal.practiceId;
  if (!own) {
    if (ctx.principal.role === 'practice-admin' || ctx.principal.role === 'practice-user') throw new ProblemError('forbidden', 'a practice key acts only for its own practice');
    return { practiceId: null };
  }
  const agreement = await ctx.agreements.get(own);
  if (!agreement) throw notFound('practice');
  if (!agreement.services.includes('hr')) throw new ProblemError('service-not-in-agreement', "the practice's agreement does not include hr");
  return { practiceId: own };
}

/** Runs `fn` in a transaction that sees what the caller may see (see above). */
export async function withCaller<T>(ctx: HandlerContext, reason: string, fn: (tx: TransactionContext, caller: Caller) => Promise<T>): Promise<T> {
  const caller = await callerOf(ctx);
  if (caller.practiceId) return ctx.transaction((tx) => fn(tx, caller));
  return ctx.acrossPractices(reason, (all) => all.transaction((tx) => fn(tx, caller)));
}

/**
 * The practice an MSO key names (`practiceId`, else X-Practice-Id), or a practice key's own (naming
 * another is 404). The practice must buy HR.
 */
export async function practiceOfRequest(ctx: HandlerContext, caller: Caller, named: string | undefined): Promise<string> {
  if (caller.practiceId) {
    if (named !== undefined && named.toLowerCase() !== caller.practiceId) throw notFound('practice');
    return caller.practiceId;
  }
  const practiceId = named?.toLowerCase() ?? ctx.tenant;
  if (!practiceId) throw new ProblemError('validation-failed', 'name the practice: practiceId (or X-Practice-Id)', [{ path: '/practiceId', message: 'required for MSO keys without X-Practice-Id' }]);
  await checkPracticeBuysHr(ctx, practiceId);
  return practiceId;
}

export async function checkPracticeBuysHr(ctx: HandlerContext, practiceId: string): Promise<void> {
  const agreement = await ctx.agreements.get(practiceId);
  if (!agreement) throw notFound('practice');
  if (!agreement.services.includes('hr')) throw new ProblemError('service-not-in-agreement', "the practice's agreement does not include hr");
}

/** The practice column value of an employer: NULL for the MSO. */
export const practiceOfEmployer = (employer: string): string | null => (employer.toLowerCase() === 'mso' ? null : employer.toLowerCase());
export const employerOf = (practiceId: string | null) => practiceId ?? 'mso';

/** An employer the caller may write for: a practice key only its own practice; an MSO key any that buys HR. */
export async function checkEmployer(ctx: HandlerContext, caller: Caller, employer: string, path = '/employer'): Promise<string | null> {
  const practiceId = practiceOfEmployer(employer);
  if (caller.practiceId) {
    if (practiceId !== caller.practiceId) throw new ProblemError('not-found', 'no such employer', [{ path, message: "a practice key adds employments of its own practice only" }]);
    return practiceId;
  }
  if (practiceId) await checkPracticeBuysHr(ctx, practiceId);
  return practiceId;
}

/** Employers in report order: the MSO first, then practices by id. */
export const employerOrder = (a: { employer: string }, b: { employer: string }): number =>
  a.employer === 'mso' ? -1 : b.employer === 'mso' ? 1 : a.employer.localeCompare(b.employer);

/**
 * Checks a named employer before the handler's transaction opens: inside it the agreement view cannot
 * ask tenancy about a practice it has not seen, so an unknown practice would answer 503, not 404.
 */
export async function checkEmployerFirst(ctx: HandlerContext, employer: string | undefined, path?: string): Promise<void> {
  if (employer !== undefined) await checkEmployer(ctx, await callerOf(ctx), employer, path);
}
