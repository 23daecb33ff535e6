import { ProblemError } from '@mso/contracts';

export const notFound = (what: string) => new ProblemError('not-found', `no such ${what}`);
export const invalid = (path: string, message: string) => new ProblemError('validation-failed', `${path.slice(1)} ${message}`, [{ path, message }]);
