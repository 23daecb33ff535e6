import { describe, expect, it } from 'vitest';
import { postingParts } from './post-remittance.js';

describe('postingParts', () => {
  it('cuts a payment in file order and keeps every CLP of a claim number in the part where it first appears', () => {
    expect(postingParts(['A', 'B', 'C', 'A', 'D', 'E', 'C'], 2)).toEqual([[0, 3], [1, 2, 6], [4, 5]]);
    expect(postingParts(['A', 'B', 'C'], 10)).toEqual([[0, 1, 2]]);
    expect(postingParts([], 10)).toEqual([]);
  });

  it('covers every position once', () => {
    const pcns = Array.from({ length: 5000 }, (_, i) => `P${i % 4100}`);
    const parts = postingParts(pcns, 2000);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(pcns.map((_, i) => i));
    expect(parts.length).toBe(3);
  });
});
