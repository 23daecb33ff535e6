import { ProblemError } from '@mso/contracts';

export interface FieldProblem {
  path: string;
  message: string;
}

/** 422 naming the first field at fault (all of them in `errors`). */
export function unprocessable(problems: readonly FieldProblem[]): ProblemError {
  return new ProblemError('unprocessable', `${problems[0]!.path}: ${problems[0]!.message}`, [...problems]);
}

export const notFound = (what: string) => new ProblemError('not-found', `no such ${what}`);
