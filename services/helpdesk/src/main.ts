// Run the helpdesk service alone: NATS_URL=... DATABASE_URL=... node services/helpdesk/dist/main.js
import { startTelemetry } from '@mso/telemetry';

startTelemetry({ serviceName: 'mso-helpdesk' });
const { runServiceProcess } = await import('@mso/kit');
const { helpdesk } = await import('./service.js');
await runServiceProcess(helpdesk);
