/** Parsing Go templates: lexing text and {{ actions }}, pipelines of commands, and the node tree. */
export type Value = unknown;
export type Dict = Record<string, Value>;

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

export type Operand =
  | { t: 'lit'; v: Value }
  | { t: 'field'; base: 'dot' | 'root' | string; path: string[] }
  | { t: 'fn'; name: string }
  | { t: 'paren'; pipe: Pipeline; path: string[] };
export type Command = Operand[];
export interface Pipeline {
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

export type Node =
  | { k: 'text'; text: string }
  | { k: 'out'; pipe: Pipeline; at: string }
  | { k: 'if'; branches: { cond: Pipeline | undefined; body: Node[] }[]; at: string }
  | { k: 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[]; at: string }
  | { k: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[]; at: string }
  | { k: 'template'; name: string; pipe: Pipeline | undefined; at: string };

export interface Parsed {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

export function parseTemplate(source: string, name: string): Parsed {
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
