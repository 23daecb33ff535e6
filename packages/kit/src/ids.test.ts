import { describe, expect, it } from 'vitest';
import { stableId } from './ids.js';

describe('stableId', () => {
  it('gives the same UUID for the same parts and different ones otherwise', () => {
    const a = stableId('ticket-1', 'breached', '2026-05-26T15:00:00.000Z');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableId('ticket-1', 'breached', '2026-05-26T15:00:00.000Z')).toBe(a);
    expect(stableId('ticket-1', 'at-risk', '2026-05-26T15:00:00.000Z')).not.toBe(a);
    // Parts are separated: moving a boundary changes the id.
    expect(stableId('ab', 'c')).not.toBe(stableId('a', 'bc'));
  });
});
