// Run the HR service alone: NATS_URL=... DATABASE_URL=... node services/hr/dist/main.js
import { startTelemetry } from '@mso/telemetry';

startTelemetry({ serviceName: 'mso-hr' });
const { runServiceProcess } = await import('@mso/kit');
const { hr } = await import('./service.js');
await runServiceProcess(hr);
