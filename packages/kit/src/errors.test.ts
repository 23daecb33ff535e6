import { describe, expect, it } from 'vitest';
import { isTenantWallRefusal, loggableError } from './errors.js';

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

describe('isTenantWallRefusal', () => {
  it("recognises row-level security refusing another practice's existing row, also wrapped, and nothing else", () => {
    const rls = Object.assign(new Error('new row violates row-level security policy (USING expression) for table "guarantors"'), { code: '42501' });
    expect(isTenantWallRefusal(rls)).toBe(true);
    expect(isTenantWallRefusal(new Error('Failed query: insert …', { cause: rls }))).toBe(true);
    expect(isTenantWallRefusal(Object.assign(new Error('permission denied for table guarantors'), { code: '42501' }))).toBe(false);
    // A new row for another practice is the handler's bug: it stays a 500.
    expect(isTenantWallRefusal(Object.assign(new Error('new row violates row-level security policy for table "guarantors"'), { code: '42501' }))).toBe(false);
    expect(isTenantWallRefusal(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isTenantWallRefusal('42501')).toBe(false);
  });
});
