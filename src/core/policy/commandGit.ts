import { code, joinWords, type CommandAnalysis, type Words } from './commandText';

/**
 * git's global options stand between `git` and its subcommand, so `git --no-pager log` is matched as `git log`
 * and `git -C repo push` as `git push`. Some of them run code or read another repository's configuration
 * (`-c core.sshCommand=...`, `-c core.pager=...`, `--exec-path`, `-C`, `--git-dir`: a repository's config can name
 * an fsmonitor or pager command), so they always ask.
 */

/** Global options without a value that change nothing the policy cares about. */
const HARMLESS = new Set(['--no-pager', '-P', '-p', '--paginate', '--no-optional-locks', '--literal-pathspecs', '--glob-pathspecs',
  '--noglob-pathspecs', '--icase-pathspecs', '--no-replace-objects', '--no-lazy-fetch', '--no-advice', '--bare']);
/** Global options with a value (as the next word or after `=`) that change nothing the policy cares about. */
const HARMLESS_VALUE = new Set(['--namespace', '--super-prefix', '--attr-source']);
/** Global options with a value that make git run or read what the policy does not see. */
const RISKY_VALUE: Record<string, string> = {
  '-c': 'sets configuration, which can name a command to run',
  '--config-env': 'sets configuration, which can name a command to run',
  '-C': 'works in another repository, whose configuration can name commands to run',
  '--git-dir': 'works in another repository, whose configuration can name commands to run',
  '--work-tree': 'works on another tree',
  '--exec-path': 'runs git commands from another folder',
};

/** Subcommand options that run a command or write a file. */
const RISKY_SUB: { sub?: string; option: RegExp; why: string }[] = [
  { option: /^--output(-directory)?(=|$)/, why: 'writes a file' },
  { sub: 'format-patch', option: /^-o/, why: 'writes files' },
  { sub: 'grep', option: /^(-O|--open-files-in-pager)/, why: 'runs a command on the files it finds' },
  { option: /^--(upload-pack|receive-pack|exec)(=|$)/, why: 'runs a command' },
  { sub: 'clone', option: /^-u/, why: 'runs a command' },
  { sub: 'ls-remote', option: /^-u/, why: 'runs a command' },
  { sub: 'rebase', option: /^(-x|--exec)/, why: 'runs a command' },
];
const RUNS_COMMANDS: Record<string, string> = {
  'filter-branch': 'runs shell snippets',
  difftool: 'runs a diff tool',
  mergetool: 'runs a merge tool',
};

export function gitRisks(words: Words, result: CommandAnalysis): void {
  let i = 1;
  while (i < words.length) {
    const word = words[i];
    if (word === undefined) {
      result.asks.push(`${code(joinWords(words))} has a git option only known when it runs`);
      return;
    }
    if (!word.startsWith('-')) {
      break;
    }
    const eq = word.indexOf('=');
    const name = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word.startsWith('-c') && word.length > 2 ? '-c' : word;
    const attached = name !== word;
    if (HARMLESS.has(word)) {
      i++;
    } else if (HARMLESS_VALUE.has(name)) {
      i += attached ? 1 : 2;
    } else if (RISKY_VALUE[name] && !(name === '--exec-path' && !attached)) {
      result.asks.push(`${code(`git ${name}`)} ${RISKY_VALUE[name]}`);
      i += attached ? 1 : 2;
    } else {
      // --version, --help, --exec-path alone, or an option the policy does not know: match the words as written.
      return;
    }
  }
  const normalized = ['git', ...words.slice(i)];
  result.levels[result.levels.length - 1] = normalized;
  const sub = normalized[1];
  if (sub === undefined) {
    return;
  }
  if (RUNS_COMMANDS[sub]) {
    result.asks.push(`${code(`git ${sub}`)} ${RUNS_COMMANDS[sub]}`);
  }
  if ((sub === 'bisect' && normalized[2] === 'run') || (sub === 'submodule' && normalized.includes('foreach'))) {
    result.asks.push(`${code(joinWords(normalized.slice(0, 3)))} runs shell commands`);
  }
  if (normalized.slice(2).includes(undefined)) {
    result.asks.push(`${code(joinWords(normalized))} has a word only known when it runs, where an option that writes files or runs commands could be`);
  }
  for (const option of normalized.slice(2)) {
    const risky = option === undefined ? undefined : RISKY_SUB.find((r) => (r.sub === undefined || r.sub === sub) && r.option.test(option));
    if (risky) {
      result.asks.push(`${code(`git ${sub} ${option}`)} ${risky.why}`);
    }
  }
}
