import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpdeskPlatform, type Practice } from '../test/platform.js';

// Default policy (standard tier, New York, 08:00-17:00 Monday to Friday). The clock only moves forward.
let h: HelpdeskPlatform;
let practice: Practice;
let other: Practice;

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-03-01T15:00:00Z');
  practice = await h.practice();
  other = await h.practice();
});
afterAll(async () => {
  await h?.close();
});

describe('assets', () => {
  it('registers devices and licences per practice, serial numbers unique within a practice', async () => {
    const laptop = await h.as(practice)('POST', '/v1/helpdesk/assets', {
      name: 'Dr. Patel laptop',
      type: 'laptop',
      manufacturer: 'Lenovo',
      model: 'T14',
      serialNumber: 'PF-3K2L9',
      assignedTo: 'Dr. Patel',
      warrantyEndsOn: '2026-06-30',
      diskEncrypted: false,
    });
    expect(laptop.status).toBe(201);
    h.clock.advance(60_000);
    expect(laptop.json).toMatchObject({ status: 'in-use', diskEncrypted: false, warrantyEndsOn: '2026-06-30', openTickets: 0, practiceId: practice.id });
    const licence = await h.staff(practice)('POST', '/v1/helpdesk/assets', { name: 'Microsoft 365 Business', type: 'software-licence', serialNumber: 'M365-PRAC-01', seats: 12, expiresOn: '2027-01-31' });
    expect(licence.status).toBe(201);
    h.clock.advance(60_000);
    const printer = await h.as(practice)('POST', '/v1/helpdesk/assets', { name: 'Reception printer', type: 'printer', warrantyEndsOn: '2028-01-01' });
    expect(printer.status).toBe(201);

    const duplicate = await h.as(practice)('POST', '/v1/helpdesk/assets', { name: 'Another', type: 'laptop', serialNumber: 'PF-3K2L9' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.errors[0].path).toBe('/serialNumber');
    expect((await h.as(other)('POST', '/v1/helpdesk/assets', { name: 'Their laptop', type: 'laptop', serialNumber: 'PF-3K2L9' })).status).toBe(201);

    const list = async (query: string) => (await h.as(practice)('GET', `/v1/helpdesk/assets${query}`)).json.items.map((a: { name: string }) => a.name);
    expect(await list('')).toEqual(['Reception printer', 'Microsoft 365 Business', 'Dr. Patel laptop']);
    expect(await list('?type=laptop')).toEqual(['Dr. Patel laptop']);
    expect(await list('?diskEncrypted=false')).toEqual(['Dr. Patel laptop']);
    expect(await list('?endingBy=2027-01-31')).toEqual(['Microsoft 365 Business', 'Dr. Patel laptop']);
    expect(await list('?assignedTo=dr.%20patel')).toEqual(['Dr. Patel laptop']);
    expect((await h.as(practice, practice.userKey)('GET', '/v1/helpdesk/assets')).status).toBe(200);
    expect((await h.as(practice, practice.userKey)('POST', '/v1/helpdesk/assets', { name: 'x', type: 'other' })).status).toBe(403);

    const lost = await h.as(practice)('PATCH', `/v1/helpdesk/assets/${laptop.json.id}`, { status: 'stolen', assignedTo: null });
    expect(lost.status).toBe(200);
    expect(lost.json).toMatchObject({ status: 'stolen', assignedTo: null, serialNumber: 'PF-3K2L9' });
    const clash = await h.as(practice)('PATCH', `/v1/helpdesk/assets/${printer.json.id}`, { serialNumber: 'M365-PRAC-01' });
    expect(clash.status).toBe(409);
    expect((await h.as(other)('GET', `/v1/helpdesk/assets/${laptop.json.id}`)).status).toBe(404);
    expect((await h.as(other)('PATCH', `/v1/helpdesk/assets/${laptop.json.id}`, { status: 'retired' })).status).toBe(404);
  });
});

describe('reports', () => {
  const ticket = async (priority: string, subject: string) => {
    const res = await h.as(practice)('POST', '/v1/helpdesk/tickets', { subject, description: 'Details', priority, category: 'software' });
    expect(res.status).toBe(201);
    return `/v1/helpdesk/tickets/${res.json.id}`;
  };

  it('reports open tickets by priority and age, SLA compliance per month and mean response times', async () => {
    // March: one normal ticket answered in 1 h and resolved in 7 business hours ...
    h.clock.set('2026-03-02T14:00:00Z'); // Monday 09:00 EST
    const a = await ticket('normal', 'Outlook crashes');
    h.clock.set('2026-03-02T15:00:00Z');
    await h.staff(practice)('POST', `${a}/replies`, { body: 'Looking now.' });
    h.clock.set('2026-03-02T21:00:00Z');
    await h.staff(practice)('POST', `${a}/status`, { status: 'resolved' });
    // ... and one high ticket answered late (3 h for a 2 h target), resolved within target.
    h.clock.set('2026-03-03T14:00:00Z');
    const b = await ticket('high', 'EHR slow');
    h.clock.set('2026-03-03T17:00:00Z');
    await h.staff(practice)('POST', `${b}/replies`, { body: 'Vendor ticket opened.' });
    h.clock.set('2026-03-04T15:00:00Z');
    await h.staff(practice)('POST', `${b}/status`, { status: 'resolved' });
    // April: two tickets nobody answered.
    h.clock.set('2026-04-01T14:00:00Z');
    await ticket('low', 'New monitor');
    h.clock.set('2026-04-09T14:00:00Z');
    await ticket('urgent', 'Network down at the lab');
    h.clock.set('2026-04-10T15:00:00Z');
    await h.runJobs(); // both breach both targets; the low one escalates twice (to high)

    const open = await h.as(practice)('GET', '/v1/helpdesk/reports/open-tickets');
    expect(open.status).toBe(200);
    expect(open.json.total).toBe(2);
    const byPriority = Object.fromEntries(open.json.byPriority.map((p: { priority: string }) => [p.priority, p]));
    expect(byPriority.high).toMatchObject({ count: 1, age: { overSevenDays: 1 }, oldestCreatedAt: '2026-04-01T14:00:00.000Z' });
    expect(byPriority.urgent).toMatchObject({ count: 1, age: { oneToThreeDays: 1, underOneDay: 0 } });
    expect(byPriority.normal).toMatchObject({ count: 0, oldestCreatedAt: null });

    const compliance = await h.as(practice)('GET', '/v1/helpdesk/reports/sla-compliance?from=2026-02&to=2026-04');
    expect(compliance.status).toBe(200);
    expect(compliance.json.items).toEqual([
      { practiceId: practice.id, month: '2026-02', tickets: 0, firstResponse: { met: 0, breached: 0, percent: null }, resolution: { met: 0, breached: 0, percent: null } },
      { practiceId: practice.id, month: '2026-03', tickets: 2, firstResponse: { met: 1, breached: 1, percent: 50 }, resolution: { met: 2, breached: 0, percent: 100 } },
      { practiceId: practice.id, month: '2026-04', tickets: 2, firstResponse: { met: 0, breached: 2, percent: 0 }, resolution: { met: 0, breached: 2, percent: 0 } },
    ]);

    const times = await h.as(practice)('GET', '/v1/helpdesk/reports/response-times?from=2026-03&to=2026-03');
    expect(times.status).toBe(200);
    expect(times.json.overall).toEqual({
      firstResponse: { tickets: 2, meanBusinessMinutes: 120, meanElapsedMinutes: 120 },
      resolution: { tickets: 2, meanBusinessMinutes: 510, meanElapsedMinutes: 960 },
    });
    const high = times.json.byPriority.find((p: { priority: string }) => p.priority === 'high');
    expect(high).toEqual({ priority: 'high', firstResponse: { tickets: 1, meanBusinessMinutes: 180, meanElapsedMinutes: 180 }, resolution: { tickets: 1, meanBusinessMinutes: 600, meanElapsedMinutes: 1500 } });

    // Across practices, for the MSO only.
    const mso = await h.p.request({ method: 'GET', url: '/v1/helpdesk/reports/sla-compliance-by-practice?from=2026-03&to=2026-04', key: h.staffKey });
    expect(mso.status).toBe(200);
    expect(mso.json.items.filter((r: { practiceId: string }) => r.practiceId === practice.id).map((r: { month: string; firstResponse: { percent: number } }) => [r.month, r.firstResponse.percent])).toEqual([
      ['2026-03', 50],
      ['2026-04', 0],
    ]);
    expect(mso.json.items.some((r: { practiceId: string }) => r.practiceId === other.id)).toBe(false);
    expect((await h.as(practice)('GET', '/v1/helpdesk/reports/sla-compliance-by-practice')).status).toBe(403);
    expect((await h.as(practice, practice.userKey)('GET', '/v1/helpdesk/reports/open-tickets')).status).toBe(403);
    expect((await h.as(practice)('GET', '/v1/helpdesk/reports/sla-compliance?from=2026-05&to=2026-04')).status).toBe(400);
  });
});
