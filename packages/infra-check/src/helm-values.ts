/** Values in templates and the Go/Helm notions of them: truth, printing, field access, copying, merging. */
import type { Dict, Value } from './helm-parse.js';

export const isDict = (v: Value): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

export function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

export function toText(v: Value): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(toText).join(' ')}]`;
  return `map[${Object.keys(v as Dict)
    .sort()
    .map((k) => `${k}:${toText((v as Dict)[k])}`)
    .join(' ')}]`;
}

export function walk(base: Value, path: string[], at: string, what: string): Value {
  let v = base;
  for (const [i, key] of path.entries()) {
    if (v === undefined || v === null) throw new Error(`${at}: nil pointer evaluating ${what}.${path.slice(0, i + 1).join('.')}`);
    if (!isDict(v)) throw new Error(`${at}: can't evaluate field ${key} in ${typeof v}`);
    v = v[key];
  }
  return v;
}

export function deepCopy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * Sprig merge (dst wins) and mergeOverwrite (src wins), deeply. Like mergo, an empty value (false, 0,
 * "", null) counts as unset on either side: `mergeOverwrite` does not reliably turn `true` into
 * `false`, so the chart reads booleans with `dig` instead, and this renderer keeps that trap.
 */
export function mergeInto(dst: Dict, src: Dict, overwrite: boolean): Dict {
  for (const [key, value] of Object.entries(src)) {
    const existing = dst[key];
    if (isDict(existing) && isDict(value)) mergeInto(existing, value, overwrite);
    else if (!truthy(existing) || (overwrite && truthy(value))) dst[key] = deepCopy(value);
  }
  return dst;
}
