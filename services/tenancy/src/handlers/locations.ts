import { randomUUID } from 'node:crypto';
import { ProblemError } from '@mso/contracts';
import { locationAdded, type addLocation, type Location } from '@mso/contracts/tenancy';
import { sql } from 'drizzle-orm';
import { isForeignKeyViolation, preparedQuery, type Handler } from '@mso/kit';
import { locations } from '../db/schema.js';
import { registry } from './registry.js';

type LocationRow = typeof locations.$inferSelect;

function toLocation(row: LocationRow): Location {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

/** The location insert, built once per database handle (the write of `pnpm bench` (f)). */
const insertLocation = preparedQuery((db) =>
  db
    .insert(locations)
    .values({
      id: sql.placeholder('id'),
      practiceId: sql.placeholder('practiceId'),
      name: sql.placeholder('name'),
      line1: sql.placeholder('line1'),
      city: sql.placeholder('city'),
      state: sql.placeholder('state'),
      postalCode: sql.placeholder('postalCode'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare('tenancy_location_insert'),
);

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
        batch.write({ execute: () => insertLocation(batch.db).execute(row) });
        batch.emit(locationAdded, { location }, { subject: row.id, practiceId: row.practiceId });
      }),
    );
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new ProblemError('not-found', 'no such practice');
    throw error;
  }
  return location;
};
