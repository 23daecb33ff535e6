import { describe, expect, it } from 'vitest';
import { assignmentRefusal, employmentsServing, isActiveOn, isPersonId, type StaffMember } from './staff.js';

const practice = '0b7c6a1e-2f3d-4e5a-9b8c-7d6e5f4a3b2c';
const another = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const member = (employments: Partial<StaffMember['employments'][number]>[]): StaffMember => ({
  personId: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
  displayName: 'Pat Morgan',
  employments: employments.map((e) => ({ employmentId: 'e', employer: 'mso', title: 'Biller', department: 'Revenue cycle', startDate: '2025-01-06', endDate: null, ...e })),
});

describe('who may work for a practice', () => {
  it('counts the first and the last day of an employment', () => {
    expect(isActiveOn({ startDate: '2026-03-01', endDate: '2026-03-31' }, '2026-03-01')).toBe(true);
    expect(isActiveOn({ startDate: '2026-03-01', endDate: '2026-03-31' }, '2026-03-31')).toBe(true);
    expect(isActiveOn({ startDate: '2026-03-01', endDate: '2026-03-31' }, '2026-04-01')).toBe(false);
    expect(isActiveOn({ startDate: '2026-03-01', endDate: null }, '2026-02-28')).toBe(false);
    expect(isActiveOn({ startDate: '2026-03-01', endDate: null }, '2030-01-01')).toBe(true);
  });

  it('takes an employment at the MSO or at the practice active on the day, not one at another practice', () => {
    expect(assignmentRefusal(member([{ endDate: '2026-06-01' }]), practice, '2026-06-01')).toBeNull();
    expect(assignmentRefusal(member([{ employer: practice }]), practice, '2026-06-01')).toBeNull();
    expect(assignmentRefusal(member([{ endDate: '2026-05-31' }]), practice, '2026-06-01')).toBe('no employment at the MSO or at this practice on 2026-06-01');
    expect(assignmentRefusal(member([{ startDate: '2026-06-02' }]), practice, '2026-06-01')).not.toBeNull();
    expect(assignmentRefusal(member([{ employer: another }]), practice, '2026-06-01')).not.toBeNull();
    expect(assignmentRefusal(undefined, practice, '2026-06-01')).toBe('not a person in the staff directory');
    expect(assignmentRefusal(null, practice, '2026-06-01')).toBe('not a person in the staff directory');
  });

  it('keeps only the employments that serve the practice that day, whatever the case of the ids', () => {
    const m = member([{ employer: 'mso', endDate: '2025-12-31' }, { employer: practice.toUpperCase() }, { employer: another }]);
    expect(employmentsServing(m, practice, '2026-06-01').map((e) => e.employer)).toEqual([practice.toUpperCase()]);
    expect(employmentsServing(m, practice.toUpperCase(), '2025-06-01').map((e) => e.employer)).toEqual(['mso', practice.toUpperCase()]);
    expect(assignmentRefusal(m, 'c9d8e7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f', '2026-06-01')).toBe('no employment at the MSO or at this practice on 2026-06-01');
  });

  it('knows a person id from anything else', () => {
    expect(isPersonId('5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a')).toBe(true);
    expect(isPersonId('5D4C3B2A-1F0E-4D9C-8B7A-6F5E4D3C2B1A')).toBe(true);
    expect(isPersonId('pat@mso.example')).toBe(false);
  });
});
