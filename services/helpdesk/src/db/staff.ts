import { asc, eq, inArray, or, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Db } from '@mso/kit';
import { assigneeRefusal, employmentsServing, isPersonId, type StaffMember } from '../domain/staff.js';
import { staffMembers } from './schema.js';

// Reads of HR's staff directory. The table is platform-wide (no practice_id): every function here
// takes the practice and returns only what concerns the MSO and that practice.

const toMember = (row: typeof staffMembers.$inferSelect): StaffMember => ({ personId: row.personId, displayName: row.displayName, employments: row.employments });

export async function loadStaffMember(db: Db, personId: string): Promise<StaffMember | undefined> {
  if (!isPersonId(personId)) return undefined;
  const [row] = await db.select().from(staffMembers).where(eq(staffMembers.personId, personId));
  return row ? toMember(row) : undefined;
}

/**
 * The person, when they may be assigned a ticket of the practice on `date` (the practice's today);
 * otherwise 422 naming `assignee`.
 */
export async function requireAssignee(db: Db, personId: string, practiceId: string, date: string): Promise<StaffMember> {
  const member = await loadStaffMember(db, personId);
  const refusal = assigneeRefusal(member, practiceId, date);
  if (refusal) throw new ProblemError('unprocessable', `the assignee cannot work this practice's tickets: ${refusal}`, [{ path: '/assignee', message: refusal }]);
  return member!;
}

/** People with an employment at the MSO or at the practice active on `date`, by name, with those employments only. */
export async function staffServing(db: Db, practiceId: string, date: string): Promise<StaffMember[]> {
  const rows = await db
    .select()
    .from(staffMembers)
    .where(or(sql`${staffMembers.employments} @> ${JSON.stringify([{ employer: 'mso' }])}::jsonb`, sql`${staffMembers.employments} @> ${JSON.stringify([{ employer: practiceId.toLowerCase() }])}::jsonb`))
    .orderBy(asc(staffMembers.displayName), asc(staffMembers.personId));
  return rows
    .map(toMember)
    .map((m) => ({ ...m, employments: employmentsServing(m, practiceId, date) }))
    .filter((m) => m.employments.length > 0);
}

/** Display names of the given people (those the directory knows). */
export async function displayNames(db: Db, personIds: (string | null)[]): Promise<Map<string, string>> {
  const ids = [...new Set(personIds.filter((id): id is string => !!id))];
  if (ids.length === 0) return new Map();
  const rows = await db.select({ personId: staffMembers.personId, displayName: staffMembers.displayName }).from(staffMembers).where(inArray(staffMembers.personId, ids));
  return new Map(rows.map((r) => [r.personId, r.displayName]));
}
