import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpdeskPlatform, type Practice } from '../test/platform.js';

// Idempotency-Key through the gateway, on NATS and PostgreSQL: what a practice's system sees when it
// retries a ticket it is not sure was created. Tickets hold PHI (the requester), so their stored replies
// are sealed with the key production sets; without one they are not kept (docs/kit/requests.md).
process.env.MSO_IDEMPOTENCY_KEY = randomBytes(32).toString('base64');
let h: HelpdeskPlatform;
let practice: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-06-08T14:00:00Z');
  practice = await h.practice();
});
afterAll(async () => {
  await h?.close();
});

const ticket = (subject: string) => ({ subject, description: 'The label printer prints blank labels.', priority: 'normal', category: 'hardware' });
const post = (body: unknown, key: string) =>
  h.p.request({ method: 'POST', url: '/v1/helpdesk/tickets', key: practice.key, headers: { 'idempotency-key': key }, body });
const ticketsWith = async (subject: string) => {
  const list = await h.as(practice)('GET', '/v1/helpdesk/tickets?limit=100');
  return (list.json.items as { subject: string }[]).filter((t) => t.subject === subject);
};

describe('Idempotency-Key on POST /v1/helpdesk/tickets', () => {
  it('answers a retry with the first reply and Idempotent-Replayed: true, creating one ticket', async () => {
    const key = randomUUID();
    const first = await post(ticket('Label printer blank'), key);
    const retry = await post(ticket('Label printer blank'), key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect(await ticketsWith('Label printer blank')).toHaveLength(1);
  });

  it('refuses the key with a different body with 422 problem+json', async () => {
    const key = randomUUID();
    expect((await post(ticket('Scanner jams'), key)).status).toBe(201);
    const reused = await post(ticket('Scanner jams twice'), key);
    expect(reused.status).toBe(422);
    expect(reused.headers['content-type']).toContain('application/problem+json');
    expect(reused.json).toMatchObject({ code: 'idempotency-key-reused' });
    expect(await ticketsWith('Scanner jams twice')).toHaveLength(0);
  });

  it('creates one ticket for ten concurrent requests with one key', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(ticket('Monitor flickers'), key)));
    expect(answers.every((a) => a.status === 201 || (a.status === 409 && a.json.code === 'idempotency-key-in-use'))).toBe(true);
    expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.json.id)).size).toBe(1);
    expect(await ticketsWith('Monitor flickers')).toHaveLength(1);
  });
});
