import { ProblemError } from '@mso/contracts';
import type { FieldProblem } from '../domain/master-data.js';

/** 422 naming the first field at fault (all of them in `errors`), as tenancy answers a bad NPI. */
export function unprocessable(problems: readonly FieldProblem[]): ProblemError {
  return new ProblemError('unprocessable', `${problems[0]!.path}: ${problems[0]!.message}`, [...problems]);
}

export const notFound = (what: string) => new ProblemError('not-found', `no such ${what}`);

export { isUniqueViolation } from '@mso/kit';

/** The fields of a PATCH body that were sent. */
export function sent<T extends Record<string, unknown>>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const iso = (d: Date) => d.toISOString();
