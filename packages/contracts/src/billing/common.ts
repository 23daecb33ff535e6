import Type from 'typebox';
import { mso, Timestamp, Uuid, type Role } from '../core.js';

export { Nullable } from '../core.js';

// Roles and field builders shared by the billing contract files.

export const practiceRoles: Role[] = ['practice-admin', 'practice-user'];
/** Everyone who works the practice's billing reads master data. */
export const allRoles: Role[] = [...mso, ...practiceRoles];
/** Payers, providers and fee schedules are set up by the practice's admin or the MSO's billing team. */
export const setupRoles: Role[] = [...mso, 'practice-admin'];
/** Patients and their coverage are registered by the front desk too. */
export const registrationRoles: Role[] = allRoles;

export const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
export const IdParam = { id: Uuid };
export const Stamps = { createdAt: Timestamp, updatedAt: Timestamp };

/** Optional versions of every field of a create body, for a PATCH. */
export function partial<P extends Record<string, Parameters<typeof Type.Optional>[0]>>(props: P) {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof P]: ReturnType<typeof Type.Optional<P[K]>> };
}

