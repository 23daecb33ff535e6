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
