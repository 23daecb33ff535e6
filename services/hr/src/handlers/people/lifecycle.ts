// What happens around an employment's start and end, in the transaction of the change: its
// checklist, the events helpdesk acts on (`hr.employee.hired` / `hr.employee.terminated`), and the
// signal that rebuilds the person's directory entry (`hr.person.changed` → `hr.staff-member.changed`).
//
// The MSO's own employments have no practice: helpdesk's tickets are a practice's, so they are not
// announced as hired or terminated (the MSO's own IT is not run through helpdesk); their checklists
// and directory entries are kept as for anyone else.
import { employeeHired, employeeTerminated, personChanged } from '@mso/contracts/hr';
import type { TransactionContext } from '@mso/kit';
import { displayNameOf } from '../../domain/onboarding.js';
import { startChecklist } from '../onboarding/checklists.js';
import type { EmploymentRow, PersonRow } from './views.js';

/** The person's directory entry changed: HR's consumer publishes `hr.staff-member.changed` from it. */
export async function announcePersonChanged(tx: TransactionContext, personId: string): Promise<void> {
  await tx.emit(personChanged, { personId }, { subject: personId, practiceId: null });
}

/** A new employment: its onboarding checklist (from the start date) and the hired event. `e.updatedAt` is the change's clock time. */
export async function employmentStarted(tx: TransactionContext, person: PersonRow, e: EmploymentRow): Promise<void> {
  await startChecklist(tx, e, 'onboarding', e.startDate, e.updatedAt);
  if (e.practiceId) {
    await tx.emit(
      employeeHired,
      { employeeId: e.id, practiceId: e.practiceId, displayName: displayNameOf(person), jobTitle: e.title, startDate: e.startDate, systems: e.systems },
      { subject: e.id, practiceId: e.practiceId },
    );
  }
  await announcePersonChanged(tx, person.id);
}

/** An employment ended on `lastDay`: its offboarding checklist (from the last day) and the terminated event. */
export async function employmentEnded(tx: TransactionContext, person: PersonRow, e: EmploymentRow, lastDay: string): Promise<string | null> {
  const checklistId = await startChecklist(tx, e, 'offboarding', lastDay, e.updatedAt);
  if (e.practiceId) {
    await tx.emit(
      employeeTerminated,
      { employeeId: e.id, practiceId: e.practiceId, displayName: displayNameOf(person), lastDay, systems: e.systems },
      { subject: e.id, practiceId: e.practiceId },
    );
  }
  await announcePersonChanged(tx, person.id);
  return checklistId;
}
