import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { eventually, HelpdeskPlatform, type Practice } from '../test/platform.js';

// PHI access audit across processes' paths: helpdesk writes the record with the effect, emits it
// through its outbox, tenancy keeps it and serves GET /v1/tenancy/audit-events. Real NATS + PostgreSQL.
let h: HelpdeskPlatform;
let lakeside: Practice;
let riverside: Practice;
let staffKeyId: string;

type AuditEvent = { service: string; operation: string; access: string; reason?: string | null; principalId: string; principalRole: string; practiceId: string | null; resourceIds: string[]; outcome: string; problemCode: string | null; at: string };

beforeAll(async () => {
  h = await HelpdeskPlatform.start('2026-05-04T15:00:00Z');
  lakeside = await h.practice();
  riverside = await h.practice();
  staffKeyId = (await h.p.request({ method: 'GET', url: '/v1/tenancy/me', key: h.staffKey })).json.keyId as string;
});
afterAll(async () => {
  await h?.close();
});

const db = () => h.p.runtime.database!.db;

/** The audit events a key sees, once the records have travelled (outbox → NATS → tenancy). */
async function auditEvents(query: string, key: string | undefined, until: (items: AuditEvent[]) => boolean): Promise<AuditEvent[]> {
  return eventually(
    async () => {
      await h.p.runtime.host.flushOutbox();
      const res = await h.p.request({ method: 'GET', url: `/v1/tenancy/audit-events${query}`, ...(key ? { key } : {}) });
      expect(res.status).toBe(200);
      return res.json.items as AuditEvent[];
    },
    until,
  );
}

const newTicket = { subject: 'Scanner at check-in drops pages', description: 'The ADF scanner skips every other page.', priority: 'normal', category: 'hardware' };

describe('PHI access audit', () => {
  it("shows MSO staff reading a practice's ticket, and a refused attempt, in that practice's audit events", async () => {
    h.clock.set('2026-05-04T15:00:00Z');
    const created = await h.staff(lakeside)('POST', '/v1/helpdesk/tickets', newTicket);
    expect(created.status).toBe(201);
    const ticketId = created.json.id as string;
    h.clock.set('2026-05-04T15:01:00Z');
    expect((await h.staff(lakeside)('GET', `/v1/helpdesk/tickets/${ticketId}`)).status).toBe(200);
    h.clock.set('2026-05-04T15:02:00Z');
    const elsewhere = await h.as(riverside)('POST', '/v1/helpdesk/tickets', newTicket);
    // Staff acting for Lakeside cannot reach Riverside's ticket: 404, and that attempt is recorded too.
    h.clock.set('2026-05-04T15:03:00Z');
    expect((await h.staff(lakeside)('GET', `/v1/helpdesk/tickets/${elsewhere.json.id}`)).status).toBe(404);

    const seen = await auditEvents(`?practiceId=${lakeside.id}`, undefined, (items) => items.length >= 3);
    expect(seen.map((e) => [e.operation, e.outcome])).toEqual([
      ['helpdesk.v1.ticket.get', 'refused'],
      ['helpdesk.v1.ticket.get', 'ok'],
      ['helpdesk.v1.ticket.create', 'ok'],
    ]);
    expect(seen[1]).toMatchObject({ principalId: staffKeyId, principalRole: 'mso-staff', practiceId: lakeside.id, resourceIds: [ticketId], problemCode: null });
    expect(seen[0]).toMatchObject({ principalId: staffKeyId, practiceId: lakeside.id, resourceIds: [elsewhere.json.id], problemCode: 'not-found' });
    expect(seen[2]!.resourceIds).toEqual([ticketId]);

    // Filters: by resource, by principal, by time; cursor pages.
    expect((await auditEvents(`?resource=${ticketId}`, undefined, (i) => i.length >= 2)).map((e) => e.operation)).toEqual(['helpdesk.v1.ticket.get', 'helpdesk.v1.ticket.create']);
    const byStaff = await auditEvents(`?principal=${staffKeyId}`, undefined, (i) => i.length >= 3);
    expect(byStaff.every((e) => e.principalId === staffKeyId)).toBe(true);
    const window = await auditEvents(`?practiceId=${lakeside.id}&from=2026-05-04T15:01:00Z&to=2026-05-04T15:03:00Z`, undefined, () => true);
    expect(window.map((e) => [e.operation, e.outcome, e.at])).toEqual([['helpdesk.v1.ticket.get', 'ok', '2026-05-04T15:01:00.000Z']]);
    const first = await h.p.request({ method: 'GET', url: `/v1/tenancy/audit-events?practiceId=${lakeside.id}&limit=2` });
    expect(first.json.items).toHaveLength(2);
    const second = await h.p.request({ method: 'GET', url: `/v1/tenancy/audit-events?practiceId=${lakeside.id}&limit=2&cursor=${first.json.nextCursor}` });
    expect(second.json).toMatchObject({ items: [{ operation: 'helpdesk.v1.ticket.create' }], nextCursor: null });
  });

  it("lets a practice admin see its own practice's records only", async () => {
    await h.as(riverside)('GET', '/v1/helpdesk/tickets');
    const own = await auditEvents('', riverside.key, (items) => items.some((e) => e.operation === 'helpdesk.v1.ticket.list'));
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((e) => e.practiceId === riverside.id)).toBe(true);
    const other = await h.p.request({ method: 'GET', url: `/v1/tenancy/audit-events?practiceId=${lakeside.id}`, key: riverside.key });
    expect(other.status).toBe(404);
    // Practice users and MSO staff do not read the audit trail.
    expect((await h.p.request({ method: 'GET', url: '/v1/tenancy/audit-events', key: riverside.userKey })).status).toBe(403);
    expect((await h.p.request({ method: 'GET', url: '/v1/tenancy/audit-events', key: h.staffKey })).status).toBe(403);
  });

  it('records a write that failed validation as refused, and nothing as ok, since its effect rolled back', async () => {
    const bad = await h.as(lakeside)('POST', '/v1/helpdesk/tickets', { ...newTicket, assetId: randomUUID() });
    expect(bad.status).toBe(422);
    const seen = await auditEvents(`?practiceId=${lakeside.id}&principal=${encodeURIComponent(await keyIdOf(lakeside.key))}`, undefined, (i) => i.length >= 1);
    expect(seen[0]).toMatchObject({ operation: 'helpdesk.v1.ticket.create', outcome: 'refused', problemCode: 'unprocessable', resourceIds: [] });
    expect(seen.filter((e) => e.outcome === 'ok')).toEqual([]);
  });

  it('shows MSO admins every read across practices: who, why, through which operation or job, for no single practice', async () => {
    const report = await h.p.request({ method: 'GET', url: '/v1/helpdesk/reports/sla-compliance-by-practice?from=2026-04&to=2026-05', key: h.staffKey });
    expect(report.status).toBe(200);
    const across = (items: AuditEvent[]) => items.filter((e) => e.access === 'across-practices');
    const byStaff = await auditEvents(`?principal=${staffKeyId}`, undefined, (items) => across(items).length > 0);
    expect(across(byStaff)).toEqual([
      expect.objectContaining({
        service: 'helpdesk',
        operation: 'helpdesk.v1.report.sla-compliance-by-practice',
        reason: 'report.sla-compliance-by-practice: every practice',
        principalRole: 'mso-staff',
        practiceId: null,
        resourceIds: [],
        outcome: 'ok',
      }),
    ]);
    // The scheduled SLA check reads every practice's clocks: recorded under the job's name.
    await h.p.runtime.host.runJob('sla-check');
    const byJob = await auditEvents('?principal=system:helpdesk', undefined, (items) => items.some((e) => e.operation === 'job:sla-check'));
    expect(byJob.find((e) => e.operation === 'job:sla-check')).toMatchObject({ service: 'helpdesk', access: 'across-practices', principalRole: 'system', practiceId: null });
    // Tenancy records its own: an MSO admin reading the audit trail of every practice.
    const byAdmin = await auditEvents('?principal=bootstrap-admin', undefined, (items) => items.some((e) => e.operation === 'tenancy.v1.audit-event.list'));
    expect(byAdmin.find((e) => e.operation === 'tenancy.v1.audit-event.list')).toMatchObject({ service: 'tenancy', access: 'across-practices', reason: 'audit-events: MSO admins read every practice' });
    // A practice admin sees none of them.
    const practiceView = await auditEvents('', lakeside.key, () => true);
    expect(practiceView.length).toBeGreaterThan(0);
    expect(across(practiceView)).toEqual([]);
  });

  it('keeps the records append-only, and prunes only records past the 6-year retention', async () => {
    for (const table of ['helpdesk.mso_audit', 'tenancy.audit_events']) {
      expect(await refusal(`UPDATE ${table} SET outcome = 'ok'`)).toMatch(/append-only/);
      expect(await refusal(`DELETE FROM ${table}`)).toMatch(/append-only/);
    }
    const old = randomUUID();
    await db().execute(sql`INSERT INTO helpdesk.mso_audit (id, at, operation, access, principal_id, principal_role, practice_id, resource_ids, outcome)
      VALUES (${old}, now() - interval '7 years', 'helpdesk.v1.ticket.get', 'read', 'k-old', 'mso-staff', ${lakeside.id}, '{}', 'ok')`);
    // PHI access records only: the clock's move lets the minute jobs run, whose MSO-wide reads are recorded too.
    const count = async () => Number(((await db().execute(sql`SELECT count(*)::int AS n FROM helpdesk.mso_audit WHERE access <> 'across-practices'`)) as unknown as { n: number }[])[0]!.n);
    const before = await count();
    h.clock.set(new Date().toISOString()); // the prune's cutoff comes from the clock
    await h.p.runtime.host.runJob('mso-audit-prune');
    expect(await count()).toBe(before - 1);
  });
});

/** The database's message for a statement it refuses (drizzle wraps the driver's error in `cause`). */
async function refusal(statement: string): Promise<string> {
  try {
    await db().execute(sql.raw(statement));
  } catch (error) {
    return String(((error as { cause?: Error }).cause ?? (error as Error)).message);
  }
  return 'not refused';
}

async function keyIdOf(key: string): Promise<string> {
  return (await h.p.request({ method: 'GET', url: '/v1/tenancy/me', key })).json.keyId as string;
}
