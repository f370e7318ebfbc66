/** Shared by the command policy's files: the words rules are matched against, and how reasons quote a command. */

/** Shows a piece of a command line in a reason: on one line, and not too long. */
export function snippet(text: string, max = 60): string {
  const flat = text.replace(/\r?\n/g, '⏎').replace(/`/g, "'");
  return `\`${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}\``;
}

/** A simple command's words for rule matching: static values, `undefined` where a word is only known when it runs. */
export type Words = readonly (string | undefined)[];

export interface CommandAnalysis {
  /**
   * What rules are matched against, outermost first: `nice -n 5 rm x` is `nice -n 5 rm x`, then `rm x`. The deny
   * rules see every level; the allow rules only the last, the command that finally runs.
   */
  levels: Words[];
  /** Command lines it runs as well, to be parsed and judged: eval's text, `sh -c`'s script, a heredoc fed to a shell. */
  innerLines: string[];
  /** Commands it runs besides (`find -exec rm {} ;`, `xargs rm`): judged against the deny rules. */
  alsoRuns: Words[];
  /** Why it always asks. */
  asks: string[];
}

/** How a name is compared where it must not slip past a rule: `/bin/RM.exe` is `rm`. */
export function commandKey(name: string): string {
  return (name.slice(name.lastIndexOf('/') + 1) || name).toLowerCase().replace(/\.exe$/, '');
}

/** A piece of a command line in a reason; a word only known when it runs shows as `…`. */
export function code(text: string | undefined): string {
  return snippet(text ?? '…');
}

export function joinWords(words: Words): string {
  return words.map((w) => w ?? '…').join(' ');
}

