import { randomUUID } from 'node:crypto';
import { describeBusConformance } from './conformance.js';
import { connectNatsBus, deleteNatsNamespace } from './nats.js';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

describeBusConformance('nats', async () => {
  // Every test gets its own streams, event subjects and buckets.
  const namespace = `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const bus = await connectNatsBus({ servers, namespace, name: `bus-conformance-${namespace}` });
  return {
    bus,
    async cleanup() {
      await bus.close();
      await deleteNatsNamespace({ servers, namespace });
    },
  };
});
