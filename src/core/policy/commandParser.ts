import path from 'node:path';
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import { Walker, type ParsedLine } from './commandTree';

/**
 * Loads tree-sitter and its bash grammar (the wasm builds VS Code itself ships, from @vscode/tree-sitter-wasm)
 * once, lazily, and parses command lines with it.
 */

let loading: Promise<Parser> | undefined;

/**
 * Loads the parser once, on first use. The wasm files sit next to the bundle (dist/, copied there by esbuild.mjs)
 * or, in unit tests and a development checkout, in node_modules.
 */
export function loadShellParser(): Promise<Parser> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

function wasmFolders(): string[] {
  const folders: string[] = [];
  try {
    folders.push(path.dirname(require.resolve('@vscode/tree-sitter-wasm')));
  } catch {
    // Not installed beside us: the packaged extension, where the files sit next to the bundle.
  }
  folders.push(__dirname);
  return folders;
}

async function load(): Promise<Parser> {
  let lastError: unknown;
  for (const folder of wasmFolders()) {
    try {
      // The runtime would print its own errors and set process.exitCode on a failure; ours are reported instead.
      const options = { locateFile: (file: string) => path.join(folder, file), print: () => undefined, printErr: () => undefined, quit: (_: number, error: unknown) => { throw error; } };
      await Parser.init(options);
      const language = await Language.load(path.join(folder, 'tree-sitter-bash.wasm'));
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** Parsing and walking are bounded so that no line, however hostile, stalls the extension host for long. */
const PARSE_BUDGET_MS = 50;

/** Parses one command line; the parser must be loaded. Returns undefined when parsing took too long. */
export function parseLine(parser: Parser, line: string): ParsedLine | undefined {
  const started = performance.now();
  const tree = parser.parse(line, null, { progressCallback: () => performance.now() - started > PARSE_BUDGET_MS });
  if (!tree) {
    parser.reset();
    return undefined;
  }
  try {
    const walker = new Walker(line);
    walker.visit(tree.rootNode, { piped: false, depth: 0, arithmetic: false });
    return walker.line;
  } finally {
    tree.delete();
  }
}
