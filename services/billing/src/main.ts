// Run the billing service alone: NATS_URL=... DATABASE_URL=... node services/billing/dist/main.js
import { startTelemetry } from '@mso/telemetry';

startTelemetry({ serviceName: 'mso-billing' });
const { runServiceProcess } = await import('@mso/kit');
const { billing } = await import('./service.js');
await runServiceProcess(billing);
