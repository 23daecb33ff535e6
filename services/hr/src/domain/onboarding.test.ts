import { describe, expect, it } from 'vitest';
import { daysBetween, endDateChange, isOverdue, planTasks, progressOf } from './onboarding.js';

describe('onboarding checklists', () => {
  it('dates each task from the anchor, before or after it', () => {
    const tasks = planTasks(
      [
        { title: 'Order a laptop', ownerRole: 'it', dueDays: -5 },
        { title: 'I-9 verification', ownerRole: 'hr', dueDays: 3 },
        { title: '30-day check-in', ownerRole: 'manager', dueDays: 30 },
      ],
      '2026-03-02',
    );
    expect(tasks.map((t) => [t.position, t.dueOn])).toEqual([
      [0, '2026-02-25'],
      [1, '2026-03-05'],
      [2, '2026-04-01'],
    ]);
  });

  it('counts done, total and overdue on a date; a task due today is not late yet', () => {
    const tasks = [
      { dueOn: '2026-03-01', doneAt: null },
      { dueOn: '2026-03-01', doneAt: new Date('2026-03-03T10:00:00Z') },
      { dueOn: '2026-03-05', doneAt: null },
    ];
    expect(progressOf(tasks, '2026-03-05')).toEqual({ done: 1, total: 3, overdue: 1 });
    expect(isOverdue(tasks[2]!, '2026-03-05')).toBe(false);
    expect(progressOf(tasks, '2026-03-06')).toEqual({ done: 1, total: 3, overdue: 2 });
  });
});

describe('end dates', () => {
  it('terminates an open employment, moves or keeps a terminated one, never reopens it', () => {
    expect(endDateChange({ endDate: null, terminated: false }, '2026-06-30')).toBe('terminate');
    expect(endDateChange({ endDate: null, terminated: false }, null)).toBe('keep');
    expect(endDateChange({ endDate: '2026-12-31', terminated: false }, '2026-11-30')).toBe('keep'); // a fixed term's planned end
    expect(endDateChange({ endDate: '2026-06-30', terminated: true }, '2026-07-15')).toBe('move');
    expect(endDateChange({ endDate: '2026-06-30', terminated: true }, '2026-06-30')).toBe('keep');
    expect(endDateChange({ endDate: '2026-06-30', terminated: true }, null)).toBe('refuse');
  });

  it('counts calendar days across months and a leap day', () => {
    expect(daysBetween('2026-03-20', '2026-03-27')).toBe(7);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-04-01', '2026-03-31')).toBe(-1);
  });
});
