import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@mso/contracts';
import type { Consumer } from '@mso/bus';
import type { ServiceDefinition } from '@mso/kit';
import { eventually as waitUntil, startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { helpdesk } from '../src/service.js';

export interface Practice {
  id: string;
  /** practice-admin */
  key: string;
  /** practice-user */
  userKey: string;
}

/** The platform with tenancy and helpdesk, an MSO staff key and helpers for practices, jobs and events. */
export class HelpdeskPlatform {
  private constructor(
    readonly p: TestPlatform,
    readonly staffKey: string,
    readonly events: EventLog,
  ) {}

  static async start(clockStart: string, options: { service?: ServiceDefinition; transport?: 'real' | 'embedded' } = {}): Promise<HelpdeskPlatform> {
    const p = await startTestPlatform({ services: ['tenancy', options.service ?? helpdesk], transport: options.transport ?? 'real' });
    p.clock.set(clockStart);
    const staff = await p.request({ method: 'POST', url: '/v1/tenancy/api-keys', body: { role: 'mso-staff', label: 'IT service desk' } });
    if (staff.status !== 201) throw new Error(`staff key: ${staff.status}`);
    const events = await EventLog.start(p);
    return new HelpdeskPlatform(p, staff.json.key as string, events);
  }

  get clock() {
    return this.p.clock;
  }

  async practice(options: { services?: string[]; terms?: unknown; state?: string } = {}): Promise<Practice> {
    const { id, key } = await this.p.createPractice({ services: options.services ?? ['helpdesk'], ...(options.terms ? { terms: options.terms } : {}), ...(options.state ? { state: options.state } : {}) });
    const user = await this.p.request({ method: 'POST', url: `/v1/tenancy/practices/${id}/api-keys`, body: { role: 'practice-user', label: 'front desk' } });
    return { id, key, userKey: user.json.key as string };
  }

  /** As the practice (practice-admin unless `key` says otherwise). */
  as(practice: Practice, key = practice.key) {
    return (method: string, url: string, body?: unknown): Promise<TestResponse> => this.p.request({ method, url, key, ...(body !== undefined ? { body } : {}) });
  }

  /** As MSO staff acting for the practice. */
  staff(practice: Practice) {
    return (method: string, url: string, body?: unknown): Promise<TestResponse> =>
      this.p.request({ method, url, key: this.staffKey, headers: { 'x-practice-id': practice.id }, ...(body !== undefined ? { body } : {}) });
  }

  /**
   * Publishes `hr.staff-member.changed` as HR's outbox relay does (CloudEvents envelope on HR's
   * stream, no practice: a person spans employers) and waits until helpdesk lists or drops them.
   */
  async announceStaff(practice: Practice, person: { personId: string; displayName: string; employments: { employer: string; startDate: string; endDate?: string | null }[] }): Promise<void> {
    const id = randomUUID();
    const data = {
      personId: person.personId,
      displayName: person.displayName,
      employments: person.employments.map((e) => ({ employmentId: randomUUID(), title: 'IT technician', department: 'IT', endDate: null, ...e })),
    };
    const envelope = { specversion: '1.0', id, source: 'mso/hr', type: 'hr.staff-member.changed', time: this.clock.now().toISOString(), subject: person.personId, datacontenttype: 'application/json', dataschemaversion: 1, data };
    await this.p.runtime.bus.publish({ id, subject: 'evt.hr.staff-member.changed', data: new TextEncoder().encode(JSON.stringify(envelope)) });
    // Handled once the view's row carries this event's time (whether or not the practice may see the person).
    const db = this.p.runtime.database!.db;
    const stored = async () => {
      const rows = await db.execute(sql`select 1 from helpdesk.mso_staff_members where person_id = ${person.personId} and changed_at = ${envelope.time}::timestamptz`);
      return (Array.isArray(rows) ? rows : (rows as unknown as { rows: unknown[] }).rows).length;
    };
    await waitUntil(stored, (n) => n > 0, { what: `helpdesk taking in the staff member ${person.personId} (practice ${practice.id})`, timeoutMs: 5_000 });
  }

  /** Runs the scheduled jobs for the clock's current time and publishes what they emitted. */
  async runJobs(): Promise<void> {
    const host = this.p.runtime.host;
    // One call suffices: a call while the host's own timer runs a pass waits for one more pass, for the new time.
    await host.runDueJobs();
    await host.flushOutbox();
  }

  async close(): Promise<void> {
    await this.events.stop();
    await this.p.close();
  }
}

/** Every helpdesk event published on the bus, in order. */
export class EventLog {
  private constructor(
    private readonly consumer: Consumer,
    readonly received: EventEnvelope<Record<string, unknown>>[],
  ) {}

  static async start(p: TestPlatform): Promise<EventLog> {
    const received: EventEnvelope<Record<string, unknown>>[] = [];
    const consumer = await p.runtime.bus.consume({
      producer: 'helpdesk',
      durable: `test-${randomUUID().slice(0, 8)}`,
      filter: 'evt.helpdesk.>',
      handler: async (e) => {
        received.push(JSON.parse(new TextDecoder().decode(e.data)) as EventEnvelope<Record<string, unknown>>);
      },
    });
    return new EventLog(consumer, received);
  }

  of(type: string, ticketId?: string): EventEnvelope<Record<string, unknown>>[] {
    return this.received.filter((e) => e.type === type && (!ticketId || e.subject === ticketId));
  }

  /** Waits (bounded) until `predicate` holds for the events received so far. */
  async until(predicate: (log: EventLog) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${this.received.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

/** Polls `fn` until `done` holds (events are consumed asynchronously); returns the last result. */
export async function eventually<T>(fn: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await fn();
  }
  return value;
}

export interface JobRun {
  copy: string;
  job: string;
  tick: string;
}

/** The helpdesk service with its job runs recorded (to show which copy ran which tick). */
export function recordingJobs(copy: string, runs: JobRun[]): ServiceDefinition {
  return {
    ...helpdesk,
    jobs: (helpdesk.jobs ?? []).map((job) => ({
      ...job,
      run: async (ctx) => {
        runs.push({ copy, job: job.name, tick: ctx.tick.toISOString() });
        await job.run(ctx);
      },
    })),
  };
}
