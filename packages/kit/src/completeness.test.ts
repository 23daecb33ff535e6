import { afterEach, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { operation, serviceInfo } from '@mso/contracts';
import { createPractice, getPractice } from '@mso/contracts/tenancy';
import { getInfo, getJob, listJobs } from '@mso/contracts/finance';
import { createMemoryBus, type Bus } from '@mso/bus';
import { createLogger } from '@mso/telemetry';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { defineService, handle } from './service.js';

// Embedded mode (in-memory bus, no database): the check runs before anything else at start.
const logger = createLogger({ name: 'kit-completeness-test', level: 'silent' });
let bus: Bus | undefined;
let host: Host | undefined;
afterEach(async () => {
  await host?.stop();
  await bus?.close();
  host = bus = undefined;
});

const start = async (services: Parameters<typeof startHost>[0]['services']) => {
  bus = createMemoryBus();
  host = await startHost({ services, bus, logger });
  return host;
};

const stray = operation({
  service: 'finance',
  name: 'ledger.close',
  summary: 'not in the finance contract',
  http: { method: 'POST', path: '/v1/finance/ledger/close' },
  roles: ['mso-admin'],
  input: Type.Object({}),
  output: Type.Object({}),
});

describe('service completeness at start', () => {
  it('refuses to start a service that leaves an operation of its contract without a handler, naming it', async () => {
    const partial = defineService({
      id: 'tenancy',
      version: '1.0.0',
      description: 'half a control plane',
      handlers: [handle(createPractice, async () => ({}) as never)],
    });
    const started = start([partial]);
    await expect(started).rejects.toThrow(/^tenancy cannot start: no handler for tenancy\.v1\.practice\.list, tenancy\.v1\.practice\.get, /);
    await expect(started).rejects.toThrow(getPractice.subject);
  });

  it('refuses a handler for an operation outside the contract, naming it', async () => {
    // A contract of only the operations the kit answers (info, jobs), and a handler beyond it.
    const extra = defineService({ id: 'finance', version: '1.0.0', description: 'finance', operations: [getInfo, getJob, listJobs], handlers: [handle(stray, async () => ({}))] });
    await expect(start([extra])).rejects.toThrow('finance cannot start: handler(s) for finance.v1.ledger.close, which is not in its contract');
  });

  it('counts the operations the kit answers itself as handled', async () => {
    // A contract of only `info` and the jobs routes, which the kit answers for every business service.
    const finance = defineService({ id: 'finance', version: '2.0.0', description: 'finance', operations: [getInfo, getJob, listJobs], handlers: [] });
    await start([finance]);
    const info = await callOperation(bus!, serviceInfo('finance'), {}, { principal: { id: 'k', role: 'practice-user', practiceId: 'p1' }, practiceId: 'p1' });
    expect(info).toMatchObject({ service: 'finance', version: '2.0.0' });
  });

  it('takes a contract declared by the definition (a test service of its own operations)', async () => {
    const own = defineService({ id: 'finance', version: '1.0.0', description: 'test', operations: [stray], handlers: [handle(stray, async () => ({}))] });
    await expect(start([own])).resolves.toBeDefined();
  });
});

