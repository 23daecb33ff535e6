import { afterAll, beforeAll, expect, it } from 'vitest';
import { HelpdeskPlatform, type Practice } from '../test/platform.js';

// Embedded mode (`mso start`): PGlite and the in-memory bus run the same SQL, jobs and events.
let h: HelpdeskPlatform;
let practice: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-05-01T15:00:00Z', { transport: 'embedded' });
  practice = await h.practice({ terms: { helpdesk: { timeZone: 'America/Chicago', holidays: ['2026-05-25'] } } });
});
afterAll(async () => {
  await h?.close();
});

it('runs a ticket through its SLA, the breach check and the reports in embedded mode', async () => {
  h.clock.set('2026-05-22T21:00:00Z'); // Friday 16:00 CDT
  const created = await h.as(practice)('POST', '/v1/helpdesk/tickets', { subject: 'Wi-Fi down in exam room 2', description: 'No signal since noon.', priority: 'high', category: 'network' });
  expect(created.status).toBe(201);
  expect(created.json.sla.firstResponseDueAt).toBe('2026-05-26T14:00:00.000Z');
  const url = `/v1/helpdesk/tickets/${created.json.id}`;

  h.clock.set('2026-05-26T14:01:00Z');
  await h.runJobs();
  await h.events.until((l) => l.of('helpdesk.sla.breached', created.json.id).length === 1, 'sla.breached');
  expect((await h.as(practice)('GET', url)).json).toMatchObject({ priority: 'urgent', sla: { firstResponseBreached: true } });

  await h.staff(practice)('POST', `${url}/replies`, { body: 'Access point replaced.' });
  await h.staff(practice)('POST', `${url}/status`, { status: 'resolved' });
  const report = await h.as(practice)('GET', '/v1/helpdesk/reports/sla-compliance?from=2026-05&to=2026-05');
  expect(report.json.items).toEqual([
    { practiceId: practice.id, month: '2026-05', tickets: 1, firstResponse: { met: 0, breached: 1, percent: 0 }, resolution: { met: 1, breached: 0, percent: 100 } },
  ]);
});
