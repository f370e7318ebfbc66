import type { Node } from '@vscode/tree-sitter-wasm';

/**
 * The value of one shell word, as bash would see it before running the command: quotes and backslashes removed,
 * `$'...'` escapes decoded. A word whose value is only known at run time (an expansion, a substitution, a glob,
 * a brace expansion) has no `value`: it can never be taken for a rule's word.
 */
export interface ShellWord {
  /** As written. */
  text: string;
  /** Quotes and escapes removed, when nothing in the word expands when it runs. */
  value?: string;
}

export function wordOf(node: Node): ShellWord {
  const value = staticValue(node);
  return value === undefined ? { text: node.text } : { text: node.text, value };
}

function staticValue(node: Node): string | undefined {
  switch (node.type) {
    case 'word':
      return unquotedWord(node.text);
    case 'number':
      return node.namedChildCount === 0 ? node.text : undefined;
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'ansi_c_string':
      return decodeAnsiC(node.text.slice(2, -1));
    case 'string':
      return doubleQuoted(node);
    case 'concatenation':
      return concatenation(node);
    default:
      // Expansions, substitutions, arithmetic, `{1..3}`: known only when the command runs.
      return undefined;
  }
}

function concatenation(node: Node): string | undefined {
  let value = '';
  // The unquoted skeleton of the word, quoted parts replaced by a placeholder, for spotting brace expansion
  // split across parts (`{a,b}` parses as three words).
  let skeleton = '';
  for (const part of node.children) {
    if (!part) {
      return undefined;
    }
    const partValue = staticValue(part);
    if (partValue === undefined) {
      return undefined;
    }
    value += partValue;
    skeleton += part.type === 'word' ? part.text.replace(/\\./gs, '_') : '_';
  }
  return BRACE_EXPANSION.test(skeleton) ? undefined : value;
}

function doubleQuoted(node: Node): string | undefined {
  for (const child of node.namedChildren) {
    if (child?.type !== 'string_content') {
      return undefined;
    }
  }
  return node.text.slice(1, -1).replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

const BRACE_EXPANSION = /\{[^{}]*(?:,|\.\.)[^{}]*\}/;

/** An unquoted word: backslash escapes removed; undefined when it globs or brace-expands. */
function unquotedWord(text: string): string | undefined {
  const skeleton = text.replace(/\\./gs, '_');
  if (/[*?[]/.test(skeleton) || BRACE_EXPANSION.test(skeleton)) {
    return undefined;
  }
  return text.replace(/\\(.)/gs, (_, c: string) => (c === '\n' ? '' : c));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

/**
 * Decodes the inside of `$'...'` as bash does, so `$'\x72\x6d'` is `rm` for the deny rules. Bash cuts the string
 * at a NUL, and so does this.
 */
export function decodeAnsiC(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const next = body[i + 1]!;
    i++;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    let match: RegExpMatchArray | null;
    if ((match = /^[0-7]{1,3}/.exec(body.slice(i)))) {
      out += String.fromCharCode(parseInt(match[0], 8) & 0xff);
      i += match[0].length - 1;
    } else if (next === 'x' && (match = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1)))) {
      out += String.fromCharCode(parseInt(match[0], 16));
      i += match[0].length;
    } else if ((next === 'u' || next === 'U') && (match = new RegExp(`^[0-9a-fA-F]{1,${next === 'u' ? 4 : 8}}`).exec(body.slice(i + 1)))) {
      const code = parseInt(match[0], 16);
      out += code <= 0x10ffff ? String.fromCodePoint(code) : '';
      i += match[0].length;
    } else if (next === 'c' && i + 1 < body.length) {
      out += String.fromCharCode(body.charCodeAt(i + 1) & 0x1f);
      i++;
    } else {
      out += `\\${next}`;
    }
  }
  const nul = out.indexOf('\0');
  return nul === -1 ? out : out.slice(0, nul);
}
