import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { operation, ProblemError } from '@mso/contracts';
import { outcomeOf, resourceIdsOf } from './audit.js';

const getNote = operation({
  service: 'finance',
  name: 'note.get',
  summary: 'a note',
  http: { method: 'GET', path: '/v1/finance/books/{bookId}/notes/{id}' },
  roles: ['practice-admin'],
  phi: 'read',
  input: Type.Object({ bookId: Type.String(), id: Type.String(), verbose: Type.Optional(Type.Boolean()) }),
  output: Type.Object({ id: Type.String() }),
});

describe('audit records', () => {
  it('name the path parameters and the output id as resources, nothing else of the input', () => {
    expect(resourceIdsOf(getNote, { bookId: 'b1', id: 'n1', verbose: true }, { id: 'n1' })).toEqual(['b1', 'n1']);
    expect(resourceIdsOf({ ...getNote, http: { method: 'POST', path: '/v1/finance/notes' } }, { body: 'Jane Doe, DOB 1970-01-01' }, { id: 'n2' })).toEqual(['n2']);
    expect(resourceIdsOf(getNote, { bookId: 'b1', id: 'n1' }, { items: [], nextCursor: null })).toEqual(['b1', 'n1']);
  });

  it('tell a refusal (4xx, with its code) from a failure', () => {
    expect(outcomeOf(new ProblemError('not-found', 'no such note'))).toEqual({ outcome: 'refused', problemCode: 'not-found' });
    expect(outcomeOf(new ProblemError('forbidden', 'no'))).toEqual({ outcome: 'refused', problemCode: 'forbidden' });
    expect(outcomeOf(new ProblemError('service-unavailable', 'down'))).toEqual({ outcome: 'failed', problemCode: 'service-unavailable' });
    expect(outcomeOf(new Error('boom'))).toEqual({ outcome: 'failed', problemCode: 'internal' });
  });
});
