/** Evaluating a parsed template tree against the chart context. */
import { callFunction } from './helm-functions.js';
import { type Command, type Dict, type Node, type Operand, type Parsed, type Pipeline, type Value, parseTemplate } from './helm-parse.js';
import { isDict, toText, truthy, walk } from './helm-values.js';

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

export interface ChartContext {
  Values: Dict;
  Release: { Name: string; Namespace: string; Service: string; IsInstall: boolean; IsUpgrade: boolean; Revision: number };
  Chart: { Name: string; Version: string; AppVersion: string; [k: string]: Value };
  Capabilities: Dict;
  Template: { Name: string; BasePath: string };
}


export class Renderer {
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
    return callFunction(name, args, at, (included, dot) => this.include(included, dot, top, at));
  }
}
