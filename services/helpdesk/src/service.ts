import { defineService } from '@mso/kit';

/** IT helpdesk: tickets with SLAs, assets, HIPAA security incidents. */
export const helpdesk = defineService({
  id: 'helpdesk',
  version: '0.1.0',
  description: 'IT helpdesk: tickets with SLAs, assets, HIPAA security incidents',
  handlers: [],
});

export default helpdesk;
