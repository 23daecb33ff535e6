import { headers as natsHeaders, Match } from '@nats-io/nats-core';
import { MsgHdrsImpl } from '@nats-io/nats-core/internal';
import { describe, expect, it } from 'vitest';
import { toHeaders, toRecord } from './nats-shared.js';

// Headers cross every NATS hop (trace context, principal, practice, idempotency key). The bus turns
// records into NATS headers and back, and patches/@nats-io__nats-core@3.4.0.patch changes how NATS
// looks a key up: both must keep every header, exactly as sent.
describe('message headers over NATS', () => {
  it('come back as they were sent, many of them, after encoding and decoding', () => {
    const sent: Record<string, string> = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'X-Practice-Id': 'p-1', 'mso-principal': 'k:1', 'Line-Break': 'one two' };
    for (let i = 0; i < 20; i++) sent[`h-${i}`] = `v${i}`;
    const encoded = (toHeaders({ ...sent, 'Line-Break': 'one\r\ntwo' }) as MsgHdrsImpl).encode();
    const decoded = MsgHdrsImpl.decode(encoded);
    expect(toRecord(decoded)).toEqual(sent);
    expect(toRecord(undefined)).toEqual({});
    expect(toHeaders({})).toBeUndefined();
  });

  it('are looked up by exact key, and by any case only when asked', () => {
    const h = natsHeaders();
    h.append('X-Practice-Id', 'p-1');
    h.append('x-practice-id', 'p-2');
    h.append('X-Practice-Id', 'p-3');
    expect(h.get('X-Practice-Id')).toBe('p-1');
    expect(h.values('X-Practice-Id')).toEqual(['p-1', 'p-3']);
    expect(h.get('x-practice-id')).toBe('p-2');
    expect(h.has('X-PRACTICE-ID')).toBe(false);
    expect(h.values('X-PRACTICE-ID', Match.IgnoreCase)).toEqual(['p-1', 'p-3', 'p-2']);
    h.delete('x-practice-id');
    expect(h.keys()).toEqual(['X-Practice-Id']);
    h.set('X-Practice-Id', 'p-4');
    expect(h.values('X-Practice-Id')).toEqual(['p-4']);
  });
});
