// Who may work a practice's tickets: people of HR's staff directory with an employment at the MSO or
// at the practice that is active on the practice's today. Pure functions over the staff view.

export interface StaffEmployment {
  employmentId: string;
  /** `mso` or a practice id. */
  employer: string;
  title: string;
  department: string;
  startDate: string;
  /** The last day of the employment; null while it is open. */
  endDate: string | null;
}

export interface StaffMember {
  personId: string;
  displayName: string;
  employments: StaffEmployment[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isPersonId = (value: string): boolean => UUID.test(value);

/** Active on `date` (ISO dates): started, and not ended before it (the end date is the last day). */
export const isActiveOn = (e: Pick<StaffEmployment, 'startDate' | 'endDate'>, date: string): boolean => e.startDate <= date && (e.endDate === null || e.endDate >= date);

/** The person's employments at the MSO or at the practice that are active on `date`. */
export function employmentsServing(member: StaffMember, practiceId: string, date: string): StaffEmployment[] {
  const practice = practiceId.toLowerCase();
  return member.employments.filter((e) => (e.employer === 'mso' || e.employer.toLowerCase() === practice) && isActiveOn(e, date));
}

/** Why the person may not be assigned a ticket of the practice on `date`; null when they may. */
export function assigneeRefusal(member: StaffMember | undefined, practiceId: string, date: string): string | null {
  if (!member) return 'not a person in the staff directory';
  if (employmentsServing(member, practiceId, date).length === 0) return `no employment at the MSO or at this practice on ${date}`;
  return null;
}
