/**
 * A small renderer for the Helm chart in infra/helm, so the tests can check what the chart produces
 * without the helm binary. It implements the Go template language (actions, pipelines, variables,
 * if/else/with/range/define/include, whitespace trimming) and the Helm/Sprig functions the chart
 * uses. A function it does not know is an error, not a silent pass: add it here when the chart
 * starts using it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';

type Value = unknown;
type Dict = Record<string, Value>;

// ---------------------------------------------------------------------------------------------
// Lexing: text and {{ actions }}, with `{{- ` / ` -}}` trimming and comments.

type Token = { kind: 'text'; text: string } | { kind: 'action'; src: string; at: string };

function lex(source: string, name: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = open === -1 ? source.slice(i) : source.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open === -1) {
      if (text) tokens.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (/^-\s/.test(source.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) tokens.push({ kind: 'text', text });
    const line = source.slice(0, open).split('\n').length;
    const at = `${name}:${line}`;
    const body = source.slice(start).trimStart();
    let end: number;
    if (body.startsWith('/*')) {
      const commentEnd = source.indexOf('*/', start);
      if (commentEnd === -1) throw new Error(`${at}: unclosed comment`);
      end = source.indexOf('}}', commentEnd);
    } else {
      end = findClose(source, start, at);
    }
    if (end === -1) throw new Error(`${at}: unclosed action`);
    let src = source.slice(start, end);
    if (/\s-$/.test(src)) {
      src = src.slice(0, -1);
      trimNext = true;
    }
    src = src.trim();
    if (!src.startsWith('/*')) tokens.push({ kind: 'action', src, at });
    i = end + 2;
  }
  return tokens;
}

/** The `}}` closing an action, skipping string literals. */
function findClose(source: string, from: number, at: string): number {
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === '"' || c === '`') {
      const quote = c;
      i++;
      while (i < source.length && source[i] !== quote) i += source[i] === '\\' && quote === '"' ? 2 : 1;
      if (i >= source.length) throw new Error(`${at}: unclosed string`);
    } else if (c === '}' && source[i + 1] === '}') {
      return i;
    }
    i++;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Expressions: pipelines of commands of operands.

type Operand =
  | { t: 'lit'; v: Value }
  | { t: 'field'; base: 'dot' | 'root' | string; path: string[] }
  | { t: 'fn'; name: string }
  | { t: 'paren'; pipe: Pipeline; path: string[] };
type Command = Operand[];
interface Pipeline {
  decl?: { vars: string[]; assign: boolean };
  commands: Command[];
}

function tokenizeExpr(src: string, at: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      out.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === ')') {
      out.push(c);
      i++;
      // `(pipe).field`: a field chain glued to the parenthesis (with a space it is a new operand).
      const chain = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(src.slice(i));
      if (chain) {
        out.push(`@${chain[0]}`);
        i += chain[0].length;
      }
    } else if (c === '(' || c === '|' || c === ',') {
      out.push(c);
      i++;
    } else if (src.startsWith(':=', i)) {
      out.push(':=');
      i += 2;
    } else if (c === '=') {
      out.push('=');
      i++;
    } else {
      let j = i;
      while (j < src.length && !/[\s()|,]/.test(src[j]!) && !src.startsWith(':=', j)) j++;
      out.push(src.slice(i, j));
      if (j === i) throw new Error(`${at}: cannot read "${src}"`);
      i = j;
    }
  }
  return out;
}

function parsePipeline(src: string, at: string): Pipeline {
  const tokens = tokenizeExpr(src, at);
  let pos = 0;
  const pipeline: Pipeline = { commands: [] };
  // Declarations: `$x :=`, `$k, $v :=` (range), `$x =`.
  const declMatch = [];
  let k = 0;
  while (k < tokens.length && tokens[k]!.startsWith('$') && !tokens[k]!.includes('.')) {
    declMatch.push(tokens[k]!);
    k++;
    if (tokens[k] === ',') k++;
    else break;
  }
  if (declMatch.length && (tokens[k] === ':=' || tokens[k] === '=')) {
    pipeline.decl = { vars: declMatch, assign: tokens[k] === '=' };
    pos = k + 1;
  }
  const parseCommands = (stopAtParen: boolean): Command[] => {
    const commands: Command[] = [];
    let current: Command = [];
    while (pos < tokens.length) {
      const tok = tokens[pos]!;
      if (tok === ')') {
        if (!stopAtParen) throw new Error(`${at}: unexpected ")"`);
        break;
      }
      pos++;
      if (tok === '|') {
        if (!current.length) throw new Error(`${at}: empty command in pipeline`);
        commands.push(current);
        current = [];
      } else if (tok === '(') {
        const inner = parseCommands(true);
        if (tokens[pos] !== ')') throw new Error(`${at}: missing ")"`);
        pos++;
        let path: string[] = [];
        const next = tokens[pos];
        if (next?.startsWith('@.')) {
          path = next.slice(2).split('.');
          pos++;
        }
        current.push({ t: 'paren', pipe: { commands: inner }, path });
      } else {
        current.push(parseOperand(tok, at));
      }
    }
    if (current.length) commands.push(current);
    return commands;
  };
  pipeline.commands = parseCommands(false);
  if (pos < tokens.length) throw new Error(`${at}: unexpected "${tokens[pos]}"`);
  return pipeline;
}

function parseOperand(tok: string, at: string): Operand {
  if (tok.startsWith('"')) return { t: 'lit', v: JSON.parse(tok) };
  if (tok.startsWith('`')) return { t: 'lit', v: tok.slice(1, -1) };
  if (/^-?\d+$/.test(tok)) return { t: 'lit', v: Number(tok) };
  if (/^-?\d*\.\d+$/.test(tok)) return { t: 'lit', v: Number(tok) };
  if (tok === 'true' || tok === 'false') return { t: 'lit', v: tok === 'true' };
  if (tok === 'nil') return { t: 'lit', v: null };
  if (tok === '.') return { t: 'field', base: 'dot', path: [] };
  if (tok.startsWith('.')) return { t: 'field', base: 'dot', path: tok.slice(1).split('.') };
  if (tok.startsWith('$')) {
    const [name, ...path] = tok.split('.');
    return { t: 'field', base: name === '$' ? 'root' : name!, path };
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(tok)) return { t: 'fn', name: tok };
  throw new Error(`${at}: cannot read operand "${tok}"`);
}

// ---------------------------------------------------------------------------------------------
// Parsing the template into a tree.

type Node =
  | { k: 'text'; text: string }
  | { k: 'out'; pipe: Pipeline; at: string }
  | { k: 'if'; branches: { cond: Pipeline | undefined; body: Node[] }[]; at: string }
  | { k: 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[]; at: string }
  | { k: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[]; at: string }
  | { k: 'template'; name: string; pipe: Pipeline | undefined; at: string };

interface Parsed {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

function parseTemplate(source: string, name: string): Parsed {
  const tokens = lex(source, name);
  const defines = new Map<string, Node[]>();
  let pos = 0;
  const keyword = (src: string) => /^(if|else|end|with|range|define|template|block)\b/.exec(src)?.[1];

  // Parses nodes until `end` or `else` (returned to the caller).
  const parseList = (): { nodes: Node[]; stop?: { word: string; rest: string; at: string } } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++]!;
      if (tok.kind === 'text') {
        nodes.push({ k: 'text', text: tok.text });
        continue;
      }
      const word = keyword(tok.src);
      const rest = word ? tok.src.slice(word.length).trim() : tok.src;
      if (word === 'end' || word === 'else') return { nodes, stop: { word, rest, at: tok.at } };
      if (word === 'if') {
        const branches: { cond: Pipeline | undefined; body: Node[] }[] = [];
        let cond: Pipeline | undefined = parsePipeline(rest, tok.at);
        for (;;) {
          const { nodes: body, stop } = parseList();
          if (!stop) throw new Error(`${tok.at}: "if" without "end"`);
          branches.push({ cond, body });
          if (stop.word === 'end') break;
          if (stop.rest.startsWith('if ')) cond = parsePipeline(stop.rest.slice(3), stop.at);
          else if (!stop.rest) cond = undefined;
          else throw new Error(`${stop.at}: unsupported "else ${stop.rest}"`);
        }
        nodes.push({ k: 'if', branches, at: tok.at });
      } else if (word === 'with' || word === 'range') {
        const pipe = parsePipeline(rest, tok.at);
        const { nodes: body, stop } = parseList();
        if (!stop) throw new Error(`${tok.at}: "${word}" without "end"`);
        let otherwise: Node[] = [];
        if (stop.word === 'else') {
          if (stop.rest) throw new Error(`${stop.at}: unsupported "else ${stop.rest}" in ${word}`);
          const tail = parseList();
          if (tail.stop?.word !== 'end') throw new Error(`${tok.at}: "${word}" without "end"`);
          otherwise = tail.nodes;
        }
        nodes.push({ k: word, pipe, body, otherwise, at: tok.at });
      } else if (word === 'define') {
        const defName = JSON.parse(rest) as string;
        const { nodes: body, stop } = parseList();
        if (stop?.word !== 'end') throw new Error(`${tok.at}: "define" without "end"`);
        defines.set(defName, body);
      } else if (word === 'template') {
        const m = /^("(?:[^"\\]|\\.)*")\s*(.*)$/.exec(rest);
        if (!m) throw new Error(`${tok.at}: bad template action`);
        nodes.push({ k: 'template', name: JSON.parse(m[1]!) as string, pipe: m[2] ? parsePipeline(m[2], tok.at) : undefined, at: tok.at });
      } else if (word === 'block') {
        throw new Error(`${tok.at}: "block" is not supported`);
      } else {
        nodes.push({ k: 'out', pipe: parsePipeline(tok.src, tok.at), at: tok.at });
      }
    }
    return { nodes };
  };
  const { nodes, stop } = parseList();
  if (stop) throw new Error(`${stop.at}: unexpected "${stop.word}"`);
  return { nodes, defines };
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(private readonly parent?: Scope) {}
  get(name: string, at: string): Value {
    if (this.vars.has(name)) return this.vars.get(name);
    if (this.parent) return this.parent.get(name, at);
    throw new Error(`${at}: undefined variable ${name}`);
  }
  declare(name: string, value: Value) {
    this.vars.set(name, value);
  }
  assign(name: string, value: Value, at: string) {
    if (this.vars.has(name)) this.vars.set(name, value);
    else if (this.parent) this.parent.assign(name, value, at);
    else throw new Error(`${at}: undefined variable ${name}`);
  }
}

const isDict = (v: Value): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

export function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

function toText(v: Value): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(toText).join(' ')}]`;
  return `map[${Object.keys(v as Dict)
    .sort()
    .map((k) => `${k}:${toText((v as Dict)[k])}`)
    .join(' ')}]`;
}

function walk(base: Value, path: string[], at: string, what: string): Value {
  let v = base;
  for (const [i, key] of path.entries()) {
    if (v === undefined || v === null) throw new Error(`${at}: nil pointer evaluating ${what}.${path.slice(0, i + 1).join('.')}`);
    if (!isDict(v)) throw new Error(`${at}: can't evaluate field ${key} in ${typeof v}`);
    v = v[key];
  }
  return v;
}

function deepCopy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * Sprig merge (dst wins) and mergeOverwrite (src wins), deeply. Like mergo, an empty value (false, 0,
 * "", null) counts as unset on either side: `mergeOverwrite` does not reliably turn `true` into
 * `false`, so the chart reads booleans with `dig` instead, and this renderer keeps that trap.
 */
function mergeInto(dst: Dict, src: Dict, overwrite: boolean): Dict {
  for (const [key, value] of Object.entries(src)) {
    const existing = dst[key];
    if (isDict(existing) && isDict(value)) mergeInto(existing, value, overwrite);
    else if (!truthy(existing) || (overwrite && truthy(value))) dst[key] = deepCopy(value);
  }
  return dst;
}

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

export interface ChartContext {
  Values: Dict;
  Release: { Name: string; Namespace: string; Service: string; IsInstall: boolean; IsUpgrade: boolean; Revision: number };
  Chart: { Name: string; Version: string; AppVersion: string; [k: string]: Value };
  Capabilities: Dict;
  Template: { Name: string; BasePath: string };
}

class Renderer {
  private readonly defines = new Map<string, Node[]>();
  private readonly files = new Map<string, Parsed>();
  private depth = 0;

  constructor(files: Map<string, string>) {
    for (const [name, source] of files) {
      const parsed = parseTemplate(source, name);
      this.files.set(name, parsed);
      // Every file is also a named template: `include (print .Template.BasePath "/configmap.yaml") .`
      this.defines.set(name, parsed.nodes);
      for (const [defName, body] of parsed.defines) this.defines.set(defName, body);
    }
  }

  renderFile(name: string, top: ChartContext): string {
    const parsed = this.files.get(name);
    if (!parsed) throw new Error(`no template ${name}`);
    const ctx = { ...top, Template: { ...top.Template, Name: name } };
    const scope = new Scope();
    scope.declare('$', ctx);
    return this.exec(parsed.nodes, ctx, scope, ctx);
  }

  private exec(nodes: Node[], dot: Value, scope: Scope, top: ChartContext): string {
    let out = '';
    for (const node of nodes) {
      switch (node.k) {
        case 'text':
          out += node.text;
          break;
        case 'out': {
          const v = this.pipeline(node.pipe, dot, scope, top, node.at);
          // Helm prints a missing value as an empty string.
          if (!node.pipe.decl) out += toText(v);
          break;
        }
        case 'if': {
          const inner = new Scope(scope);
          for (const branch of node.branches) {
            if (!branch.cond || truthy(this.pipeline(branch.cond, dot, inner, top, node.at))) {
              out += this.exec(branch.body, dot, inner, top);
              break;
            }
          }
          break;
        }
        case 'with': {
          const inner = new Scope(scope);
          const v = this.pipeline(node.pipe, dot, inner, top, node.at);
          out += truthy(v) ? this.exec(node.body, v, inner, top) : this.exec(node.otherwise, dot, inner, top);
          break;
        }
        case 'range': {
          const decl = node.pipe.decl;
          const v = this.pipeline({ commands: node.pipe.commands }, dot, scope, top, node.at);
          const entries: [Value, Value][] = Array.isArray(v)
            ? v.map((item, i) => [i, item])
            : isDict(v)
              ? Object.keys(v)
                  .sort()
                  .map((key) => [key, v[key]])
              : v === undefined || v === null
                ? []
                : typeof v === 'number'
                  ? Array.from({ length: v }, (_, i) => [i, i])
                  : (() => {
                      throw new Error(`${node.at}: range can't iterate over ${toText(v)}`);
                    })();
          if (!entries.length) {
            out += this.exec(node.otherwise, dot, new Scope(scope), top);
            break;
          }
          for (const [key, item] of entries) {
            const inner = new Scope(scope);
            if (decl?.vars.length === 1) inner.declare(decl.vars[0]!, item);
            if (decl?.vars.length === 2) {
              inner.declare(decl.vars[0]!, key);
              inner.declare(decl.vars[1]!, item);
            }
            out += this.exec(node.body, item, inner, top);
          }
          break;
        }
        case 'template': {
          const v = node.pipe ? this.pipeline(node.pipe, dot, scope, top, node.at) : undefined;
          out += this.include(node.name, v, top, node.at);
          break;
        }
      }
    }
    return out;
  }

  private include(name: string, dot: Value, top: ChartContext, at: string): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`${at}: no template "${name}"`);
    if (++this.depth > 100) throw new Error(`${at}: include nested too deep`);
    try {
      const scope = new Scope();
      scope.declare('$', dot);
      return this.exec(body, dot, scope, top);
    } finally {
      this.depth--;
    }
  }

  private pipeline(pipe: Pipeline, dot: Value, scope: Scope, top: ChartContext, at: string): Value {
    let value: Value;
    let first = true;
    for (const command of pipe.commands) {
      value = this.command(command, dot, scope, top, at, first ? [] : [value]);
      first = false;
    }
    if (pipe.decl) {
      if (pipe.decl.vars.length !== 1) throw new Error(`${at}: only range declares two variables`);
      const name = pipe.decl.vars[0]!;
      if (pipe.decl.assign) scope.assign(name, value, at);
      else scope.declare(name, value);
    }
    return value;
  }

  private operand(op: Operand, dot: Value, scope: Scope, top: ChartContext, at: string): Value {
    switch (op.t) {
      case 'lit':
        return op.v;
      case 'field': {
        const base = op.base === 'dot' ? dot : op.base === 'root' ? scope.get('$', at) : scope.get(op.base, at);
        return walk(base, op.path, at, op.base === 'dot' ? '' : op.base);
      }
      case 'paren':
        return walk(this.pipeline(op.pipe, dot, scope, top, at), op.path, at, '(…)');
      case 'fn':
        return this.call(op.name, [], top, at);
    }
  }

  private command(command: Command, dot: Value, scope: Scope, top: ChartContext, at: string, piped: Value[]): Value {
    const [head, ...rest] = command;
    if (head!.t === 'fn') {
      const name = head!.name;
      // and/or evaluate lazily, like Go templates.
      if (name === 'and' || name === 'or') {
        const operands = [...rest.map((op) => () => this.operand(op, dot, scope, top, at)), ...piped.map((p) => () => p)];
        let last: Value;
        for (const get of operands) {
          last = get();
          if (name === 'and' ? !truthy(last) : truthy(last)) return last;
        }
        return last;
      }
      const args = [...rest.map((op) => this.operand(op, dot, scope, top, at)), ...piped];
      return this.call(name, args, top, at);
    }
    if (rest.length || piped.length) throw new Error(`${at}: can't give arguments to a non-function`);
    return this.operand(head!, dot, scope, top, at);
  }

  private call(name: string, args: Value[], top: ChartContext, at: string): Value {
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
        return this.include(str(0), args[1], top, at);
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
        throw new Error(`${at}: function "${name}" not defined (add it to packages/infra-check/src/helm.ts)`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The chart.

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Merged over values.yaml, like `--values` / `--set`. */
  values?: Dict;
}

export interface RenderedChart {
  /** Rendered text per template file (templates/NOTES.txt included). */
  files: Map<string, string>;
  /** Every manifest, in file order. */
  manifests: Dict[];
  values: Dict;
}

function overlay(base: Dict, over: Dict): Dict {
  const out = deepCopy(base);
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    if (isDict(existing) && isDict(value)) out[key] = overlay(existing, value);
    else out[key] = deepCopy(value);
  }
  return out;
}

/** `helm template <release> <chartDir> --namespace <ns> --values <values>` for this chart. */
export function renderChart(chartDir: string, options: RenderOptions = {}): RenderedChart {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Dict;
  const defaults = (parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Dict;
  const values = overlay(defaults, options.values ?? {});
  const templatesDir = join(chartDir, 'templates');
  const sources = new Map<string, string>();
  for (const file of readdirSync(templatesDir).sort()) {
    sources.set(`${chart.name as string}/templates/${file}`, readFileSync(join(templatesDir, file), 'utf8'));
  }
  const renderer = new Renderer(sources);
  const top: ChartContext = {
    Values: values,
    Release: { Name: options.releaseName ?? 'release-name', Namespace: options.namespace ?? 'default', Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { ...chart, Name: chart.name as string, Version: chart.version as string, AppVersion: String(chart.appVersion ?? '') },
    Capabilities: { KubeVersion: { Version: 'v1.30.0', Major: '1', Minor: '30' }, APIVersions: [] },
    Template: { Name: '', BasePath: `${chart.name as string}/templates` },
  };
  const files = new Map<string, string>();
  const manifests: Dict[] = [];
  for (const name of sources.keys()) {
    const base = name.split('/').pop()!;
    if (base.startsWith('_')) continue;
    const text = renderer.renderFile(name, top);
    files.set(name, text);
    if (!/\.ya?ml$/.test(base)) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${name}: rendered YAML is invalid: ${doc.errors[0]!.message}\n${text}`);
      const obj = doc.toJS() as Value;
      if (obj === null || obj === undefined) continue;
      if (!isDict(obj)) throw new Error(`${name}: a rendered document is not a mapping`);
      manifests.push(obj);
    }
  }
  return { files, manifests, values };
}
