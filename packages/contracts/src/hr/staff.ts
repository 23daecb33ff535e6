// HR contract: the staff directory other services keep (helpdesk and billing assignees are person ids).
import Type from 'typebox';
import { event, IsoDate, Nullable, Uuid } from '../core.js';
import { EmployerRef } from './people.js';

/**
 * A person's employments changed (hired, changed, ended): the whole current set, so a consumer keeps
 * the latest. Names and titles only: no SSN, date of birth, address or pay.
 */
export const staffMemberChanged = event({
  type: 'hr.staff-member.changed',
  data: Type.Object({
    personId: Uuid,
    displayName: Type.String(),
    employments: Type.Array(
      Type.Object({ employmentId: Uuid, employer: EmployerRef, title: Type.String(), department: Type.String(), startDate: IsoDate, endDate: Nullable(IsoDate) }),
    ),
  }),
});

export const staffEvents = [staffMemberChanged] as const;
