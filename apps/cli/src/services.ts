import type { ServiceDefinition } from '@mso/kit';
import { tenancy } from '@mso/service-tenancy';
import { helpdesk } from '@mso/service-helpdesk';
import { billing } from '@mso/service-billing';
import { finance } from '@mso/service-finance';
import { hr } from '@mso/service-hr';
import { collections } from '@mso/service-collections';

/** Every service this build of the platform ships. The host wires them; they never import each other. */
export const allServices: readonly ServiceDefinition[] = [tenancy, helpdesk, billing, finance, hr, collections];
