import { describe, expect, it } from 'vitest';
import { assigneeRefusal, type StaffMember } from './staff.js';

const practice = '0b7c6a1e-2f3d-4e5a-9b8c-7d6e5f4a3b2c';
const member = (employments: Partial<StaffMember['employments'][number]>[]): StaffMember => ({
  personId: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
  displayName: 'Pat Morgan',
  employments: employments.map((e) => ({ employmentId: 'e', employer: 'mso', title: 'Biller', department: 'Revenue cycle', startDate: '2025-01-06', endDate: null, ...e })),
});

describe('who may work the queues', () => {
  it('takes an employment at the MSO or the practice active on the day, its last day included', () => {
    expect(assigneeRefusal(member([{ endDate: '2026-06-01' }]), practice, '2026-06-01')).toBeNull();
    expect(assigneeRefusal(member([{ employer: practice }]), practice, '2026-06-01')).toBeNull();
    expect(assigneeRefusal(member([{ endDate: '2026-05-31' }]), practice, '2026-06-01')).toBe('no employment at the MSO or at this practice on 2026-06-01');
    expect(assigneeRefusal(member([{ startDate: '2026-06-02' }]), practice, '2026-06-01')).not.toBeNull();
    expect(assigneeRefusal(member([{ employer: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f' }]), practice, '2026-06-01')).not.toBeNull();
    expect(assigneeRefusal(undefined, practice, '2026-06-01')).toBe('not a person in the staff directory');
  });
});
