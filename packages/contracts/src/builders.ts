// Builders for the operation shapes every service repeats: read one resource by its id, list a page
// of resources, change one (PATCH), act on one (POST …/{id}/<verb>). Each writes the HTTP binding and
// the input schema the same way everywhere (the id is a UUID path parameter; inputs are closed with
// `additionalProperties: false`) and hands the rest to `operation` unchanged: the result is the same
// data an `operation({...})` written out by hand would be. Anything of another shape uses `operation`.
import Type, { type TObject, type TProperties, type TSchema } from 'typebox';
import { operation, Page, PageQuery, Uuid, type HttpBinding, type HttpMethod, type Operation, type OperationSpec } from './core.js';

/** The id path parameter: `{ id: Uuid }`, or another name (`guarantorId`) where the path says so. */
type IdParam<K extends string> = { [P in K]: typeof Uuid };
/** The properties of two objects as one object type (keeps the input's static type readable). */
type Merge<A, B> = { [P in keyof (A & B)]: (A & B)[P] };
/** No properties (an input of the id alone, a list without filters). */
type None = Record<never, never>;

/** Where an operation answers: its full path (`/v1/<service>/…`) and, when not 200, its success status. */
interface Route {
  path: string;
  /** Success status. Default 200. */
  status?: number;
  /** Other 2xx statuses the handler may answer with. */
  statuses?: readonly number[];
  /** A raw response (a PDF, an 837P file): the output is then `RawResponse`. */
  response?: HttpBinding['response'];
}

/** What a builder passes to `operation` as written: everything but the HTTP binding, input and output it builds. */
type Declared = Omit<OperationSpec<TObject, TSchema>, 'http' | 'input' | 'output'> & Route;

interface OnId<K extends string> {
  /** The name of the id path parameter. Default `id`. */
  param?: K;
}

function http(method: HttpMethod, { path, status, statuses, response }: Route): HttpBinding {
  return {
    method,
    path,
    ...(status !== undefined ? { status } : {}),
    ...(statuses !== undefined ? { statuses } : {}),
    ...(response !== undefined ? { response } : {}),
  };
}

function idInput<K extends string, P extends TProperties>(spec: Declared, param: K, body: P): TObject<Merge<IdParam<K>, P>> {
  if (!spec.path.includes(`{${param}}`)) throw new Error(`${spec.service}.${spec.name}: the path ${spec.path} has no {${param}}`);
  return Type.Object({ [param]: Uuid, ...body } as unknown as Merge<IdParam<K>, P>, { additionalProperties: false });
}

function declared({ path: _path, status: _status, statuses: _statuses, response: _response, ...rest }: Declared) {
  return rest;
}

/**
 * Read one resource, or one part of it, by its id: `GET <path>` with `{id}` in the path
 * (`…/claims/{id}`, `…/statements/{id}/pdf`), input `{ id }` and nothing else. Errors default to
 * `['not-found']`.
 */
export function getById<O extends TSchema, K extends string = 'id'>(spec: Declared & OnId<K> & { output: O }): Operation<TObject<Merge<IdParam<K>, None>>, O> {
  const { param = 'id' as K, output, ...rest } = spec;
  return operation({ ...declared(rest), errors: rest.errors ?? ['not-found'], http: http('GET', rest), input: idInput(rest, param, {}), output });
}

/**
 * List a page of resources: `GET <path>`, input the `filters` (all query parameters, usually
 * optional) followed by `limit` and `cursor` (`PageQuery`), output `{ items: item[], nextCursor }`
 * (`Page(item)`).
 */
export function listPage<T extends TSchema, F extends TProperties = None>(
  spec: Declared & { filters?: F; item: T },
): Operation<TObject<Merge<F, typeof PageQuery>>, ReturnType<typeof Page<T>>> {
  const { filters = {} as F, item, ...rest } = spec;
  const input = Type.Object({ ...filters, ...PageQuery } as unknown as Merge<F, typeof PageQuery>, { additionalProperties: false });
  return operation({ ...declared(rest), http: http('GET', rest), input, output: Page(item) });
}

/**
 * Change one resource: `PATCH <path>` with `{id}` in the path, input `{ id, ...body }` where `body`
 * holds the fields that may change (usually all optional).
 */
export function updateById<O extends TSchema, P extends TProperties, K extends string = 'id'>(
  spec: Declared & OnId<K> & { body: P; output: O },
): Operation<TObject<Merge<IdParam<K>, P>>, O> {
  const { param = 'id' as K, body, output, ...rest } = spec;
  return operation({ ...declared(rest), http: http('PATCH', rest), input: idInput(rest, param, body), output });
}

/**
 * Act on one resource, or add to it: `POST <path>` with `{id}` in the path (`…/claims/{id}/submit`,
 * `…/tickets/{id}/notes`), input `{ id, ...body }` (`body`: the request's fields, none by default).
 */
export function actionOnId<O extends TSchema, P extends TProperties = None, K extends string = 'id'>(
  spec: Declared & OnId<K> & { body?: P; output: O },
): Operation<TObject<Merge<IdParam<K>, P>>, O> {
  const { param = 'id' as K, body = {} as P, output, ...rest } = spec;
  return operation({ ...declared(rest), http: http('POST', rest), input: idInput(rest, param, body), output });
}
