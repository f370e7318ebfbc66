import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScriptStep } from '../../test/fakes/providers/fakeScripts';

/**
 * The benchmark's workspace and the model's part of the 50-step turn. The workspace is a TypeScript project of
 * PACKAGES x MODULES files (2,000), deterministic, ~2.5 KB each: the tools read, search, list and edit real files
 * through ripgrep and fs, as on a person's project. The script is what the model "decides": 50 steps of one call
 * each, all different (the loop guard pauses a turn that repeats a call 5 times), then a final answer.
 */

export const PACKAGES = 40;
export const MODULES = 50;
export const TOOL_STEPS = 50;

const WORDS = (
  'request handler returns the parsed value once every field has been checked and the cache entry is written ' +
  'so a later call finds it without asking the store again while the caller keeps its own copy of the options'
).split(' ');

const two = (n: number) => String(n).padStart(2, '0');
export const modulePath = (pkg: number, mod: number) => `src/pkg${two(pkg)}/mod${two(mod)}.ts`;
/** A line each module has once: what the edits replace. */
export const limitLine = (pkg: number, mod: number, value = pkg * 100 + mod) => `export const LIMIT_${two(pkg)}_${two(mod)} = ${value};`;

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function moduleText(pkg: number, mod: number, random: () => number): string {
  const id = `${two(pkg)}_${two(mod)}`;
  const sentence = () => Array.from({ length: 6 + Math.floor(random() * 8) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const lines = [
    `// Module pkg${two(pkg)}/mod${two(mod)}: request handling for the benchmark workspace.`,
    mod > 0 ? `import { handler_${two(pkg)}_${two(mod - 1)} } from './mod${two(mod - 1)}';` : `import { strict as assert } from 'node:assert';`,
    '',
    limitLine(pkg, mod),
    '',
    `export interface Options_${id} {`,
    '  retries: number;',
    '  timeoutMs: number;',
    '  label?: string;',
    '}',
    '',
  ];
  for (let f = 0; f < 4; f++) {
    lines.push(`/** ${sentence()}. */`);
    lines.push(`export function ${f === 0 ? `handler_${id}` : `step${f}_${id}`}(input: string, options: Options_${id}): string {`);
    for (let l = 0; l < 10 + Math.floor(random() * 6); l++) {
      lines.push(random() < 0.3 ? `  // ${sentence()}` : `  const v${l} = input.slice(${l}, ${l + 8}).padEnd(options.retries + ${l}, '${WORDS[l % WORDS.length]}');`);
    }
    lines.push(`  return input.length > LIMIT_${id} ? input.slice(0, LIMIT_${id}) : input;`);
    lines.push('}');
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the 2,000 files under `folder` (which must exist); returns how many and their total size in bytes. */
export function writeWorkspace(folder: string): { files: number; bytes: number } {
  const random = prng(12);
  let bytes = 0;
  let files = 0;
  for (let pkg = 0; pkg < PACKAGES; pkg++) {
    mkdirSync(path.join(folder, `src/pkg${two(pkg)}`), { recursive: true });
    for (let mod = 0; mod < MODULES; mod++) {
      const text = moduleText(pkg, mod, random);
      writeFileSync(path.join(folder, modulePath(pkg, mod)), text);
      bytes += text.length;
      files += 1;
    }
  }
  return { files, bytes };
}

/**
 * Ten rounds of: read a whole file, search, read part of another, list, edit a third. Searches and listings
 * vary from a few hits to the caps (200 matches, 1,000 files), so the history the model is sent every step grows
 * as in a real session.
 */
export function toolTurnScript(): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (let round = 0; steps.length < TOOL_STEPS; round++) {
    const pkg = round * 4;
    const mod = round * 5;
    const searches = [
      { query: `handler_${two(pkg)}_`, glob: '*.ts' },
      { query: `LIMIT_\\d+_${two(mod)} =`, isRegex: true },
      { query: 'cache entry is written', path: `src/pkg${two(pkg + 1)}` },
      { query: 'Request Handler', caseSensitive: false },
    ];
    const listings = [{ glob: `src/pkg${two(pkg)}/**/*.ts` }, { path: `src/pkg${two(pkg + 3)}` }, { glob: '**/*.ts' }, { glob: `mod${two(mod)}.ts` }];
    steps.push(
      { text: round === 0 ? 'Let me look at the code.' : '', toolCalls: [{ name: 'read_file', arguments: { path: modulePath(pkg, mod) } }] },
      { toolCalls: [{ name: 'search_text', arguments: searches[round % searches.length] }] },
      { toolCalls: [{ name: 'read_file', arguments: { path: modulePath(pkg + 1, mod + 1), startLine: 5, endLine: 40 } }] },
      { toolCalls: [{ name: 'list_files', arguments: listings[round % listings.length] }] },
      {
        toolCalls: [
          {
            name: 'replace_in_file',
            arguments: { path: modulePath(pkg + 2, mod + 2), oldText: limitLine(pkg + 2, mod + 2), newText: limitLine(pkg + 2, mod + 2, 7_000 + round) },
          },
        ],
      },
    );
  }
  steps.push({ text: `Done: ${TOOL_STEPS / 5} limits raised. Last result: {{lastToolResult}}` });
  return steps;
}

/** The files the script edits, with the line each should hold afterwards. */
export function expectedEdits(): { path: string; line: string }[] {
  return Array.from({ length: TOOL_STEPS / 5 }, (_, round) => ({
    path: modulePath(round * 4 + 2, round * 5 + 2),
    line: limitLine(round * 4 + 2, round * 5 + 2, 7_000 + round),
  }));
}
