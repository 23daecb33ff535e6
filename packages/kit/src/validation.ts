import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { ProblemError } from '@mso/contracts';

export interface FieldError {
  path: string;
  message: string;
}

export interface CompiledSchema {
  check(value: unknown): boolean;
  /** Every violation, each naming the field by JSON pointer. */
  errors(value: unknown): FieldError[];
  /** Coerces strings (query parameters) to the schema's types where that is unambiguous. */
  convert(value: unknown): unknown;
}

const cache = new WeakMap<TSchema, CompiledSchema>();

/** Compiles a TypeBox schema once (JIT); the same schema object is compiled only once per process. */
export function compileSchema(schema: TSchema): CompiledSchema {
  const cached = cache.get(schema);
  if (cached) return cached;
  const validator = Compile(schema);
  const compiled: CompiledSchema = {
    check: (value) => validator.Check(value),
    errors: (value) => {
      const seen = new Set<string>();
      const out: FieldError[] = [];
      for (const e of validator.Errors(value)) {
        // `additionalProperties: false` reports twice (once per property, once for the object).
        if (e.keyword === 'boolean' && e.schemaPath.endsWith('additionalProperties')) {
          const key = `${e.instancePath}:additional`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ path: e.instancePath, message: 'unknown property' });
          continue;
        }
        if (e.keyword === 'additionalProperties') {
          const names = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
          for (const name of names) {
            const key = `${e.instancePath}/${name}:additional`;
            if (seen.has(key)) continue;
            seen.add(key);
            out.push({ path: `${e.instancePath}/${name}`, message: 'unknown property' });
          }
          continue;
        }
        const key = `${e.instancePath}:${e.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ path: e.instancePath || '/', message: e.message });
      }
      return out;
    },
    convert: (value) => validator.Convert(value),
  };
  cache.set(schema, compiled);
  return compiled;
}

/** Throws `validation-failed` listing every violation. */
export function assertValid<T>(schema: TSchema, value: unknown, what = 'input'): T {
  const compiled = compileSchema(schema);
  if (compiled.check(value)) return value as T;
  const errors = compiled.errors(value);
  const first = errors[0];
  throw new ProblemError(
    'validation-failed',
    first ? `${what} ${first.path === '/' ? '' : `${first.path} `}${first.message}`.trim() : `${what} is invalid`,
    errors,
  );
}
