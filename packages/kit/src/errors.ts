/**
 * What of an unexpected error may be logged. Driver errors quote the failed SQL with its parameter
 * values, and handler errors can quote input: both can carry PHI. So logs get the error's type, its
 * SQLSTATE or code, and the stack's frames (code locations only), never its message.
 */
export function loggableError(error: unknown): { type: string; code?: string; stack?: string } {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  const frames = error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n');
  return { type: error.name, ...(typeof code === 'string' ? { code } : {}), ...(frames ? { stack: frames } : {}) };
}

/**
 * Whether a database error is the tenant wall refusing an existing row of another practice: an
 * `INSERT … ON CONFLICT DO UPDATE` whose conflicting row belongs to another practice fails the
 * policy's USING expression (SQLSTATE 42501). A request answers it as a missing resource. A new row
 * written for another practice (the WITH CHECK expression) is a bug of the handler, not this.
 */
export function isTenantWallRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === '42501' && /row-level security policy \(USING expression\)/i.test(e.message)) return true;
  }
  return false;
}
