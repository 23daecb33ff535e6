import { describe, expect, it } from 'vitest';
import { isForeignKeyViolation, isRetryableTransactionError, isUniqueViolation } from './transaction.js';

// The SQLSTATE checks read the driver's error, also when drizzle wrapped it (its `.cause`).
const driverError = (code: string) => Object.assign(new Error('driver'), { code });
const wrapped = (code: string) => new Error('Failed query', { cause: driverError(code) });

describe('SQLSTATE checks', () => {
  it('tells a unique violation, a foreign-key violation and a retryable abort apart, wrapped or not', () => {
    for (const make of [driverError, wrapped]) {
      expect([isUniqueViolation(make('23505')), isForeignKeyViolation(make('23505')), isRetryableTransactionError(make('23505'))]).toEqual([true, false, false]);
      expect([isUniqueViolation(make('23503')), isForeignKeyViolation(make('23503')), isRetryableTransactionError(make('23503'))]).toEqual([false, true, false]);
      expect([isUniqueViolation(make('40001')), isRetryableTransactionError(make('40001')), isRetryableTransactionError(make('40P01'))]).toEqual([false, true, true]);
    }
    expect(isUniqueViolation(new Error('no code'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});
