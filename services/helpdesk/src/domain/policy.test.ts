import { describe, expect, it } from 'vitest';
import { moreUrgent, policyFromTerms, raisePriority, slaCalendar } from './policy.js';

describe('SLA policy from the agreement', () => {
  it('uses the standard tier on a New York business week without terms', () => {
    const p = policyFromTerms(undefined);
    expect(p).toMatchObject({ tier: 'standard', fromAgreement: false, atRiskPercent: 80, breachNoticeDays: 60, escalation: { raisePriority: true, reassignTo: null } });
    expect(p.calendar.timeZone).toBe('America/New_York');
    expect(p.targets.normal).toEqual({ firstResponseMinutes: 240, resolutionMinutes: 1440, businessHours: true });
  });

  it('applies tier, calendar, per-priority overrides and escalation from the terms', () => {
    const p = policyFromTerms({
      tier: 'premium',
      timeZone: 'America/Denver',
      workingHours: { start: '07:00', end: '19:00', days: [1, 2, 3, 4, 5, 6] },
      holidays: ['2026-12-25', '2026-12-25'],
      slaTargets: { low: { firstResponseMinutes: 600, resolutionMinutes: 6000 } },
      escalation: { raisePriority: false, reassignTo: '6f1c2d3e-4b5a-4c6d-8e7f-901234567890' },
      breachNoticeDays: 30,
    });
    expect(p.tier).toBe('premium');
    expect(p.targets.urgent.businessHours).toBe(false);
    expect(p.targets.low).toEqual({ firstResponseMinutes: 600, resolutionMinutes: 6000, businessHours: true });
    expect(p.calendar).toEqual({ timeZone: 'America/Denver', workingHours: { start: '07:00', end: '19:00', days: [1, 2, 3, 4, 5, 6] }, holidays: ['2026-12-25'] });
    expect(p.escalation).toEqual({ raisePriority: false, reassignTo: '6f1c2d3e-4b5a-4c6d-8e7f-901234567890' });
    expect(p.warnings).toEqual([]);
    expect(p.breachNoticeDays).toBe(30);
    expect(slaCalendar(p.calendar, false).isOpen(new Date('2026-12-25T08:00:00Z'))).toBe(true);
  });

  it('falls back to defaults, with a warning, for terms it cannot use', () => {
    const p = policyFromTerms({ timeZone: 'Mars/Base', workingHours: { start: '18:00', end: '09:00', days: [1] } });
    expect(p.calendar.timeZone).toBe('America/New_York');
    expect(p.calendar.workingHours.start).toBe('08:00');
    expect(p.warnings).toHaveLength(2);
  });

  it('warns that breached tickets keep their assignee when reassignTo is not a person id', () => {
    const p = policyFromTerms({ escalation: { reassignTo: 'it-lead@mso.example' } });
    expect(p.escalation.reassignTo).toBe('it-lead@mso.example');
    expect(p.warnings).toEqual([expect.stringMatching(/reassignTo "it-lead@mso.example" is not a person id/)]);
  });

  it('raises priority one step at a time', () => {
    expect(raisePriority('low')).toBe('normal');
    expect(raisePriority('high')).toBe('urgent');
    expect(raisePriority('urgent')).toBe('urgent');
    expect(moreUrgent('high', 'normal')).toBe(true);
    expect(moreUrgent('low', 'normal')).toBe(false);
  });
});
