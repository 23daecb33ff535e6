import * as contract from '@mso/contracts/hr';
import { handle } from '@mso/kit';
import { addEmploymentHandler, getEmploymentHandler, updateEmploymentHandler } from './employments.js';
import { terminateEmploymentHandler } from './terminate.js';
import { republishStaffDirectoryHandler } from './directory.js';
import { createPersonHandler, getPersonHandler, listPeopleHandler, updatePersonHandler } from './people.js';

/** People and their employments. */
export const peopleHandlers = [
  handle(contract.createPerson, createPersonHandler),
  handle(contract.getPerson, getPersonHandler),
  handle(contract.listPeople, listPeopleHandler),
  handle(contract.updatePerson, updatePersonHandler),
  handle(contract.addEmployment, addEmploymentHandler),
  handle(contract.getEmployment, getEmploymentHandler),
  handle(contract.updateEmployment, updateEmploymentHandler),
  handle(contract.terminateEmployment, terminateEmploymentHandler),
  handle(contract.republishStaffDirectory, republishStaffDirectoryHandler),
];
