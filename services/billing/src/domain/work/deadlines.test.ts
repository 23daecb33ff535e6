import { describe, expect, it } from 'vitest';
import { daysBetween, isMissingEra, missingEraThreshold, timelyFilingDeadline, timelyFilingLimit } from './deadlines.js';

const payer = { id: 'p-1', ediPayerId: 'GCHP1', timelyFilingDays: null };

describe('timely filing', () => {
  it("takes the payer's limit, else the agreement's for the payer, else the agreement's, else 365 days", () => {
    const terms = { timelyFilingDays: 90, timelyFilingDaysByPayer: { GCHP1: 120 } };
    expect(timelyFilingLimit({ ...payer, timelyFilingDays: 180 }, terms)).toEqual({ days: 180, source: 'payer' });
    expect(timelyFilingLimit(payer, terms)).toEqual({ days: 120, source: 'agreement-payer' });
    expect(timelyFilingLimit({ ...payer, ediPayerId: 'OTHER' }, terms)).toEqual({ days: 90, source: 'agreement' });
    expect(timelyFilingLimit(payer, undefined)).toEqual({ days: 365, source: 'default' });
  });

  it('counts from the date of service across month and year ends', () => {
    expect(timelyFilingDeadline('2026-03-25', 90)).toBe('2026-06-23');
    expect(timelyFilingDeadline('2025-12-15', 30)).toBe('2026-01-14');
    expect(daysBetween('2026-06-20', '2026-06-23')).toBe(3);
    expect(daysBetween('2026-06-23', '2026-06-20')).toBe(-3);
  });
});

describe('missing ERA', () => {
  it("waits the agreement's days for the payer, else the agreement's, else 45", () => {
    expect(missingEraThreshold(payer, { missingEraDays: 30, missingEraDaysByPayer: { GCHP1: 60 } })).toBe(60);
    expect(missingEraThreshold(payer, { missingEraDays: 30 })).toBe(30);
    expect(missingEraThreshold(payer, undefined)).toBe(45);
  });

  it('is missing only once more than the threshold has passed', () => {
    expect(isMissingEra('2026-04-01', '2026-05-16', 45)).toBe(false);
    expect(isMissingEra('2026-04-01', '2026-05-17', 45)).toBe(true);
  });
});
