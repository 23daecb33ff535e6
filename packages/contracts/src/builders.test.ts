import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { actionOnId, getById, listPage, updateById } from './builders.js';
import { operation, Page, PageQuery, Uuid } from './core.js';

const Thing = Type.Object({ id: Uuid, name: Type.String() });
const common = { service: 'helpdesk', summary: 'A thing', roles: ['mso-admin'] } as const;
const closed = { additionalProperties: false } as const;

describe('operation builders', () => {
  it('getById is a GET of the id alone that answers not-found by default', () => {
    const built = getById({ ...common, name: 'thing.get', path: '/v1/helpdesk/things/{id}', output: Thing, phi: 'read' });
    const written = operation({
      ...common,
      name: 'thing.get',
      http: { method: 'GET', path: '/v1/helpdesk/things/{id}' },
      input: Type.Object({ id: Uuid }, closed),
      output: Thing,
      errors: ['not-found'],
      phi: 'read',
    });
    expect(built).toEqual(written);
    expect(built.readOnly).toBe(true);
  });

  it('listPage puts the filters before limit and cursor and pages the item', () => {
    const built = listPage({ ...common, name: 'thing.list', path: '/v1/helpdesk/things', filters: { name: Type.Optional(Type.String()) }, item: Thing });
    const written = operation({
      ...common,
      name: 'thing.list',
      http: { method: 'GET', path: '/v1/helpdesk/things' },
      input: Type.Object({ name: Type.Optional(Type.String()), ...PageQuery }, closed),
      output: Page(Thing),
    });
    expect(built).toEqual(written);
    expect(Object.keys(built.input.properties)).toEqual(['name', 'limit', 'cursor']);
  });

  it('updateById is a PATCH of the id and the body', () => {
    const built = updateById({ ...common, name: 'thing.update', path: '/v1/helpdesk/things/{id}', body: { name: Type.Optional(Type.String()) }, output: Thing, errors: ['validation-failed', 'not-found'] });
    expect(built.http).toEqual({ method: 'PATCH', path: '/v1/helpdesk/things/{id}' });
    expect(built.input).toEqual(Type.Object({ id: Uuid, name: Type.Optional(Type.String()) }, closed));
    expect(built.readOnly).toBe(false);
  });

  it('actionOnId is a POST on the named id parameter, with its status', () => {
    const built = actionOnId({ ...common, name: 'thing.part.create', path: '/v1/helpdesk/things/{thingId}/parts', status: 201, param: 'thingId', output: Thing });
    expect(built.http).toEqual({ method: 'POST', path: '/v1/helpdesk/things/{thingId}/parts', status: 201 });
    expect(built.input).toEqual(Type.Object({ thingId: Uuid }, closed));
  });

  it('refuses a path without the id parameter', () => {
    expect(() => actionOnId({ ...common, name: 'thing.close', path: '/v1/helpdesk/things/close', output: Thing })).toThrow(/has no \{id\}/);
  });
});
