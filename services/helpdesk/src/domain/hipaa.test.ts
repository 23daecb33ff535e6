import { describe, expect, it } from 'vitest';
import { daysLeft, deadlineCheckAt, deadlines, determine, warnAt } from './hipaa.js';

const low = { risk: 'low' as const };
const allLow = { natureAndExtent: low, unauthorizedRecipient: low, acquiredOrViewed: low, mitigation: low };
const discoveredAt = new Date('2026-03-02T14:00:00Z');
const byRecipient = (list: { recipient: string; dueAt: Date }[]) => Object.fromEntries(list.map((d) => [d.recipient, d.dueAt.toISOString()]));

describe('breach determination', () => {
  it('presumes a breach until an assessment shows a low probability of compromise', () => {
    expect(determine({ riskAssessment: null, phiEncrypted: false, exception: null })).toMatchObject({ reportable: true, reason: expect.stringContaining('presumed') });
    expect(determine({ riskAssessment: allLow, phiEncrypted: false, exception: null }).reportable).toBe(false);
    const viewed = determine({ riskAssessment: { ...allLow, acquiredOrViewed: { risk: 'high' } }, phiEncrypted: false, exception: null });
    expect(viewed.reportable).toBe(true);
    expect(viewed.reason).toContain('acquired or viewed: high');
  });

  it('treats encrypted PHI and the statutory exceptions as not reportable', () => {
    expect(determine({ riskAssessment: null, phiEncrypted: true, exception: null }).reportable).toBe(false);
    expect(determine({ riskAssessment: null, phiEncrypted: false, exception: 'unable-to-retain' })).toMatchObject({ reportable: false, reason: expect.stringContaining('retained') });
  });
});

describe('notification deadlines', () => {
  const base = { discoveredAt, practiceNoticeDays: 60, timeZone: 'America/New_York' };

  it('gives the practice, individuals and HHS 60 days when the count is not known yet', () => {
    expect(byRecipient(deadlines({ ...base, reportable: true, individualsAffected: null }))).toEqual({
      practice: '2026-05-01T14:00:00.000Z',
      individuals: '2026-05-01T14:00:00.000Z',
      hhs: '2026-05-01T14:00:00.000Z',
    });
  });

  it('logs a small breach for HHS within 60 days of the end of the year', () => {
    const d = byRecipient(deadlines({ ...base, reportable: true, individualsAffected: 12 }));
    expect(d.hhs).toBe('2027-03-02T05:00:00.000Z'); // end of 1 March 2027, New York
    expect(d.media).toBeUndefined();
    // 2027 is followed by a leap year: the end of 29 February 2028.
    expect(byRecipient(deadlines({ ...base, discoveredAt: new Date('2027-06-01T12:00:00Z'), reportable: true, individualsAffected: 3 })).hhs).toBe('2028-03-01T05:00:00.000Z');
  });

  it('adds HHS and the media within 60 days from 500 individuals', () => {
    const d = byRecipient(deadlines({ ...base, reportable: true, individualsAffected: 500 }));
    expect(d.hhs).toBe('2026-05-01T14:00:00.000Z');
    expect(d.media).toBe('2026-05-01T14:00:00.000Z');
  });

  it('still tracks the notice to the practice when the incident is not a reportable breach, within the agreed days', () => {
    expect(byRecipient(deadlines({ ...base, practiceNoticeDays: 10, reportable: false, individualsAffected: 900 }))).toEqual({ practice: '2026-03-12T14:00:00.000Z' });
  });

  it('warns ten days ahead, then looks for the miss', () => {
    const dueAt = new Date('2026-05-01T14:00:00Z');
    expect(warnAt(dueAt).toISOString()).toBe('2026-04-21T14:00:00.000Z');
    expect(daysLeft(dueAt, new Date('2026-04-21T14:00:00Z'))).toBe(10);
    const d = { dueAt, warnAt: warnAt(dueAt), warnedAt: null, missedAt: null, notifiedAt: null };
    expect(deadlineCheckAt(d)?.toISOString()).toBe('2026-04-21T14:00:00.000Z');
    expect(deadlineCheckAt({ ...d, warnedAt: new Date() })?.toISOString()).toBe('2026-05-01T14:00:00.001Z');
    expect(deadlineCheckAt({ ...d, notifiedAt: new Date() })).toBeNull();
  });
});
