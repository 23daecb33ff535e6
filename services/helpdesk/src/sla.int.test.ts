import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startHost, type Host } from '@mso/kit';
import { eventually, HelpdeskPlatform, recordingJobs, type JobRun, type Practice } from '../test/platform.js';

// What crosses processes: two copies sharing the database and bus, and agreement changes arriving
// from tenancy. The SLA check's own rules are tested on the service alone in sla.test.ts.
// The clock only moves forward in this file: job ticks are leased per tick and never run twice.
const calendar = { timeZone: 'America/Chicago', workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] } };
const runs: JobRun[] = [];
let h: HelpdeskPlatform;
let reassigning: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-06-08T13:00:00Z', { service: recordingJobs('first', runs) });
  reassigning = await h.practice({ terms: { helpdesk: { tier: 'standard', ...calendar, escalation: { raisePriority: false, reassignTo: 'it-lead@mso.example' } } } });
});
afterAll(async () => {
  await h?.close();
});

const open = async (practice: Practice, priority: string, subject = 'Cannot log in to the EHR') => {
  const res = await h.as(practice)('POST', '/v1/helpdesk/tickets', { subject, description: 'Password reset does not arrive.', priority, category: 'ehr' });
  expect(res.status).toBe(201);
  return res.json as { id: string; sla: Record<string, unknown> };
};

describe('two copies of the service', () => {
  let second: Host;
  beforeAll(async () => {
    second = await startHost({ services: [recordingJobs('second', runs)], bus: h.p.runtime.bus, database: h.p.runtime.database!, clock: h.clock });
  });
  afterAll(async () => {
    await second?.stop();
  });

  it('run each tick of the breach check once, and publish each breach once', async () => {
    h.clock.set('2026-06-08T14:00:00Z'); // Monday 09:00 CDT
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await open(reassigning, 'normal', `Workstation ${i} will not boot`));
    const ids = tickets.map((t) => t.id);

    for (const at of ['2026-06-08T17:15:00Z', '2026-06-08T18:01:00Z', '2026-06-08T18:02:00Z']) {
      h.clock.set(at);
      // Both copies twice at once: each tick still runs in one copy only.
      await Promise.all([h.p.runtime.host.runDueJobs(), second.runDueJobs(), h.p.runtime.host.runDueJobs(), second.runDueJobs()]);
    }
    await Promise.all([h.p.runtime.host.flushOutbox(), second.flushOutbox()]);

    // Every tick of the check ran in exactly one copy.
    const slaRuns = runs.filter((r) => r.job === 'sla-check');
    const perTick = new Map<string, number>();
    for (const r of slaRuns) perTick.set(r.tick, (perTick.get(r.tick) ?? 0) + 1);
    expect([...perTick.values()].every((n) => n === 1)).toBe(true);
    expect(perTick.get('2026-06-08T18:01:00.000Z')).toBe(1);

    // One at-risk and one breach per ticket in the outbox and on the bus. A ticket opened afterwards
    // is a marker: events of one stream arrive in order, so once it is in, everything before it is.
    const outbox = await h.p.runtime.database!.db.execute(
      sql`select envelope->>'type' as type, envelope->>'subject' as ticket from helpdesk.mso_outbox where envelope->>'type' like 'helpdesk.sla.%'`,
    );
    const mine = (outbox as unknown as { type: string; ticket: string }[]).filter((r) => ids.includes(r.ticket));
    expect(mine.filter((r) => r.type === 'helpdesk.sla.breached')).toHaveLength(5);
    expect(mine.filter((r) => r.type === 'helpdesk.sla.at-risk')).toHaveLength(5);
    const marker = await open(reassigning, 'low', 'marker');
    await h.p.runtime.host.flushOutbox();
    await h.events.until((l) => l.of('helpdesk.ticket.created', marker.id).length === 1, 'marker');
    for (const id of ids) {
      expect(h.events.of('helpdesk.sla.breached', id)).toHaveLength(1);
      expect(h.events.of('helpdesk.sla.at-risk', id)).toHaveLength(1);
    }
  });
});

describe('policy changes', () => {
  it('moves running due times when the agreement adds a holiday', async () => {
    const practice = await h.practice({ terms: { helpdesk: { tier: 'premium', ...calendar } } });
    h.clock.set('2026-06-19T21:00:00Z'); // Friday 16:00 CDT
    const ticket = await open(practice, 'normal');
    expect(ticket.sla.firstResponseDueAt).toBe('2026-06-22T14:00:00.000Z'); // premium normal: 2 h, Monday 09:00 CDT
    const put = await h.p.request({
      method: 'PUT',
      url: `/v1/tenancy/practices/${practice.id}/agreement`,
      body: { model: 'third-party', services: ['helpdesk'], terms: { helpdesk: { tier: 'premium', ...calendar, holidays: ['2026-06-22'] } } },
    });
    expect(put.status).toBe(200);
    const moved = await eventually(
      async () => (await h.as(practice)('GET', `/v1/helpdesk/tickets/${ticket.id}`)).json.sla.firstResponseDueAt,
      (due) => due !== '2026-06-22T14:00:00.000Z',
    );
    expect(moved).toBe('2026-06-23T14:00:00.000Z');
    const policy = (await h.as(practice)('GET', '/v1/helpdesk/sla-policy')).json;
    expect(policy).toMatchObject({ tier: 'premium', fromAgreement: true, calendar: { timeZone: 'America/Chicago', holidays: ['2026-06-22'] } });
    expect(policy.targets.find((t: { priority: string }) => t.priority === 'urgent')).toEqual({ priority: 'urgent', firstResponseMinutes: 30, resolutionMinutes: 240, businessHours: false });
  });

  it('uses the default policy for a practice whose agreement has no helpdesk terms', async () => {
    const plain = await h.practice();
    const policy = (await h.as(plain)('GET', '/v1/helpdesk/sla-policy')).json;
    expect(policy).toMatchObject({ tier: 'standard', fromAgreement: false, calendar: { timeZone: 'America/New_York', workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] } } });
  });
});
