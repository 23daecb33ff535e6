import type { Employment, Person } from '@mso/contracts/hr';
import { fteOf } from '../../domain/people.js';
import type { employments, people } from '../../db/schema.js';
import { employerOf } from '../access.js';

export type PersonRow = typeof people.$inferSelect;
export type EmploymentRow = typeof employments.$inferSelect;

export const employmentView = (e: EmploymentRow): Employment => ({
  id: e.id,
  personId: e.personId,
  employer: employerOf(e.practiceId),
  title: e.title,
  department: e.department,
  fte: fteOf(e.fteHundredths),
  pay: { basis: e.payBasis as 'salary', amountCents: e.payCents },
  startDate: e.startDate,
  endDate: e.endDate,
  managerId: e.managerId,
  allocations: e.allocations,
  systems: e.systems,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

export const personView = (p: PersonRow, list: EmploymentRow[]): Person => ({
  id: p.id,
  firstName: p.firstName,
  lastName: p.lastName,
  email: p.email,
  ssnLast4: p.ssnLast4,
  dateOfBirth: p.dateOfBirth,
  homeAddress: p.homeAddress ?? null,
  employments: list.map(employmentView),
  createdAt: p.createdAt.toISOString(),
});
