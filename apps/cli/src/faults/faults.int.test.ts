import { describe, expect, it } from 'vitest';
import { formatReport, runFaults } from './harness.js';

// The fault run at its smallest (`pnpm test:faults` is the CI-sized one): a few hundred writes
// through the gateway while a service copy, an outbox relay, nats-server and PostgreSQL are killed
// and restarted; then every answered write has one effect, the books balance and match billing and
// collections, and nothing waits in an outbox or sits in the dead-letter stream.
describe('the platform under faults', () => {
  it('applies every write once and loses no event while processes, nats-server and PostgreSQL are killed', async () => {
    const seed = Number(process.env.FAULTS_SEED ?? Math.floor(Math.random() * 1_000_000));
    const report = await runFaults({ seed, operations: 200, kills: 4, workers: 4, claimsPerFile: 4, killEveryMs: [1_500, 3_000], natsKills: 1, natsAt: [0.1], postgresAt: 0.3, copies: 2, out: () => {} });
    process.stdout.write(`${formatReport(report)}\n`);
    expect(report.failures).toEqual([]);
    expect(report.counts.writes).toBeGreaterThanOrEqual(200);
    expect(report.kills).toMatchObject({ 'nats-server': 1, postgres: 1 });
    expect(report.killsTotal).toBeGreaterThanOrEqual(4);
    expect(report.redeliveries).toBeGreaterThan(0);
    expect(report.unpublished).toBe(0);
    expect(report.deadLetters).toBe(0);
  }, 600_000);
});
