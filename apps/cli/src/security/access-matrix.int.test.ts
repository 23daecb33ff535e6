/**
 * The access matrix: every route of `/openapi.json` with a path parameter, called by every role, for
 * the caller's own resource, another practice's and a missing one, against the whole platform (real
 * NATS and PostgreSQL). What each cell must answer comes from the contract (the operation's roles and
 * scope, the practice's agreement), not from a list kept by hand. The table is printed and written to
 * `.mso/access-matrix.md` (docs/security.md shows it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOperations, businessServices } from '@mso/contracts';
import { createCoverage, createEncounter, createPatient, createProvider } from '@mso/contracts/billing';
import { createPerson, putPayrollSettings } from '@mso/contracts/hr';
import { startTestPlatform, validNpi, type TestPlatform, type TestResponse } from '@mso/testing';
import { allServices } from '../services.js';
import { sampleOf } from './samples.js';
import { createsAtId, gateOf, invalidProbe, isResourceItself, namesNoBooks, normalised, pooled, routesOf, seesEveryPractice, validProbe, type Caller, type MatrixRoute, type Probe, type Target } from './matrix.js';

let p: TestPlatform;
let routes: MatrixRoute[];
/** Practice A is the callers' own; B is another practice; both buy every service. C buys helpdesk only. */
let A: { id: string; key: string };
let B: { id: string; key: string };
let C: { id: string; key: string };
let callers: Caller[];
/** Resource ids by `<service>/<collection>` (the path segment before the id). */
const own: Record<string, string> = {};
const others: Record<string, string> = {};

const send = (caller: Caller, probe: Probe): Promise<TestResponse> =>
  p.request({
    method: probe.method,
    url: probe.url,
    key: caller.key,
    ...(probe.body !== undefined ? { body: probe.body } : {}),
    headers: { 'idempotency-key': randomUUID(), ...(caller.practiceHeader ? { 'x-practice-id': caller.practiceHeader } : {}) },
  });

async function created(response: Promise<TestResponse>, what: string): Promise<any> {
  const res = await response;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

let ssn = 100;
let npi = 27_182_818;
/** One representative resource per service, created through the API with the practice's own key. */
async function seed(practice: { id: string; key: string }, into: Record<string, string>): Promise<void> {
  const as = (method: string, url: string, body?: unknown) => p.request({ method, url, key: practice.key, ...(body !== undefined ? { body } : {}), headers: { 'idempotency-key': randomUUID() } });
  into['tenancy/practices'] = practice.id;
  into['tenancy/api-keys'] = (await created(p.request({ method: 'POST', url: `/v1/tenancy/practices/${practice.id}/api-keys`, body: { role: 'practice-user', label: 'front desk' } }), 'key')).id;
  into['helpdesk/tickets'] = (await created(as('POST', '/v1/helpdesk/tickets', { subject: 'Printer', description: 'It jams', priority: 'normal', category: 'hardware' }), 'ticket')).id;
  into['billing/payers'] = (await created(as('POST', '/v1/billing/payers', { name: 'HEALTH PLAN', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' }), 'payer')).id;
  into['billing/patients'] = (await created(as('POST', '/v1/billing/patients', sampleOf(createPatient.input)), 'patient')).id;
  const coverage = { ...(sampleOf(createCoverage.input) as object), patientId: into['billing/patients'], payerId: into['billing/payers'] };
  into['billing/coverages'] = (await created(as('POST', '/v1/billing/coverages', coverage), 'coverage')).id;
  into['billing/providers'] = (await created(as('POST', '/v1/billing/providers', { ...(sampleOf(createProvider.input) as object), npi: validNpi(npi++) }), 'provider')).id;
  const encounter = {
    ...(sampleOf(createEncounter.input) as object),
    patientId: into['billing/patients'],
    coverageId: into['billing/coverages'],
    billingProviderId: into['billing/providers'],
    dateOfService: '2026-02-20',
    diagnoses: [{ code: 'J069' }],
    charges: [{ procedureCode: '99213', chargeCents: 125_00, diagnosisPointers: [1] }],
  };
  into['billing/encounters'] = (await created(as('POST', '/v1/billing/encounters', encounter), 'encounter')).id;
  into['billing/claims'] = (await created(as('POST', `/v1/billing/encounters/${into['billing/encounters']}/claim`, {}), 'claim')).id;
  const entry = {
    date: '2026-03-01',
    memo: 'Opening cash',
    reason: 'Opening balance',
    lines: [
      { account: 'cash', debitCents: 100_00 },
      { account: 'cash', creditCents: 100_00 },
    ],
  };
  into['finance/journal-entries'] = (await created(as('POST', '/v1/finance/journal-entries', entry), 'journal entry')).id;
  const guarantor = randomUUID();
  await created(
    as('PUT', `/v1/collections/guarantors/${guarantor}`, { name: 'A GUARANTOR', mailingAddress: { line1: '1 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' }, preferredChannel: 'mail' }),
    'guarantor',
  );
  into['collections/guarantors'] = guarantor;
  into['collections/accounts'] = guarantor;
  const personBody = sampleOf(createPerson.input) as { ssn: string; employment: { employer: string } };
  personBody.ssn = `900-00-${String(ssn++).padStart(4, '0')}`;
  personBody.employment.employer = practice.id;
  const person = await created(as('POST', '/v1/hr/people', personBody), 'person');
  into['hr/people'] = person.id;
  into['hr/employments'] = person.employments[0].id;
  const settings = sampleOf(putPayrollSettings.input) as Record<string, unknown>;
  delete settings.employer;
  await created(as('PUT', `/v1/hr/payroll-settings/${practice.id}`, { ...settings, schedule: 'monthly' }), 'payroll settings');
  into['hr/payroll-settings'] = practice.id;
}

beforeAll(async () => {
  p = await startTestPlatform({ services: allServices });
  [A, B, C] = await Promise.all([p.createPractice({ services: [...businessServices] }), p.createPractice({ services: [...businessServices] }), p.createPractice({ services: ['helpdesk'] })]);
  const key = async (url: string, role: string) => (await created(p.request({ method: 'POST', url, body: { role, label: role } }), role)).key as string;
  const [staffKey, userKey] = await Promise.all([key('/v1/tenancy/api-keys', 'mso-staff'), key(`/v1/tenancy/practices/${A.id}/api-keys`, 'practice-user')]);
  callers = [
    { label: 'mso-admin', role: 'mso-admin', key: p.adminKey, practiceHeader: A.id, practice: A.id },
    { label: 'mso-staff', role: 'mso-staff', key: staffKey, practiceHeader: A.id, practice: A.id },
    { label: 'mso-staff, no X-Practice-Id', role: 'mso-staff', key: staffKey },
    { label: 'practice-admin', role: 'practice-admin', key: A.key, practice: A.id },
    { label: 'practice-user', role: 'practice-user', key: userKey, practice: A.id },
  ];
  await Promise.all([seed(A, own), seed(B, others)]);
  const document = await p.request({ method: 'GET', url: '/openapi.json' });
  routes = routesOf(document.json, allOperations);
}, 90_000);
afterAll(async () => {
  await p?.close();
});

interface Cell {
  route: MatrixRoute;
  caller: Caller;
  target: Target;
  expected: string;
  actual?: TestResponse;
  /** Why the actual answer is wrong; undefined when it is right. */
  wrong?: string;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** The cells of one route for one caller, with what the contract expects of each. */
function cellsOf(route: MatrixRoute, caller: Caller): { cell: Cell; probe: Probe; check: (res: TestResponse) => string | undefined }[] {
  const gate = gateOf(route, caller);
  if (gate.status !== 'open') {
    // One probe whose ids and body are all invalid: the gate answers before any validation.
    const cell: Cell = { route, caller, target: 'missing', expected: String(gate.status) };
    return [
      {
        cell,
        probe: invalidProbe(route),
        check: (res) =>
          res.status === gate.status && res.json?.code === gate.code && (gate.status !== 400 || res.json.errors?.[0]?.path === '/headers/x-practice-id')
            ? undefined
            : `expected ${gate.status} ${gate.code} before validation`,
      },
    ];
  }
  const first = route.idParams[0];
  const out: { cell: Cell; probe: Probe; check: (res: TestResponse) => string | undefined }[] = [];
  // A route without an id (a period to close) has no missing or foreign resource to name.
  if (!first) return out;
  const known = knownDefects.find((d) => d.method === route.method && d.path === route.path && d.when(caller));
  const missingExpected = createsAtId(route) ? '2xx' : namesNoBooks(route, caller) ? '400' : '404';
  out.push({
    cell: { route, caller, target: 'missing', expected: missingExpected },
    probe: validProbe(route, {}, overrides[`${route.method} ${route.path}`]),
    check: (res) => {
      if (known) return res.status === known.status ? undefined : `the known defect (${known.note}) is fixed: remove it from knownDefects`;
      if (missingExpected === '2xx') return is2xx(res.status) ? undefined : 'expected to create it';
      if (missingExpected === '400') return res.status === 400 && res.json?.errors?.[0]?.path === '/entity' ? undefined : 'expected 400 naming /entity';
      return res.status === 404 ? undefined : 'expected 404';
    },
  });
  const otherId = route.resource ? others[route.resource] : undefined;
  const visible = seesEveryPractice(route, caller);
  // An MSO key on an MSO-wide route reads every practice's resource (only the resource itself is read; its writes are not sent).
  if (otherId && (!visible || (route.method === 'GET' && isResourceItself(route)))) {
    const expected = visible ? '200' : missingExpected === '400' ? '400' : '404';
    out.push({
      cell: { route, caller, target: 'other', expected },
      probe: validProbe(route, { [first]: otherId }, overrides[`${route.method} ${route.path}`]),
      check: (res) => (res.status === Number(expected) ? undefined : expected === '404' ? 'expected 404 (as a missing id)' : `expected ${expected}`),
    });
  }
  const ownId = route.resource ? own[route.resource] : undefined;
  if (ownId && route.method === 'GET' && isResourceItself(route)) {
    const expected = namesNoBooks(route, caller) ? '400' : '200';
    out.push({
      cell: { route, caller, target: 'own', expected },
      probe: validProbe(route, { [first]: ownId }),
      check: (res) => (res.status === Number(expected) ? undefined : `expected ${expected}`),
    });
  }
  return out;
}

const cells: Cell[] = [];

/** Body fields whose schema-derived sample the service refuses for its own sake (a date already past). */
const overrides: Record<string, Record<string, unknown>> = {
  'POST /v1/billing/denials/{id}/appeal': { deadline: '2026-12-31' },
};

/**
 * Defects this matrix found that are not fixed yet. Each must still reproduce (a fix fails the test
 * until its entry is removed), and the table marks the cell.
 */
const knownDefects: { method: string; path: string; when: (c: Caller) => boolean; status: number; note: string }[] = [];

describe('access matrix', () => {
  it('covers every route with a path parameter in /openapi.json', () => {
    expect(routes.length).toBeGreaterThan(90);
    // Every route is in the matrix by construction; the ids it names are known for these resources.
    expect(routes.filter((r) => r.resource && others[r.resource]).length).toBeGreaterThan(30);
  });

  it('every role × own / another practice / missing: the status the contract gives, another practice as a missing id, no unexpected 2xx', async () => {
    const work = routes.flatMap((route) => callers.flatMap((caller) => cellsOf(route, caller)));
    // Writes are sent only where they must fail (or create a resource at a new id): nothing of B's changes.
    await pooled(
      work.map(({ cell, probe, check }) => async () => {
        const res = await send(cell.caller, probe);
        cell.actual = res;
        // Every check wants one status: a 5xx fails it (a known defect's cell wants the defect's).
        const wrong = check(res);
        if (wrong) cell.wrong = wrong;
        cells.push(cell);
      }),
      6,
    );
    // Another practice's id and a missing one: the same status and body (ids and instance aside).
    for (const route of routes) {
      for (const caller of callers) {
        const other = cells.find((c) => c.route === route && c.caller === caller && c.target === 'other');
        const missing = cells.find((c) => c.route === route && c.caller === caller && c.target === 'missing');
        if (!other?.actual || !missing?.actual || other.expected !== '404' || missing.expected !== '404') continue;
        if (normalised(other.actual.json) !== normalised(missing.actual.json)) {
          other.wrong ??= `body differs from a missing id's: ${normalised(other.actual.json)} vs ${normalised(missing.actual.json)}`;
        }
      }
    }
    // A PUT of another practice's guarantor id changed nothing of that practice's guarantor.
    const theirs = await p.request({ method: 'GET', url: `/v1/collections/guarantors/${others['collections/guarantors']}`, key: B.key });
    expect(theirs.json).toMatchObject({ name: 'A GUARANTOR', mailingAddress: { line1: '1 MAIN ST' } });
    const count = (f: (c: Cell) => boolean) => cells.filter(f).length;
    const summary =
      `${routes.length} routes with a path parameter × ${callers.length} callers: ${cells.length} requests; ` +
      `${count((c) => c.expected === '403')} refused with 403 before validation, ${count((c) => c.expected === '400' && c.target === 'missing' && gateOf(c.route, c.caller).status === 400)} with 400 for want of X-Practice-Id, ` +
      `${count((c) => c.target === 'other' && c.expected === '404')} another practice's id answered as a missing one, ${count((c) => c.target === 'own')} own resources read, ` +
      `${count((c) => c.target === 'missing' && c.expected === '404')} missing ids 404.`;
    const table = `${summary}\n\n${renderTable(routes, callers, cells)}`;
    writeTable(table);
    console.log(table);
    const wrong = cells.filter((c) => c.wrong).map((c) => `${c.route.method} ${c.route.path} as ${c.caller.label} (${c.target}): ${c.actual?.status} ${JSON.stringify(c.actual?.json).slice(0, 200)} — ${c.wrong}`);
    expect(wrong).toEqual([]);
    const unexpected2xx = cells.filter((c) => c.actual && is2xx(c.actual.status) && !c.expected.startsWith('2') && c.expected !== '200');
    expect(unexpected2xx).toEqual([]);
  }, 180_000);

  it('an unknown or missing key gets 401 on every route, before the practice, the role or validation', async () => {
    const results = await pooled(
      routes.flatMap((route) =>
        [{ authorization: 'Bearer mso_not_a_key' }, {}].map((headers) => async () => {
          const probe = invalidProbe(route);
          const res = await p.app.inject({ method: probe.method as 'GET', url: probe.url, headers: { ...headers, 'x-practice-id': 'not-a-uuid' } });
          return { route, res };
        }),
      ),
      6,
    );
    const wrong = results.filter(({ res }) => res.statusCode !== 401 || res.json().code !== 'unauthorized').map(({ route, res }) => `${route.method} ${route.path}: ${res.statusCode}`);
    expect(wrong).toEqual([]);
  }, 60_000);

  it("a practice without the service in its agreement gets 403 service-not-in-agreement on the service's routes, before validation", async () => {
    const practiceAdminOfC: Caller = { label: 'practice-admin of C', role: 'practice-admin', key: C.key, practice: C.id };
    const withoutIt = [
      practiceAdminOfC,
      { label: 'mso-admin for C', role: 'mso-admin', key: p.adminKey, practiceHeader: C.id, practice: C.id },
    ] satisfies Caller[];
    const practiceRoutes = routes.filter((r) => r.op.scope === 'practice' && r.op.service !== 'helpdesk');
    const results = await pooled(
      practiceRoutes.flatMap((route) => withoutIt.map((caller) => async () => ({ route, caller, res: await send(caller, invalidProbe(route)) }))),
      6,
    );
    const wrong = results.filter(({ res }) => res.status !== 403 || res.json.code !== 'service-not-in-agreement').map(({ route, caller, res }) => `${route.method} ${route.path} as ${caller.label}: ${res.status} ${res.json?.code}`);
    expect(wrong).toEqual([]);
    // Helpdesk, which C buys, is open to it.
    const ticket = await send(practiceAdminOfC, { method: 'GET', url: `/v1/helpdesk/tickets/${randomUUID()}` });
    expect(ticket.status).toBe(404);
  }, 60_000);
});

const callerColumns = (list: Caller[]) => list.map((c) => c.label);

/** The matrix as markdown: a row per route, a column per caller; a cell lists own · another practice's · missing. */
function renderTable(list: MatrixRoute[], who: Caller[], all: Cell[]): string {
  const lines = [
    `| route | scope | ${callerColumns(who).join(' | ')} |`,
    `|---|---|${who.map(() => '---').join('|')}|`,
  ];
  for (const route of list) {
    const row = who.map((caller) => {
      const mine = all.filter((c) => c.route === route && c.caller === caller);
      const gated = gateOf(route, caller);
      if (gated.status !== 'open') return `**${gated.status}**${mine.some((c) => c.wrong) ? ` ✗ ${mine[0]?.actual?.status}` : ''}`;
      return (['own', 'other', 'missing'] as const)
        .map((target) => {
          const c = mine.find((x) => x.target === target);
          if (!c) return '–';
          const status = c.actual?.status ?? '?';
          if (c.wrong) return `${status} ✗ (want ${c.expected})`;
          return knownDefects.some((d) => d.method === route.method && d.path === route.path && d.when(caller)) && target === 'missing' ? `${status} (known defect)` : String(status);
        })
        .join(' · ');
    });
    lines.push(`| \`${route.method} ${route.path}\` | ${route.op.scope} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

function writeTable(table: string): void {
  const dir = fileURLToPath(new URL('../../../../.mso/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}access-matrix.md`, `${table}\n`);
}
