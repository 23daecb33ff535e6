/** The Go template built-ins and the Helm/Sprig functions the chart uses. */
import { createHash } from 'node:crypto';
import { parse, stringify } from 'yaml';
import type { Dict, Value } from './helm-parse.js';
import { deepCopy, isDict, mergeInto, toText, truthy } from './helm-values.js';

function goYaml(v: Value): string {
  if (v === undefined || v === null) return 'null';
  const text = stringify(v, { indentSeq: false, lineWidth: 0, sortMapEntries: true, nullStr: 'null' });
  return text.replace(/\n$/, '');
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function sprintf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*\d*(?:\.\d+)?)([svdqtf%])/g, (_m, _flags, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    switch (verb) {
      case 'q':
        return goQuote(toText(a));
      case 'd':
        return String(Math.trunc(Number(a)));
      default:
        return toText(a);
    }
  });
}

/** Calls function `name`; `include` renders a named template with the given dot. */
export function callFunction(name: string, args: Value[], at: string, include: (name: string, dot: Value) => string): Value {
  const str = (i: number) => toText(args[i]);
  const arity = (n: number) => {
    if (args.length !== n) throw new Error(`${at}: ${name} wants ${n} argument(s), got ${args.length}`);
  };
  switch (name) {
    // Go template built-ins
    case 'not':
      arity(1);
      return !truthy(args[0]);
    case 'eq':
      if (args.length < 2) throw new Error(`${at}: eq wants 2 or more arguments`);
      return args.slice(1).some((a) => a === args[0]);
    case 'ne':
      arity(2);
      return args[0] !== args[1];
    case 'lt':
      arity(2);
      return (args[0] as number) < (args[1] as number);
    case 'le':
      arity(2);
      return (args[0] as number) <= (args[1] as number);
    case 'gt':
      arity(2);
      return (args[0] as number) > (args[1] as number);
    case 'ge':
      arity(2);
      return (args[0] as number) >= (args[1] as number);
    case 'len':
      arity(1);
      return Array.isArray(args[0]) ? args[0].length : isDict(args[0]) ? Object.keys(args[0]).length : toText(args[0]).length;
    case 'index': {
      let v = args[0];
      for (const key of args.slice(1)) v = v === undefined || v === null ? undefined : (v as Dict)[key as string];
      return v;
    }
    case 'print':
      return args.map(toText).join('');
    case 'println':
      return `${args.map(toText).join(' ')}\n`;
    case 'printf':
      return sprintf(str(0), args.slice(1));
    // Helm
    case 'include':
      arity(2);
      return include(str(0), args[1]);
    case 'required':
      arity(2);
      if (args[1] === undefined || args[1] === null || args[1] === '') throw new Error(`execution error at (${at}): ${str(0)}`);
      return args[1];
    case 'fail':
      throw new Error(`execution error at (${at}): ${str(0)}`);
    case 'toYaml':
      arity(1);
      return goYaml(args[0]);
    case 'toJson':
      arity(1);
      return JSON.stringify(args[0] ?? null);
    case 'fromYaml':
      arity(1);
      return parse(str(0)) ?? {};
    case 'tpl':
      throw new Error(`${at}: tpl is not supported`);
    // Sprig
    case 'default':
      if (args.length === 1) return args[0];
      arity(2);
      return truthy(args[1]) ? args[1] : args[0];
    case 'empty':
      arity(1);
      return !truthy(args[0]);
    case 'coalesce':
      return args.find(truthy);
    case 'ternary':
      arity(3);
      return truthy(args[2]) ? args[0] : args[1];
    case 'quote':
      return args.map((a) => goQuote(toText(a))).join(' ');
    case 'squote':
      return args.map((a) => `'${toText(a)}'`).join(' ');
    case 'trunc': {
      arity(2);
      const n = args[0] as number;
      const s = str(1);
      return n >= 0 ? s.slice(0, n) : s.slice(n);
    }
    case 'trimSuffix':
      arity(2);
      return str(1).endsWith(str(0)) ? str(1).slice(0, str(1).length - str(0).length) : str(1);
    case 'trimPrefix':
      arity(2);
      return str(1).startsWith(str(0)) ? str(1).slice(str(0).length) : str(1);
    case 'trim':
      arity(1);
      return str(0).trim();
    case 'lower':
      arity(1);
      return str(0).toLowerCase();
    case 'upper':
      arity(1);
      return str(0).toUpperCase();
    case 'contains':
      arity(2);
      return str(1).includes(str(0));
    case 'hasPrefix':
      arity(2);
      return str(1).startsWith(str(0));
    case 'hasSuffix':
      arity(2);
      return str(1).endsWith(str(0));
    case 'replace':
      arity(3);
      return str(2).split(str(0)).join(str(1));
    case 'indent': {
      arity(2);
      const pad = ' '.repeat(args[0] as number);
      return str(1)
        .split('\n')
        .map((l) => pad + l)
        .join('\n');
    }
    case 'nindent': {
      arity(2);
      const pad = ' '.repeat(args[0] as number);
      return `\n${str(1)
        .split('\n')
        .map((l) => pad + l)
        .join('\n')}`;
    }
    case 'int':
      arity(1);
      return Math.trunc(Number(args[0] ?? 0));
    case 'toString':
      arity(1);
      return toText(args[0]);
    case 'sha256sum':
      arity(1);
      return createHash('sha256').update(str(0)).digest('hex');
    case 'b64enc':
      arity(1);
      return Buffer.from(str(0)).toString('base64');
    case 'dict': {
      if (args.length % 2) throw new Error(`${at}: dict wants key/value pairs`);
      const d: Dict = {};
      for (let i = 0; i < args.length; i += 2) d[toText(args[i])] = args[i + 1];
      return d;
    }
    case 'list':
      return [...args];
    case 'hasKey':
      arity(2);
      return isDict(args[0]) && Object.prototype.hasOwnProperty.call(args[0], str(1));
    case 'keys':
      return args.flatMap((a) => (isDict(a) ? Object.keys(a) : []));
    case 'sortAlpha':
      arity(1);
      return [...(args[0] as Value[])].map(toText).sort();
    case 'deepCopy':
      arity(1);
      return deepCopy(args[0]);
    case 'merge':
    case 'mergeOverwrite': {
      const [dst, ...srcs] = args;
      if (!isDict(dst)) throw new Error(`${at}: ${name} wants a dict first`);
      for (const src of srcs) if (isDict(src)) mergeInto(dst, src, name === 'mergeOverwrite');
      return dst;
    }
    case 'dig': {
      if (args.length < 3) throw new Error(`${at}: dig wants keys, a default and a dict`);
      const dict = args[args.length - 1];
      const fallback = args[args.length - 2];
      let v: Value = dict;
      for (const key of args.slice(0, -2)) {
        if (!isDict(v) || !(toText(key) in v)) return fallback;
        v = v[toText(key)];
      }
      return v;
    }
    default:
      throw new Error(`${at}: function "${name}" not defined (add it to packages/infra-check/src/helm-functions.ts)`);
  }
}
