import { describe, expect, it } from 'vitest';
import { createBusFromEnv } from './env.js';

describe('createBusFromEnv', () => {
  it('returns the in-memory bus when NATS_URL is not set', async () => {
    const bus = await createBusFromEnv({ env: {} });
    expect(bus.kind).toBe('memory');
    await bus.close();
  });

  it('treats a blank NATS_URL as unset', async () => {
    const bus = await createBusFromEnv({ env: { NATS_URL: '  ' } });
    expect(bus.kind).toBe('memory');
    await bus.close();
  });
});
