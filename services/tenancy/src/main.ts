// Run the tenancy service alone: NATS_URL=... DATABASE_URL=... node services/tenancy/dist/main.js
import { startTelemetry } from '@mso/telemetry';

startTelemetry({ serviceName: 'mso-tenancy' });
// Imported after the SDK started, so everything below is traced.
const { runServiceProcess } = await import('@mso/kit');
const { tenancy } = await import('./service.js');
await runServiceProcess(tenancy);
