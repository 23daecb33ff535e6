// Whose books a request reads or writes. A practice key: its own practice's (another practice's id is
// 404, as a missing one). An MSO key: the `entity` it names (`mso` or a practice id), else the practice
// of `X-Practice-Id`. Books other than the request's own scope are reached through `acrossPractices`.
import { ProblemError } from '@mso/contracts';
import type { HandlerContext, TransactionContext } from '@mso/kit';
import { ensureEntity, findEntity, practiceOf, type Entity } from '../ledger/entities.js';
import type { PostingTx } from '../ledger/post.js';

const practiceRoles = new Set(['practice-admin', 'practice-user']);

export const notFound = (what: string) => new ProblemError('not-found', `no such ${what}`);

/** The entity the request is about (see above); 400 naming `/entity` when an MSO key names none. */
export async function entityOfRequest(ctx: HandlerContext, requested: string | undefined): Promise<Entity> {
  const own = ctx.principal.practiceId;
  if (practiceRoles.has(ctx.principal.role) || own) {
    if (!own) throw new ProblemError('forbidden', 'a practice key acts only for its own practice');
    if (requested !== undefined && requested.toLowerCase() !== own) throw notFound('entity');
    const agreement = await ctx.agreements.get(own);
    if (!agreement) throw notFound('entity');
    if (!agreement.services.includes('finance')) throw new ProblemError('service-not-in-agreement', "the practice's agreement does not include finance");
    return own;
  }
  const named = requested?.toLowerCase() ?? ctx.tenant;
  if (!named) {
    throw new ProblemError('validation-failed', 'name the books: entity=mso or entity=<practiceId> (or X-Practice-Id)', [{ path: '/entity', message: 'required for MSO keys without X-Practice-Id' }]);
  }
  if (named !== 'mso' && !(await ctx.agreements.get(named))) throw notFound('entity');
  return named;
}

/** A transaction on the entity's books, with the clock (for `postEntry`). */
export type BooksTx = TransactionContext & PostingTx;

/**
 * Runs `fn` in a transaction that sees the entity's books: the request's own scope when it is that
 * entity's, else the recorded way across the tenant wall (MSO keys only). The entity exists after it.
 */
export async function withBooks<T>(ctx: HandlerContext, entity: Entity, fn: (tx: BooksTx) => Promise<T>, options: { isolation?: 'repeatable read' } = {}): Promise<T> {
  const run = async (tx: TransactionContext) => {
    const books: BooksTx = { ...tx, clock: ctx.clock };
    if (!(await findEntity(tx.db, entity))) await ensureEntity(tx.db, entity, ctx.clock.now());
    return fn(books);
  };
  const txOptions = options.isolation ? { isolation: options.isolation } : {};
  if (practiceOf(entity) === ctx.tenant) return ctx.transaction(run, txOptions);
  return ctx.acrossPractices('finance.books-of-entity', (all) => all.transaction(run, txOptions));
}
