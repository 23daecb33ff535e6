import { compileSchema } from '@mso/kit';

type TSchema = Parameters<typeof compileSchema>[0];

/**
 * A value a JSON schema accepts, built from the schema alone: required properties only, the first
 * enum member or union branch that validates, the smallest length and number the bounds allow. The
 * access matrix sends these so a request passes validation and reaches the service (which then has to
 * answer for the id in the path).
 */
export function sampleOf(schema: TSchema): unknown {
  return sample(schema as Schema, '');
}

/** Whether `value` is valid for `schema` (the gateway's own compiler). */
export function accepts(schema: TSchema, value: unknown): boolean {
  return compileSchema(schema).check(value);
}

interface Schema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  minProperties?: number;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  multipleOf?: number;
  default?: unknown;
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
}

/** One matching string for each pattern the contracts use. */
const byPattern: Record<string, string> = {
  '^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$': '99213',
  '^([01][0-9]|2[0-3]):[0-5][0-9]$': '09:00',
  '^([01][0-9]|2[0-4]):[0-5][0-9]$': '17:00',
  '^([A-Za-z]{2}-)?[A-Za-z0-9]{1,5}$': 'A1',
  '^(mso|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$': 'mso',
  '^[0-9A-Za-z][0-9A-Za-z.-]{0,19}$': 'A1',
  '^[0-9]{10}$': '5555550100',
  '^[0-9]{2}$': '11',
  '^[0-9]{2}-?[0-9]{7}$': '12-3456789',
  '^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$': '900-00-0001',
  '^[0-9]{3}[0-9A-Z]{6}X$': '207Q00000X',
  '^[0-9]{4}-(0[1-9]|1[0-2])$': '2026-01',
  '^[0-9]{5}(-[0-9]{4})?$': '43004',
  '^[0-9]{5}([0-9]{4})?$': '43004',
  '^[0-9]{9}$': '123456789',
  '^[0-9a-f]{64}$': '0'.repeat(64),
  '^[A-Z0-9]{2}$': 'CI',
  '^[A-Z0-9]{2}(,[A-Z0-9]{2}){0,3}$': '25',
  '^[A-Z]{2}$': 'OH',
  '^[A-Za-z0-9-]+$': 'A1',
  '^[a-z][a-z0-9-]{0,39}$': 'sample',
  '^https://': 'https://example.test/',
};

const byFormat: Record<string, string> = {
  uuid: '00000000-0000-4000-8000-000000000000',
  date: '2026-01-15',
  'date-time': '2026-01-15T12:00:00.000Z',
  email: 'someone@example.test',
  uri: 'https://example.test/',
};

function sample(s: Schema, path: string): unknown {
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    // The first branch that is not null and validates by itself.
    for (const b of branches) {
      if (b.type === 'null') continue;
      const value = sample(b, path);
      if (accepts(b as TSchema, value)) return value;
    }
    return null;
  }
  if (s.allOf) return Object.assign({}, ...s.allOf.map((b) => sample(b, path)));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = s.properties ?? {};
      const required = new Set(s.required ?? []);
      for (const [key, value] of Object.entries(properties)) if (required.has(key)) out[key] = sample(value, `${path}/${key}`);
      // A patch must change something: the first property, when none is required.
      if ((s.minProperties ?? 0) > Object.keys(out).length) {
        for (const [key, value] of Object.entries(properties)) {
          if (key in out) continue;
          out[key] = sample(value, `${path}/${key}`);
          if (Object.keys(out).length >= (s.minProperties ?? 0)) break;
        }
      }
      return out;
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}, `${path}/0`));
    case 'string': {
      if (s.format && byFormat[s.format]) return byFormat[s.format];
      if (s.pattern) return byPattern[s.pattern] ?? 'A';
      return 'A'.repeat(Math.max(1, s.minLength ?? 1));
    }
    case 'integer':
    case 'number': {
      const low = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (type === 'integer' ? 1 : 0.5) : 1);
      const value = Math.max(low, Math.min(1, s.maximum ?? 1));
      return s.multipleOf ? Math.ceil(value / s.multipleOf) * s.multipleOf : value;
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}
