import { ProblemError } from '@mso/contracts';

/**
 * Keyset cursors over (created_at, id): stable under inserts, no OFFSET scans. The cursor is opaque
 * to callers (base64url of the last row's sort key).
 */
export interface CursorKey {
  createdAt: string;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorKey | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(createdAt))) throw new Error('bad');
    return { createdAt, id };
  } catch {
    throw new ProblemError('validation-failed', 'cursor is not one this API returned', [{ path: '/cursor', message: 'invalid cursor' }]);
  }
}

/** Given `limit + 1` rows, returns the page and the cursor to the next one. */
export function paginate<T extends { createdAt: Date | string; id: string }, R>(rows: T[], limit: number, map: (row: T) => R): { items: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({ createdAt: last.createdAt instanceof Date ? last.createdAt.toISOString() : last.createdAt, id: last.id })
      : null;
  return { items: page.map(map), nextCursor };
}
