import Type from 'typebox';
import { event, IsoDate, Uuid } from './core.js';
import { serviceInfo } from './info.js';

export const getInfo = serviceInfo('hr');

export const employeeHired = event({
  type: 'hr.employee.hired',
  data: Type.Object({
    employeeId: Uuid,
    practiceId: Uuid,
    displayName: Type.String(),
    jobTitle: Type.String(),
    startDate: IsoDate,
    /** Systems the new hire needs access to, e.g. `ehr`, `email`. */
    systems: Type.Array(Type.String()),
  }),
});

export const employeeTerminated = event({
  type: 'hr.employee.terminated',
  data: Type.Object({
    employeeId: Uuid,
    practiceId: Uuid,
    displayName: Type.String(),
    lastDay: IsoDate,
    systems: Type.Array(Type.String()),
  }),
});

export const operations = [getInfo] as const;
export const events = [employeeHired, employeeTerminated] as const;
