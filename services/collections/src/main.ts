// Run the collections service alone: NATS_URL=... DATABASE_URL=... node services/collections/dist/main.js
import { startTelemetry } from '@mso/telemetry';

startTelemetry({ serviceName: 'mso-collections' });
const { runServiceProcess } = await import('@mso/kit');
const { collections } = await import('./service.js');
await runServiceProcess(collections);
