import { scanOptions } from './commandOptions';
import { code, type CommandAnalysis, type Words } from './commandText';

/**
 * sed can edit files in place (`-i`), write files (`w`, `s///w`) and run commands (GNU `e`, `s///e`), which a rule
 * allowing `sed` for reading did not mean to allow. Its script is read here just enough to find those commands.
 */
export function sedRisks(words: Words, result: CommandAnalysis): void {
  const name = code(words[0]);
  if (words.some((w) => w !== undefined && (/^-[^-]*i/.test(w) || w.startsWith('--in-place')))) {
    result.asks.push(`${name} ${code('-i')} edits files in place`);
    return;
  }
  const scan = scanOptions(words, 1, {
    flags: 'nrEsuzb',
    values: 'efl',
    longValues: ['expression', 'file', 'line-length'],
    longFlags: ['quiet', 'silent', 'regexp-extended', 'separate', 'unbuffered', 'null-data', 'posix', 'debug', 'sandbox', 'follow-symlinks', 'binary'],
  });
  if (scan.unknown !== undefined) {
    result.asks.push(`${name} has an option the policy does not know (${code(scan.unknown)})`);
    return;
  }
  if (scan.options.some((o) => o.name === '-f' || o.name === '--file')) {
    result.asks.push(`${name} reads its script from a file the policy cannot read here`);
    return;
  }
  if (scan.options.some((o) => o.name === '--sandbox')) {
    return; // GNU sed refuses e, w and r in the sandbox
  }
  const scripts = scan.options.filter((o) => o.name === '-e' || o.name === '--expression').map((o) => o.value);
  for (const script of scripts.length > 0 ? scripts : [words[scan.operand]]) {
    if (script === undefined || scriptActs(script)) {
      result.asks.push(`the sed script ${code(script)} can write files or run commands`);
      return;
    }
  }
}

/** Whether a sed script holds a command that writes a file or runs one; unknown commands count as such. */
function scriptActs(script: string): boolean {
  let i = 0;
  const n = script.length;
  const toLineEnd = (): void => {
    while (i < n && script[i] !== '\n') {
      i += script[i] === '\\' ? 2 : 1;
    }
  };
  /** Skips a delimited part (a regex or a replacement); false when it is not closed. */
  const part = (delimiter: string): boolean => {
    while (i < n && script[i] !== delimiter) {
      i += script[i] === '\\' ? 2 : 1;
    }
    i++;
    return i <= n;
  };
  while (i < n) {
    while (i < n && /[\s;]/.test(script[i]!)) {
      i++;
    }
    if (i >= n) {
      break;
    }
    // The address: line numbers, `$`, `/regex/`, `\cregexc`, ranges and steps.
    for (;;) {
      const c = script[i];
      if (c !== undefined && /[0-9$,~!+\s]/.test(c)) {
        i++;
      } else if (c === '/' || c === '\\') {
        const delimiter = c === '/' ? '/' : script[i + 1] ?? '';
        i += c === '/' ? 1 : 2;
        if (!part(delimiter)) {
          return true;
        }
        while (i < n && /[IM]/.test(script[i]!)) {
          i++;
        }
      } else {
        break;
      }
    }
    const command = script[i++];
    if (command === undefined) {
      return true;
    }
    if ('{}=dDgGhHnNpPxzF'.includes(command)) {
      continue;
    }
    if (command === 's' || command === 'y') {
      const delimiter = script[i++] ?? '';
      if (!part(delimiter) || !part(delimiter)) {
        return true;
      }
      const flags = /^[a-zA-Z0-9]*/.exec(script.slice(i))![0];
      if (command === 's' && /[ew]/.test(flags)) {
        return true;
      }
      i += flags.length;
    } else if ('aicrR#'.includes(command)) {
      toLineEnd();
    } else if (':btTvqQlL'.includes(command)) {
      while (i < n && script[i] !== ';' && script[i] !== '\n' && script[i] !== '}') {
        i++;
      }
    } else {
      return true; // e, w, W, or a command this reader does not know
    }
  }
  return false;
}
