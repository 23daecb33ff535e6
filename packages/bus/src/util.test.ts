import { describe, expect, it } from 'vitest';
import { BusError } from './types.js';
import { assertFilter, assertSubject, backoffFor, producerOf, subjectMatches, withPrefix } from './util.js';

describe('subjects', () => {
  it('matches NATS wildcards', () => {
    expect(subjectMatches('evt.a.>', 'evt.a.b')).toBe(true);
    expect(subjectMatches('evt.a.>', 'evt.a.b.c')).toBe(true);
    expect(subjectMatches('evt.a.>', 'evt.a')).toBe(false);
    expect(subjectMatches('evt.*.created', 'evt.x.created')).toBe(true);
    expect(subjectMatches('evt.*.created', 'evt.x.y.created')).toBe(false);
    expect(subjectMatches('evt.a.b', 'evt.a.b')).toBe(true);
    expect(subjectMatches('evt.a.b', 'evt.a.b.c')).toBe(false);
  });

  it('validates subjects and filters', () => {
    expect(() => assertSubject('a.b.c')).not.toThrow();
    for (const bad of ['', 'a..b', 'a.*', 'a.>', 'a b', '.a', 'a.']) expect(() => assertSubject(bad)).toThrow(BusError);
    expect(() => assertFilter('a.*.>')).not.toThrow();
    expect(() => assertFilter('a.>.b')).toThrow(BusError);
  });

  it('takes the producer from evt.<producer>.<type>', () => {
    expect(producerOf('evt.billing.claim.submitted')).toBe('billing');
    expect(() => producerOf('evt.billing')).toThrow(BusError);
    expect(() => producerOf('cmd.billing.x')).toThrow(BusError);
  });
});

describe('helpers', () => {
  it('picks the backoff for a delivery, repeating the last value', () => {
    expect(backoffFor([100, 200], 1)).toBe(100);
    expect(backoffFor([100, 200], 2)).toBe(200);
    expect(backoffFor([100, 200], 9)).toBe(200);
    expect(backoffFor([], 1)).toBe(500);
  });

  it('joins prefixes once', () => {
    expect(withPrefix(undefined, '_', 'DLQ')).toBe('DLQ');
    expect(withPrefix('T1', '_', 'DLQ')).toBe('T1_DLQ');
    expect(withPrefix('T1_', '_', 'DLQ')).toBe('T1_DLQ');
  });
});
