import { describe, expect, it } from 'vitest';
import { checkAgreement } from './agreement.js';
import { defaultTimeZone } from './time-zone.js';

describe("a practice's time zone", () => {
  it("defaults to the main zone of the practice's state", () => {
    expect(defaultTimeZone('CA')).toBe('America/Los_Angeles');
    expect(defaultTimeZone('AZ')).toBe('America/Phoenix');
    expect(defaultTimeZone('OH')).toBe('America/New_York');
  });

  it('must be an IANA zone when the agreement names one', () => {
    const agreement = { model: 'third-party' as const, services: ['billing'] };
    expect(checkAgreement({ ...agreement, timeZone: 'America/Chicago' }, 'IL').errors).toEqual([]);
    expect(checkAgreement({ ...agreement, timeZone: 'Central Time' }, 'IL', '/agreement').errors).toEqual([
      { path: '/agreement/timeZone', message: 'unknown time zone "Central Time"; use an IANA name such as America/Chicago' },
    ]);
  });
});
