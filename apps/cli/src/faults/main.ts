// `pnpm test:faults`: the fault run at CI size (at least 2,000 writes and 20 kills, a few minutes),
// or for FAULTS_MINUTES minutes. FAULTS_SEED replays a run's kill schedule and work.
import { formatReport, runFaults } from './harness.js';

const env = process.env;
const minutes = env.FAULTS_MINUTES ? Number(env.FAULTS_MINUTES) : undefined;
const seed = env.FAULTS_SEED ? Number(env.FAULTS_SEED) : Math.floor(Math.random() * 1_000_000);
const report = await runFaults({
  seed,
  operations: Number(env.FAULTS_OPERATIONS ?? 2_000),
  kills: Number(env.FAULTS_KILLS ?? 20),
  ...(minutes ? { minutes } : {}),
  workers: Number(env.FAULTS_WORKERS ?? 6),
  claimsPerFile: 5,
  killEveryMs: [3_000, 8_000],
  natsKills: minutes ? Math.max(2, Math.round(minutes / 5)) : 2,
  copies: 2,
});
process.stdout.write(`${formatReport(report)}\n`);
process.exit(report.ok ? 0 : 1);
