// Who may work for a practice (be assigned its tickets, work items, ...): people of HR's staff
// directory with an employment at the MSO or at the practice that is active on the practice's own
// today. Pure functions over the directory's entries (staff-directory.ts keeps them).

/** The employer of an MSO employment; any other employer is a practice id. */
export const MSO_EMPLOYER = 'mso';

export interface StaffEmployment {
  employmentId: string;
  /** `mso` or a practice id (lower case). */
  employer: string;
  title: string;
  department: string;
  /** ISO date: the first day. */
  startDate: string;
  /** ISO date: the last day of the employment; null while it is open. */
  endDate: string | null;
}

/** A person of HR's staff directory: names, titles and employment dates only (no pay, SSN or address). */
export interface StaffMember {
  personId: string;
  displayName: string;
  employments: StaffEmployment[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** HR's person ids are UUIDs: anything else names nobody in the directory. */
export const isPersonId = (value: string): boolean => UUID.test(value);

/** Active on `date` (ISO dates): started, and not ended before it (the end date is the last day). */
export const isActiveOn = (e: Pick<StaffEmployment, 'startDate' | 'endDate'>, date: string): boolean => e.startDate <= date && (e.endDate === null || e.endDate >= date);

/** The person's employments at the MSO or at the practice that are active on `date`. */
export function employmentsServing(member: StaffMember, practiceId: string, date: string): StaffEmployment[] {
  const practice = practiceId.toLowerCase();
  return member.employments.filter((e) => {
    const employer = e.employer.toLowerCase();
    return (employer === MSO_EMPLOYER || employer === practice) && isActiveOn(e, date);
  });
}

/**
 * Why the person may not work for the practice on `date` (the practice's today); null when they may.
 * `member` is the directory's entry, absent when the directory does not know the person.
 */
export function assignmentRefusal(member: StaffMember | null | undefined, practiceId: string, date: string): string | null {
  if (!member) return 'not a person in the staff directory';
  return employmentsServing(member, practiceId, date).length === 0 ? `no employment at the MSO or at this practice on ${date}` : null;
}
