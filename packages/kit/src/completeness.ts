import { operationsOf } from '@mso/contracts';
import type { ServiceDefinition } from './service.js';

/**
 * A service must answer exactly its contract: every operation of it has a handler (written by the
 * service, or one the kit answers itself, such as `info`), and every handler belongs to it. Checked
 * at start, so that a forgotten handler fails the deployment instead of the first caller.
 *
 * `answered` holds the subjects the service will serve: its handlers plus the kit's built-in ones.
 */
export function assertServiceComplete(definition: ServiceDefinition, answered: ReadonlySet<string>): void {
  const contract = definition.operations ?? operationsOf(definition.id);
  const declared = new Set(contract.map((op) => op.subject));
  const unhandled = contract.filter((op) => !answered.has(op.subject)).map((op) => op.subject);
  const stray = definition.handlers.map((b) => b.operation.subject).filter((subject) => !declared.has(subject));
  const problems = [
    ...(unhandled.length ? [`no handler for ${unhandled.join(', ')}`] : []),
    ...(stray.length ? [`handler(s) for ${stray.join(', ')}, which ${stray.length > 1 ? 'are' : 'is'} not in its contract`] : []),
  ];
  if (problems.length) throw new Error(`${definition.id} cannot start: ${problems.join('; ')}`);
}
