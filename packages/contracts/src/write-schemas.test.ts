import { describe, expect, it } from 'vitest';
import type { TSchema } from 'typebox';
import { businessServices, type Operation, type ServiceId } from './core.js';
import { operationsOf } from './all.js';

const services: ServiceId[] = ['tenancy', ...businessServices];
const writeMethods = new Set(['POST', 'PUT', 'PATCH']);

type Json = Record<string, unknown>;

/**
 * JSON pointers (into the input) of every object schema that would accept properties it does not
 * declare: one with `properties` must say `additionalProperties: false`. A map (`Type.Record`: only
 * `patternProperties`, e.g. days by payer id) has no fields to smuggle, its keys are data; the
 * values of a map are walked like any other schema.
 */
function openObjects(schema: unknown, path = ''): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const s = schema as Json;
  const found: string[] = [];
  // a reference cannot be checked from here: a write schema must inline what it accepts
  if (typeof s.$ref === 'string') return [`${path || '/'} ($ref ${s.$ref} is not walked)`];
  const isMap = s.patternProperties !== undefined && s.properties === undefined;
  const isObject = !isMap && (s.type === 'object' || s.properties !== undefined);
  if (isObject && s.additionalProperties !== false) found.push(path || '/');
  for (const [key, child] of Object.entries((s.properties as Json | undefined) ?? {})) found.push(...openObjects(child, `${path}/${key}`));
  for (const child of Object.values((s.patternProperties as Json | undefined) ?? {})) found.push(...openObjects(child, `${path}/*`));
  if (typeof s.additionalProperties === 'object') found.push(...openObjects(s.additionalProperties, `${path}/*`));
  const items = s.items;
  if (Array.isArray(items)) items.forEach((item, i) => found.push(...openObjects(item, `${path}/${i}`)));
  else if (items) found.push(...openObjects(items, `${path}/*`));
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[k];
    if (Array.isArray(list)) for (const member of list) found.push(...openObjects(member, path));
  }
  if (s.not) found.push(...openObjects(s.not, path));
  for (const defs of [s.$defs, s.definitions] as (Json | undefined)[]) {
    for (const [name, def] of Object.entries(defs ?? {})) found.push(...openObjects(def, `${path}#${name}`));
  }
  return found;
}

const writes = (service: ServiceId): Operation[] =>
  operationsOf(service).filter((op) => op.http !== undefined && writeMethods.has(op.http.method));

describe('write schemas refuse unknown fields (mass assignment)', () => {
  it('finds an open object wherever it is nested', () => {
    const closed = { type: 'object', properties: {}, additionalProperties: false };
    expect(openObjects({ type: 'object', properties: { a: { type: 'object', properties: {} } }, additionalProperties: false })).toEqual(['/a']);
    expect(openObjects({ type: 'array', items: { anyOf: [closed, { type: 'object', properties: {} }] } })).toEqual(['/*']);
    expect(openObjects({ type: 'object', patternProperties: { '^.*$': { type: 'object', properties: {} } } })).toEqual(['/*']);
    expect(openObjects({ type: 'object', patternProperties: { '^.*$': { type: 'integer' } } })).toEqual([]);
    expect(openObjects({ type: 'object', properties: { x: { type: 'string' } } })).toEqual(['/']);
    expect(openObjects(closed)).toEqual([]);
    expect(openObjects({ type: 'object', properties: { a: { $ref: 'Address' } }, additionalProperties: false })).toEqual(['/a ($ref Address is not walked)']);
  });

  for (const service of services) {
    it(`every ${service} POST/PUT/PATCH input, and every object nested in it, has additionalProperties: false`, () => {
      const ops = writes(service);
      const open = ops.flatMap((op) => openObjects(op.input as TSchema).map((path) => `${op.http!.method} ${op.http!.path} (${op.name}) input${path}`));
      expect(open).toEqual([]);
    });
  }

  it('walks write operations of every service', () => {
    const counts = Object.fromEntries(services.map((s) => [s, writes(s).length]));
    for (const s of ['tenancy', 'billing', 'hr', 'helpdesk', 'finance'] as const) expect(counts[s]).toBeGreaterThan(0);
  });
});
