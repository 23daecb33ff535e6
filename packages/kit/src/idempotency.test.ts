import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { operation } from '@mso/contracts';
import { canonicalJson, idempotencySettings, requestFingerprint } from './idempotency.js';

const op = operation({
  service: 'finance',
  name: 'entry.post',
  summary: 'post an entry',
  http: { method: 'POST', path: '/v1/finance/entries', status: 201 },
  roles: ['mso-admin'],
  input: Type.Object({ lines: Type.Array(Type.Object({ account: Type.String(), cents: Type.Integer() })) }),
  output: Type.Object({}),
});

describe('request fingerprints', () => {
  it('do not depend on the order of object keys, but on array order, practice, operation and body bytes', () => {
    const a = { lines: [{ account: '1000', cents: 5 }, { cents: -5, account: '2000' }] };
    const b = { lines: [{ cents: 5, account: '1000' }, { account: '2000', cents: -5 }] };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(requestFingerprint(op, 'p1', a)).toBe(requestFingerprint(op, 'p1', b));
    expect(requestFingerprint(op, 'p1', { lines: [...a.lines].reverse() })).not.toBe(requestFingerprint(op, 'p1', a));
    expect(requestFingerprint(op, 'p2', a)).not.toBe(requestFingerprint(op, 'p1', a));
    expect(requestFingerprint({ ...op, subject: 'finance.v2.entry.post' }, 'p1', a)).not.toBe(requestFingerprint(op, 'p1', a));
    const body = (text: string) => ({ mediaType: 'text/plain', bytes: new TextEncoder().encode(text) });
    expect(requestFingerprint(op, 'p1', {}, body('ISA*00~'))).not.toBe(requestFingerprint(op, 'p1', {}, body('ISA*01~')));
  });
});

describe('idempotency settings', () => {
  it('read the environment, let options win, and refuse a malformed key or retention', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(idempotencySettings({}, {})).toMatchObject({ ttlMs: 24 * 3_600_000, encryptionKey: undefined });
    expect(idempotencySettings({}, { MSO_IDEMPOTENCY_TTL_HOURS: '48', MSO_IDEMPOTENCY_KEY: key }).ttlMs).toBe(48 * 3_600_000);
    expect(idempotencySettings({ ttlHours: 1 }, { MSO_IDEMPOTENCY_TTL_HOURS: '48' }).ttlMs).toBe(3_600_000);
    expect(() => idempotencySettings({}, { MSO_IDEMPOTENCY_KEY: 'c2hvcnQ=' })).toThrow('MSO_IDEMPOTENCY_KEY must be 32 bytes');
    expect(() => idempotencySettings({}, { MSO_IDEMPOTENCY_TTL_HOURS: 'soon' })).toThrow('MSO_IDEMPOTENCY_TTL_HOURS must be a positive number');
  });
});
