#!/usr/bin/env node
// `mso`: run the platform. Telemetry starts before anything else is imported.
import { existsSync } from 'node:fs';
import { startTelemetry } from '@mso/telemetry';

// Settings may live in `.env` in the working directory (Node's own loader, no dotenv dependency);
// variables already set in the environment win. Read before telemetry, which takes OTEL_* from it.
if (existsSync('.env')) process.loadEnvFile('.env');

const [command = 'help', ...args] = process.argv.slice(2);
const serviceName = { start: 'mso', gateway: 'mso-gateway', service: `mso-${args[0] ?? 'service'}` }[command];
if (serviceName) startTelemetry({ serviceName });

const { commands } = await import('./commands.js');
const run = commands[command as keyof typeof commands];
if (!run) {
  process.stderr.write(`unknown command "${command}"\n\n`);
  await commands.help([]);
  process.exit(2);
}
try {
  await run(args);
} catch (error) {
  process.stderr.write(`mso ${command}: ${(error as Error).message}\n`);
  process.exit(1);
}
