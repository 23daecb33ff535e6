// Run the finance service alone: NATS_URL=... DATABASE_URL=... node services/finance/dist/main.js
import { startTelemetry } from '@mso/telemetry';

startTelemetry({ serviceName: 'mso-finance' });
const { runServiceProcess } = await import('@mso/kit');
const { finance } = await import('./service.js');
await runServiceProcess(finance);
