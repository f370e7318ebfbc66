/**
 * Just enough option parsing to find where a wrapper's own options end and the command it runs begins
 * (`timeout -s KILL 5 git status` runs `git status`). Words are static values, `undefined` where a word is only
 * known when it runs.
 */

export interface OptionSpec {
  /** Short options without a value, e.g. 'pv'. */
  flags?: string;
  /** Short options that take a value, attached (`-n5`) or as the next word (`-n 5`). */
  values?: string;
  /** Long options (without `--`) that take the next word as their value unless written `--name=value`. */
  longValues?: readonly string[];
  /** Long options without a value; any other long option is unknown. */
  longFlags?: readonly string[];
  /** A lone `-NUMBER` is an option (nice -5). */
  numeric?: boolean;
}

export interface OptionScan {
  /** Index of the first operand, or `words.length` when there is none. */
  operand: number;
  /** Options seen, as `-x` / `--name`, with their values. */
  options: { name: string; value?: string }[];
  /** An option this spec does not know, or a word only known when it runs, where an option could be. */
  unknown?: string;
}

export function scanOptions(words: readonly (string | undefined)[], start: number, spec: OptionSpec): OptionScan {
  const options: OptionScan['options'] = [];
  let i = start;
  while (i < words.length) {
    const word = words[i];
    if (word === undefined) {
      return { operand: i, options, unknown: '(a word only known when it runs)' };
    }
    if (word === '--') {
      return { operand: i + 1, options };
    }
    if (!word.startsWith('-') || word === '-') {
      return { operand: i, options };
    }
    if (word.startsWith('--')) {
      const [name, value] = splitLong(word.slice(2));
      if (value !== undefined) {
        options.push({ name: `--${name}`, value });
      } else if (spec.longValues?.includes(name)) {
        options.push({ name: `--${name}`, value: words[i + 1] ?? '' });
        i++;
      } else if (spec.longFlags?.includes(name)) {
        options.push({ name: `--${name}` });
      } else {
        return { operand: i, options, unknown: word };
      }
      i++;
      continue;
    }
    if (spec.numeric && /^-\d+$/.test(word)) {
      options.push({ name: word });
      i++;
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const c = word[j]!;
      if (spec.values?.includes(c)) {
        const attached = word.slice(j + 1);
        options.push({ name: `-${c}`, value: attached || (words[i + 1] ?? '') });
        if (!attached) {
          i++;
        }
        break;
      }
      if (!spec.flags?.includes(c)) {
        return { operand: i, options, unknown: word };
      }
      options.push({ name: `-${c}` });
    }
    i++;
  }
  return { operand: words.length, options };
}

function splitLong(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq === -1 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

/** True when a short-option cluster (`-lc`, `-ne`) or the word itself holds one of these letters. */
export function clusterHas(word: string | undefined, letters: string): boolean {
  if (word === undefined || !word.startsWith('-') || word.startsWith('--')) {
    return false;
  }
  return [...word.slice(1)].some((c) => letters.includes(c));
}
