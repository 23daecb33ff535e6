import { describe, expect, it } from 'vitest';
import { loggableError } from './errors.js';

describe('loggableError', () => {
  it('keeps the type, the SQLSTATE and code locations, never the message (it can quote PHI)', () => {
    const driverError = Object.assign(new Error('Failed query: insert into tickets values ($1) params: Jane Doe, 1980-02-03'), { code: '23505' });
    const logged = loggableError(driverError);
    expect(logged).toMatchObject({ type: 'Error', code: '23505' });
    expect(logged.stack).toContain('errors.test.ts');
    expect(JSON.stringify(logged)).not.toContain('Jane Doe');
    expect(JSON.stringify(logged)).not.toContain('1980-02-03');
  });

  it('reads the code from the cause when a library wraps the driver error', () => {
    const wrapped = new Error('query failed: Jane', { cause: Object.assign(new Error('x'), { code: '40001' }) });
    expect(loggableError(wrapped)).toMatchObject({ code: '40001' });
    expect(JSON.stringify(loggableError(wrapped))).not.toContain('Jane');
  });
});
