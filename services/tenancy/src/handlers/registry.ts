import type { AcrossPractices, HandlerContext } from '@mso/kit';

/**
 * Tenancy is the control plane: MSO roles and the platform's own lookups read and write every
 * practice's agreements, keys and audit records, on the kit's explicit, recorded path past the tenant
 * wall. A practice key stays behind the wall and sees its own practice only.
 */
export function registry<T>(ctx: HandlerContext, reason: string, fn: (scope: AcrossPractices) => Promise<T>): Promise<T> {
  if (ctx.principal.practiceId) return fn({ db: ctx.db, transaction: (work, options) => ctx.transaction(work, options), writeBatch: (batch) => ctx.writeBatch(batch) });
  return ctx.acrossPractices(reason, fn);
}
