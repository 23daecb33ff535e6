import * as contract from '@mso/contracts/hr';
import { handle } from '@mso/kit';
import { addCredentialHandler, addEnrollmentHandler, updateCredentialHandler, updateEnrollmentHandler } from './credentials.js';
import { createProviderHandler, getProviderHandler, listProvidersHandler } from './providers.js';

/** Providers, their credentials and payer enrollments. */
export const providerHandlers = [
  handle(contract.createProvider, createProviderHandler),
  handle(contract.getProvider, getProviderHandler),
  handle(contract.listProviders, listProvidersHandler),
  handle(contract.addCredential, addCredentialHandler),
  handle(contract.updateCredential, updateCredentialHandler),
  handle(contract.addEnrollment, addEnrollmentHandler),
  handle(contract.updateEnrollment, updateEnrollmentHandler),
];
