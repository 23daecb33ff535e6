import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenancy } from '@mso/service-tenancy';
import { natsUrl, startTestPlatform, type TestPlatform } from '@mso/testing';

// One service in its own OS process, as `mso service helpdesk` runs it in production; the gateway
// (and tenancy) run in the test process, on the same NATS namespace and database.
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let p: TestPlatform;
let practice: { id: string; key: string };
const children = new Set<ChildProcess>();

function startHelpdeskProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@mso/source', '--import', 'tsx', main, 'service', 'helpdesk'], {
    env: { ...process.env, NATS_URL: natsUrl(), NATS_NAMESPACE: p.namespace, DATABASE_URL: p.databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function infoStatus(): Promise<{ status: number; instance?: string }> {
  const res = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: practice.key });
  return { status: res.status, instance: res.json?.instance };
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await predicate()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

beforeAll(async () => {
  p = await startTestPlatform({ services: [tenancy] });
  practice = await p.createPractice({ services: ['helpdesk'] });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await p?.close();
});

describe('services in their own processes', () => {
  it('answers 503 within 2 s of the service process being killed, and recovers when it restarts', async () => {
    expect((await infoStatus()).status).toBe(503);
    const first = startHelpdeskProcess();
    await until(async () => (await infoStatus()).status === 200, 30_000);

    const killedAt = Date.now();
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    await until(async () => (await infoStatus()).status === 503, 2_000);
    expect(Date.now() - killedAt).toBeLessThan(2_000);
    const down = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: practice.key });
    expect(down.json.code).toBe('service-unavailable');

    startHelpdeskProcess();
    await until(async () => (await infoStatus()).status === 200, 30_000);
  }, 90_000);

  it('shares requests between two copies of a service', async () => {
    startHelpdeskProcess();
    startHelpdeskProcess();
    const instances = new Set<string>();
    await until(async () => {
      const { status, instance } = await infoStatus();
      if (status === 200 && instance) instances.add(instance);
      return instances.size >= 2;
    }, 40_000);
    expect(instances.size).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
