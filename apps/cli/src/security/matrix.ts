import { randomUUID } from 'node:crypto';
import type { Operation, Role } from '@mso/contracts';
import { sampleOf } from './samples.js';

/** Who calls: a role, the key it holds, and the practice it acts for (none: an MSO key without X-Practice-Id). */
export interface Caller {
  label: string;
  role: Role;
  key: string;
  /** X-Practice-Id sent by an MSO key. */
  practiceHeader?: string;
  /** The practice the caller acts for (its own, or the one named in the header). */
  practice?: string;
}

/** A route of `/openapi.json` with a path parameter, and the contract operation behind it. */
export interface MatrixRoute {
  method: string;
  /** OpenAPI form: `/v1/helpdesk/tickets/{id}`. */
  path: string;
  op: Operation;
  params: string[];
  /** The parameters that name a resource (a uuid, or an employer: `mso` or a practice id). */
  idParams: string[];
  /** `<service>/<collection>`: the resource the first id names, e.g. `helpdesk/tickets`. */
  resource: string | undefined;
}

export type Target = 'own' | 'other' | 'missing';

/** What the contract says a caller gets on a route, before any resource is looked at. */
export type Gate = { status: 400; code: 'validation-failed'; why: 'practice' } | { status: 403; code: 'forbidden' } | { status: 'open' };

interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId?: string }>>;
}

/** Every route of the API document that has a path parameter, with its contract operation. */
export function routesOf(document: OpenApiDocument, operations: readonly Operation[]): MatrixRoute[] {
  const byId = new Map(operations.map((op) => [`${op.service}.${op.name}`, op]));
  const routes: MatrixRoute[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.includes('{')) continue;
    for (const [method, entry] of Object.entries(methods)) {
      const op = entry.operationId ? byId.get(entry.operationId) : undefined;
      if (!op) throw new Error(`${method.toUpperCase()} ${path}: operationId ${entry.operationId} is not a contract operation`);
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const idParams = params.filter((p) => isIdSchema(op.input.properties[p] as Schema | undefined));
      const first = idParams[0];
      const segments = path.split('/');
      const at = first ? segments.indexOf(`{${first}}`) : -1;
      routes.push({ method: method.toUpperCase(), path, op, params, idParams, resource: at > 0 ? `${op.service}/${segments[at - 1]}` : undefined });
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

interface Schema {
  format?: string;
  pattern?: string;
}
const isIdSchema = (s: Schema | undefined): boolean => s?.format === 'uuid' || (s?.pattern?.includes('[0-9a-fA-F]{8}') ?? false);

/** The contract's answer before the service sees the request: authenticate → practice → entitlement → role. */
export function gateOf(route: MatrixRoute, caller: Caller): Gate {
  if (route.op.scope === 'practice' && !caller.practice) return { status: 400, code: 'validation-failed', why: 'practice' };
  if (!route.op.roles.includes(caller.role)) return { status: 403, code: 'forbidden' };
  return { status: 'open' };
}

/**
 * Whether the caller may see another practice's resource on this route by contract: MSO keys on an
 * MSO-wide (`platform`) route see every practice's (hr's people), except where the route reads one
 * set of books (finance's `entity`, else X-Practice-Id): there another practice's entry is not in them.
 * Elsewhere another practice's id must answer exactly as a missing one.
 */
export const seesEveryPractice = (route: MatrixRoute, caller: Caller): boolean =>
  route.op.scope === 'platform' && (caller.role === 'mso-admin' || caller.role === 'mso-staff') && !('entity' in route.op.input.properties);

/** `PUT /…/{id}`: the client names the id, and a new id creates the resource (a guarantor). */
export const createsAtId = (route: MatrixRoute): boolean => route.method === 'PUT' && route.path.endsWith('/{id}');

/** The route is the resource itself (`/tickets/{id}`), not something under it (`/tickets/{id}/history`). */
export const isResourceItself = (route: MatrixRoute): boolean => route.path.endsWith(`{${route.idParams[0]}}`);

/**
 * An MSO key without X-Practice-Id on a route of a practice's books (finance's `entity`): the service
 * asks which books (400 naming `/entity`) before it looks for anything.
 */
export const namesNoBooks = (route: MatrixRoute, caller: Caller): boolean => !caller.practice && route.op.scope === 'platform' && 'entity' in route.op.input.properties;

const hasJsonBody = (route: MatrixRoute) => ['POST', 'PUT', 'PATCH'].includes(route.method) && !route.op.http?.body;

export interface Probe {
  method: string;
  url: string;
  body?: unknown;
}

/** A request the contract accepts, naming `ids` (by parameter; the rest are fresh uuids). */
export function validProbe(route: MatrixRoute, ids: Record<string, string>, override: Record<string, unknown> = {}): Probe {
  const input = { ...(sampleOf(route.op.input) as Record<string, unknown>), ...override };
  let url = route.path;
  for (const p of route.params) {
    const value = ids[p] ?? (route.idParams.includes(p) ? randomUUID() : String(input[p]));
    url = url.replace(`{${p}}`, encodeURIComponent(value));
    delete input[p];
  }
  if (hasJsonBody(route)) return { method: route.method, url, body: input };
  const query = new URLSearchParams(Object.entries(input).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return { method: route.method, url: query ? `${url}?${query}` : url };
}

/** A request the contract refuses on every count (ids that are not ids, an unknown field): a 403 to it proves validation did not run first. */
export function invalidProbe(route: MatrixRoute): Probe {
  let url = route.path;
  for (const p of route.params) url = url.replace(`{${p}}`, route.idParams.includes(p) ? 'not-an-id' : '%20');
  if (hasJsonBody(route)) return { method: route.method, url, body: { unknownField: true } };
  return { method: route.method, url: `${url}?unknownField=1` };
}

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A problem with every id (in `detail`, `instance`, anywhere) replaced, for comparing two answers. */
export const normalised = (json: unknown): string => JSON.stringify(json ?? null).replace(uuidPattern, '<id>');

/** Runs `tasks` with at most `limit` at a time, in order of the results. */
export async function pooled<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
