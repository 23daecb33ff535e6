import { deleteNatsNamespace, type Bus } from '@mso/bus';
import type { TestDatabase } from '@mso/db/testing';
import type { Host } from '../src/host.js';

/** The NATS the integration tests run against. */
export const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Reads `check` until it holds; throws after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Stops the hosts, closes the bus, drops the namespace's streams and the database. */
export async function tearDown(parts: { hosts: (Host | undefined)[]; bus: Bus | undefined; namespace: string; db: TestDatabase | undefined }): Promise<void> {
  for (const host of parts.hosts) await host?.stop();
  await parts.bus?.close();
  await deleteNatsNamespace({ servers, namespace: parts.namespace }).catch(() => {});
  await parts.db?.drop();
}
