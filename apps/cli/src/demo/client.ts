import { randomUUID } from 'node:crypto';

/** A JSON body as the API answers it (shapes are in @mso/contracts; the demo reads a few fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A reply of the gateway: status, parsed body (JSON or text) and headers. */
export interface Reply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${JSON.stringify(body).slice(0, 600)}`);
  }
}

export interface RequestOptions {
  /** Statuses accepted besides 2xx (others throw). */
  expect?: number[];
  idempotencyKey?: string;
  contentType?: string;
  /** Give up on the reply after this long (the request may still take effect). Default: wait. */
  timeoutMs?: number;
}

/**
 * The public HTTP API as a client sees it: one API key (and, for MSO keys, the practice it acts for),
 * `fetch` against the gateway, an Idempotency-Key on every write.
 */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
    readonly practiceId?: string,
  ) {}

  /** The same key acting for a practice (MSO keys name the practice in X-Practice-Id). */
  forPractice(practiceId: string): Api {
    return new Api(this.baseUrl, this.key, practiceId);
  }

  withKey(key: string): Api {
    return new Api(this.baseUrl, key);
  }

  async request<T = Json>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (this.practiceId) headers['x-practice-id'] = this.practiceId;
    if (method !== 'GET') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      ...(options.timeoutMs !== undefined ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    if ((res.status < 200 || res.status > 299) && !options.expect?.includes(res.status)) throw new ApiError(method, path, res.status, parsed);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = Json>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, undefined, options).then((r) => r.body);
  }
  post<T = Json>(path: string, body: unknown = {}, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, body, options).then((r) => r.body);
  }
  put<T = Json>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, body, options).then((r) => r.body);
  }
  patch<T = Json>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, body, options).then((r) => r.body);
  }
  /** An X12 file (837P, 835, 999, 277CA) as the raw body. */
  x12<T = Json>(path: string, text: string): Promise<Reply<T>> {
    return this.request<T>('POST', path, text, { contentType: 'application/edi-x12', expect: [200] });
  }

  /** Every item of a paged list. */
  async all<T = Json>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    const sep = path.includes('?') ? '&' : '?';
    do {
      const page: { items: T[]; nextCursor?: string | null } = await this.get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...page.items);
      cursor = page.nextCursor ?? null;
    } while (cursor);
    return out;
  }
}

/** Reads until `done` holds (events reach other services asynchronously); gives up after `ms`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
