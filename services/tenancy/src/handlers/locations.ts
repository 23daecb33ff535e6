import { randomUUID } from 'node:crypto';
import { ProblemError } from '@mso/contracts';
import { locationAdded, type addLocation, type Location } from '@mso/contracts/tenancy';
import { isForeignKeyViolation, type Handler } from '@mso/kit';
import { locations } from '../db/schema.js';
import { registry } from './registry.js';

type LocationRow = typeof locations.$inferSelect;

function toLocation(row: LocationRow): Location {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

export const addLocationHandler: Handler<typeof addLocation> = async (input, ctx) => {
  // A practice key adds to its own practice only; any other id answers exactly like a missing one.
  if (ctx.principal.practiceId && ctx.principal.practiceId !== input.practiceId) throw new ProblemError('not-found', 'no such practice');
  const row: LocationRow = { id: randomUUID(), ...input, createdAt: ctx.clock.now() };
  const location = toLocation(row);
  try {
    // The insert and its event in one transaction; the practice is checked by the foreign key, not a
    // read first. Nothing reads the insert back: a write batch, sent as one pipelined transaction.
    await registry(ctx, 'location.add', (scope) =>
      scope.writeBatch((batch) => {
        batch.write(batch.db.insert(locations).values(row));
        batch.emit(locationAdded, { location }, { subject: row.id, practiceId: row.practiceId });
      }),
    );
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new ProblemError('not-found', 'no such practice');
    throw error;
  }
  return location;
};
