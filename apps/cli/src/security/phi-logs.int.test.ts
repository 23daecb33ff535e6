/**
 * No PHI in logs or spans: recognisable patient, guarantor and employee details go in through the
 * API of the whole platform (real NATS and PostgreSQL) while every log line (at trace level) and
 * every finished span is captured; then each seeded value is looked for in all of them.
 */
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { businessServices } from '@mso/contracts';
import { createCoverage, createEncounter, createProvider } from '@mso/contracts/billing';
import { createPerson } from '@mso/contracts/hr';
import { createLogger, startTelemetry, type Telemetry } from '@mso/telemetry';
import { startTestPlatform, validNpi, type TestPlatform, type TestResponse } from '@mso/testing';
import { allServices } from '../services.js';
import { sampleOf } from './samples.js';

/** Values no code path would produce by itself: any appearance in a log or span is a leak. */
const seeded = {
  patientFirst: 'Zebulonia',
  patientLast: 'Quixotewright',
  patientDob: '1931-07-19',
  patientStreet: '4242 Marmalade Lane',
  patientCity: 'Xanthippeville',
  patientPhone: '6145550199',
  memberId: 'ZQX99887766',
  subscriberLast: 'Fernsworthy',
  subscriberDob: '1929-02-11',
  guarantorName: 'Ophelia Brindlecombe',
  guarantorStreet: '77 Periwinkle Court',
  guarantorEmail: 'ophelia.brindlecombe@example.test',
  employeeFirst: 'Thaddeus',
  employeeLast: 'Wormwoodly',
  employeeDob: '1944-11-23',
  employeeSsn: '900-41-7733',
  employeeStreet: '9 Quagmire Row',
  employeeEmail: 'thaddeus.wormwoodly@example.test',
};

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let p: TestPlatform;
let practice: { id: string; key: string };

const api = async (method: string, url: string, body?: unknown, expected?: number): Promise<TestResponse> => {
  const res = await p.request({ method, url, key: practice.key, ...(body !== undefined ? { body } : {}), headers: { 'idempotency-key': randomUUID() } });
  if (expected !== undefined && res.status !== expected) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.json)}`);
  return res;
};

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'phi-test', spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  p = await startTestPlatform({ services: allServices, logger: createLogger({ name: 'test', level: 'trace' }, sink) });
  practice = await p.createPractice({ services: [...businessServices] });
}, 90_000);
afterAll(async () => {
  await p?.close();
  await telemetry?.shutdown();
});

describe('no PHI in logs or spans', () => {
  it("seeded patients, guarantors and employees never appear in a log line or a span, through the main flows and their failures", async () => {
    // Billing: a patient (name, date of birth, address, phone), a coverage (member id, subscriber).
    const patientBody = {
      firstName: seeded.patientFirst,
      lastName: seeded.patientLast,
      dateOfBirth: seeded.patientDob,
      sex: 'F',
      address: { line1: seeded.patientStreet, city: seeded.patientCity, state: 'OH', postalCode: '43004' },
      phone: seeded.patientPhone,
    };
    const patient = (await api('POST', '/v1/billing/patients', patientBody, 201)).json;
    await api('GET', `/v1/billing/patients/${patient.id}`, undefined, 200);
    // A search by name and date of birth puts them in the query string.
    const found = await api('GET', `/v1/billing/patients?lastName=${seeded.patientLast}&dateOfBirth=${seeded.patientDob}`, undefined, 200);
    expect(found.json.items.map((x: { id: string }) => x.id)).toContain(patient.id);
    await api('PATCH', `/v1/billing/patients/${patient.id}`, { address: { ...patientBody.address, line2: 'APT 2' } }, 200);
    const payer = (await api('POST', '/v1/billing/payers', { name: 'HEALTH PLAN', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' }, 201)).json;
    const coverage = {
      ...(sampleOf(createCoverage.input) as Record<string, unknown>),
      patientId: patient.id,
      payerId: payer.id,
      memberId: seeded.memberId,
      relationship: 'child',
      subscriber: { firstName: seeded.patientFirst, lastName: seeded.subscriberLast, dateOfBirth: seeded.subscriberDob, sex: 'M', address: patientBody.address },
    };
    const covered = await api('POST', '/v1/billing/coverages', coverage);
    expect(covered.status, JSON.stringify(covered.json)).toBe(201);
    // A visit and its claim, scrubbed and submitted (the 837 carries the names, the member id, the date of birth).
    const provider = await api('POST', '/v1/billing/providers', { ...(sampleOf(createProvider.input) as object), npi: validNpi(31_415_926) }, 201);
    const encounter = await api(
      'POST',
      '/v1/billing/encounters',
      {
        ...(sampleOf(createEncounter.input) as object),
        patientId: patient.id,
        coverageId: covered.json.id,
        billingProviderId: provider.json.id,
        dateOfService: '2026-02-20',
        diagnoses: [{ code: 'J069' }],
        charges: [{ procedureCode: '99213', chargeCents: 125_00, diagnosisPointers: [1] }],
      },
      201,
    );
    const claim = await api('POST', `/v1/billing/encounters/${encounter.json.id}/claim`, {}, 201);
    await api('POST', `/v1/billing/claims/${claim.json.id}/scrub`, {}, 200);
    expect((await api('POST', `/v1/billing/claims/${claim.json.id}/submit`, {}, 200)).json.status).toBe('submitted');
    // Failures carry the values too: a duplicate, a refused field, a bad date.
    await api('POST', '/v1/billing/patients', { ...patientBody, sex: 'X' }, 400);
    await api('POST', '/v1/billing/patients', { ...patientBody, dateOfBirth: '1931-02-30' });
    await api('POST', '/v1/billing/coverages', { ...coverage, patientId: randomUUID() });

    // Collections: the patient's own account's guarantor, read back and its account.
    const guarantor = { name: seeded.guarantorName, mailingAddress: { line1: seeded.guarantorStreet, city: seeded.patientCity, state: 'OH', postalCode: '43004' }, email: seeded.guarantorEmail, preferredChannel: 'mail' };
    await api('PUT', `/v1/collections/guarantors/${patient.id}`, guarantor, 200);
    await api('GET', `/v1/collections/guarantors/${patient.id}`, undefined, 200);
    await api('GET', `/v1/collections/accounts/${patient.id}`);
    await api('PUT', `/v1/collections/guarantors/${patient.id}`, { ...guarantor, timeZone: seeded.guarantorName }, 422);

    // HR: a person (name, date of birth, SSN, home address, email), read, changed, and matched again.
    const personBody = sampleOf(createPerson.input) as Record<string, unknown> & { employment: Record<string, unknown> };
    Object.assign(personBody, {
      firstName: seeded.employeeFirst,
      lastName: seeded.employeeLast,
      dateOfBirth: seeded.employeeDob,
      ssn: seeded.employeeSsn,
      email: seeded.employeeEmail,
      homeAddress: { line1: seeded.employeeStreet, city: seeded.patientCity, state: 'OH', postalCode: '43004' },
    });
    personBody.employment.employer = practice.id;
    const person = (await api('POST', '/v1/hr/people', personBody, 201)).json;
    await api('GET', `/v1/hr/people/${person.id}`, undefined, 200);
    await api('GET', `/v1/hr/people?employer=${practice.id}`, undefined, 200);
    await api('PATCH', `/v1/hr/people/${person.id}`, { homeAddress: { line1: seeded.employeeStreet, city: seeded.patientCity, state: 'OH', postalCode: '43005' } }, 200);
    // The same SSN with another date of birth: a conflict.
    await api('POST', '/v1/hr/people', { ...personBody, dateOfBirth: '1950-01-01' }, 409);

    // Events reach their consumers (their logs and spans are part of the run).
    await p.runtime.host.flushOutbox();
    await new Promise((r) => setTimeout(r, 500));

    const spans = exporter.getFinishedSpans();
    // The capture works: spans of these requests (HTTP, bus and SQL) and log lines were recorded, and a
    // value written to the logger is found.
    expect(spans.some((s) => s.attributes['http.route'] === '/v1/billing/patients')).toBe(true);
    expect(spans.some((s) => s.attributes['db.system.name'] === 'postgresql')).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    const before = lines.length;
    p.runtime.logger.info({ control: 'Quixotewright-control' }, 'capture check');
    expect(lines.slice(before).join('\n')).toContain('Quixotewright-control');
    lines.length = before;

    const texts = [...lines, ...spans.map(spanText)];
    const hits = Object.entries(seeded).flatMap(([field, value]) =>
      variants(value).flatMap((v) => texts.filter((t) => t.includes(v)).map((t) => `${field} (${v}) in: ${t.slice(0, 300)}`)),
    );
    expect(hits).toEqual([]);
    console.log(`searched ${lines.length} log lines and ${spans.length} spans for ${Object.keys(seeded).length} seeded values: 0 hits`);
  }, 120_000);
});

/** Everything a span exports: its name, attributes, events (with theirs), status and links. */
function spanText(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    status: span.status,
    links: span.links.map((l) => l.attributes),
    resource: span.resource.attributes,
  });
}

/** The value as written, upper-cased (X12 and statements upper-case names), lower-cased, URL-encoded, and an SSN's digits. */
function variants(value: string): string[] {
  const all = new Set([value, value.toUpperCase(), value.toLowerCase(), encodeURIComponent(value), value.replace(/ /g, '+')]);
  if (/^\d{3}-\d{2}-\d{4}$/.test(value)) all.add(value.replace(/-/g, ''));
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) all.add(value.replace(/-/g, ''));
  return [...all];
}
