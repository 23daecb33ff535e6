import { describeBusConformance } from './conformance.js';
import { createMemoryBus } from './memory.js';

describeBusConformance('memory', async () => {
  const bus = createMemoryBus();
  return { bus, cleanup: () => bus.close() };
});
