// HR contract: HR's own signal that a person's directory entry changed. HR consumes it itself to
// publish `hr.staff-member.changed` (hr/staff.ts) with every employment of the person, which a
// practice key's transaction cannot see; other services consume `hr.staff-member.changed` instead.
import Type from 'typebox';
import { event, operation, Uuid } from '../core.js';

/** A person's name or employments changed: the id only. */
export const personChanged = event({
  type: 'hr.person.changed',
  data: Type.Object({ personId: Uuid }),
});

export const directoryEvents = [personChanged] as const;

export const republishStaffDirectory = operation({
  service: 'hr',
  name: 'staff-directory.republish',
  summary:
    "Publish every person's `hr.staff-member.changed` again (the latest name and employments), e.g. for a service that starts keeping the directory after people were on file",
  http: { method: 'POST', path: '/v1/hr/staff-directory/republish' },
  scope: 'platform',
  roles: ['mso-admin'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ people: Type.Integer() }),
  errors: [],
});

export const directoryOperations = [republishStaffDirectory] as const;
