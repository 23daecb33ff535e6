import { describe, expect, it } from 'vitest';
import { addDays, addMonths, expiryOf, reachedThresholds } from './credentials.js';

describe('credential expiry', () => {
  it('dates CAQH attestations 120 days and recredentialing 36 months from their date', () => {
    expect(expiryOf({ kind: 'caqh-attestation', issuedOn: '2026-01-01' })).toBe('2026-05-01');
    expect(expiryOf({ kind: 'recredentialing', issuedOn: '2026-02-15' })).toBe('2029-02-15');
    expect(addMonths('2027-02-28', 36)).toBe('2030-02-28');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', -90)).toBe('2026-10-02');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-02-29', 12)).toBe('2029-02-28');
  });

  it('requires each kind its fields', () => {
    expect(() => expiryOf({ kind: 'state-licence', state: 'FL', issuedOn: '2026-01-01', expiresOn: '2028-01-31' })).toThrow(/number/);
    expect(() => expiryOf({ kind: 'malpractice', carrier: 'X', issuedOn: '2026-01-01', expiresOn: '2027-01-01' })).toThrow(/limits/);
    expect(() => expiryOf({ kind: 'dea', state: 'FL', number: 'AB1234563', issuedOn: '2026-01-01', expiresOn: '2025-01-01' })).toThrow(/before/);
    expect(expiryOf({ kind: 'board-certification', issuer: 'ABFM', issuedOn: '2020-01-01' })).toBeNull();
  });

  it('reaches the thresholds on their days, the tightest last', () => {
    expect(reachedThresholds('2026-12-31', '2026-10-01')).toEqual([]);
    expect(reachedThresholds('2026-12-31', '2026-10-02')).toEqual([90]);
    expect(reachedThresholds('2026-12-31', '2026-11-16')).toEqual([90, 60]);
    expect(reachedThresholds('2026-12-31', '2026-12-24')).toEqual([90, 60, 30, 7]);
    expect(reachedThresholds('2026-12-31', '2026-12-31')).toEqual([90, 60, 30, 7, 0]);
  });
});
