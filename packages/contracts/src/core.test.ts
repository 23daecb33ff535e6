import { describe, expect, it } from 'vitest';
import { allEvents, allOperations, problemStatus, ProblemError } from './index.js';
import { createPractice } from './tenancy.js';

describe('contracts', () => {
  it('derives the NATS subject from service, version and name', () => {
    expect(createPractice.subject).toBe('tenancy.v1.practice.create');
    expect(createPractice.http).toEqual({ method: 'POST', path: '/v1/tenancy/practices', status: 201 });
  });

  it('keeps every operation subject and HTTP route unique', () => {
    const subjects = allOperations.map((op) => op.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    const routes = allOperations.filter((op) => op.http).map((op) => `${op.http!.method} ${op.http!.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('puts every HTTP path under /v1/<service>/ and every event under its producer', () => {
    for (const op of allOperations.filter((o) => o.http)) expect(op.http!.path.startsWith(`/v1/${op.service}/`)).toBe(true);
    for (const e of allEvents) expect(e.subject).toBe(`evt.${e.type}`);
  });

  it('maps problem codes to the statuses the API promises', () => {
    expect(problemStatus['service-not-in-agreement']).toBe(403);
    expect(problemStatus['service-unavailable']).toBe(503);
    const problem = new ProblemError('unprocessable', 'npi: bad', [{ path: '/npi', message: 'bad' }]).toProblem('/x');
    expect(problem).toMatchObject({ status: 422, code: 'unprocessable', detail: 'npi: bad', instance: '/x', errors: [{ path: '/npi', message: 'bad' }] });
  });

  it('carries extension members through problem+json and back, never over the standard ones', () => {
    const findings = [{ field: '/lines/0/units', code: 'units-positive', severity: 'error', message: 'line 1 has 0 units' }];
    const problem = new ProblemError('claim-scrub-failed', 'the claim has 1 error', undefined, { findings, status: 200 }).toProblem();
    expect(problem).toMatchObject({ status: 422, code: 'claim-scrub-failed', findings });
    const back = ProblemError.from(JSON.parse(JSON.stringify(problem)));
    expect(back).toMatchObject({ status: 422, code: 'claim-scrub-failed', extensions: { findings } });
    expect(back.toProblem()).toEqual(problem);
  });
});
