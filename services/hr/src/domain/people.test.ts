import { describe, expect, it } from 'vitest';
import { checkAllocations, fteToHundredths, ssnHash, ssnLast4 } from './people.js';

const p1 = '11111111-1111-4111-8111-111111111111';
const p2 = '22222222-2222-4222-8222-222222222222';

describe('people rules', () => {
  it('hashes an SSN the same with or without dashes, under the key only', () => {
    expect(ssnHash('123-45-6789', 'k')).toBe(ssnHash('123456789', 'k'));
    expect(ssnHash('123-45-6789', 'k')).not.toBe(ssnHash('123-45-6789', 'other'));
    expect(ssnHash('123-45-6789', 'k')).not.toContain('6789');
    expect(ssnLast4('123-45-6789')).toBe('6789');
  });

  it('keeps FTE in hundredths', () => {
    expect(fteToHundredths(0.29)).toBe(29);
    expect(fteToHundredths(1)).toBe(100);
  });

  it('takes allocations for MSO staff summing to 100, each practice once', () => {
    expect(checkAllocations('mso', [{ practiceId: p1, percent: 60 }, { practiceId: p2, percent: 40 }])).toHaveLength(2);
    expect(checkAllocations(p1, undefined)).toEqual([]);
    expect(() => checkAllocations('mso', [{ practiceId: p1, percent: 60 }, { practiceId: p2, percent: 30 }])).toThrow(/sum to 100/);
    expect(() => checkAllocations('mso', [{ practiceId: p1, percent: 50 }, { practiceId: p1.toUpperCase(), percent: 50 }])).toThrow(/twice/);
    expect(() => checkAllocations(p1, [{ practiceId: p2, percent: 100 }])).toThrow(/MSO/);
  });
});
