// Helpdesk contract: the people tickets are assigned to. Helpdesk keeps HR's staff directory
// (`hr.staff-member.changed`) and lists who may work a practice's tickets.
import Type from 'typebox';
import { IsoDate, mso, Nullable, operation, Uuid } from '../core.js';

export const StaffEmployment = Type.Object({
  /** `mso`, or the id of the practice that employs the person. */
  employer: Type.String(),
  title: Type.String(),
  department: Type.String(),
  startDate: IsoDate,
  endDate: Nullable(IsoDate),
});

export const StaffMember = Type.Object({
  /** HR's person id: what a ticket's `assignee` holds. */
  personId: Uuid,
  displayName: Type.String(),
  /** The person's employments at the MSO and at this practice that are active on `asOf`. */
  employments: Type.Array(StaffEmployment),
});

export const listStaff = operation({
  service: 'helpdesk',
  name: 'staff.list',
  summary: "Who a ticket of the practice can be assigned to: people employed at the MSO or at the practice today, by name",
  http: { method: 'GET', path: '/v1/helpdesk/staff' },
  roles: mso,
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({
    /** The practice's today (in its time zone), the day employments are checked on. */
    asOf: IsoDate,
    items: Type.Array(StaffMember),
  }),
});
