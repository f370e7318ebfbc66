import { clusterHas, scanOptions } from './commandOptions';
import { gitRisks } from './commandGit';
import { sedRisks } from './commandSed';
import { code, joinWords, type CommandAnalysis, type Words } from './commandText';

/**
 * What makes one command (its wrappers already taken off) always ask, whatever the rules: it runs text as code
 * (`eval`, `bash -c`, `python -c`, a pipe into a shell), runs other commands (`find -exec`), changes the shell of
 * the terminal for later commands (`alias`, `trap`, `read`), or writes files through an option (`sed -i`).
 */

export interface RiskContext {
  pipedInto: boolean;
  heredoc: string | undefined;
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash', 'fish', 'csh', 'tcsh', 'pwsh', 'powershell', 'cmd', 'su', 'runuser']);
/** Shells whose `-c` script is bash-like enough to judge for deny rules too. */
const POSIX_SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash']);

/** Builtins whose effect outlives the command (later commands in this terminal behave differently), or that run text. */
const LATER = 'for later commands in this terminal';
const SHELL_STATE: Record<string, string> = {
  alias: `defines an alias ${LATER}`, unalias: `removes an alias ${LATER}`, bind: `changes key bindings ${LATER}`,
  complete: `changes completion ${LATER}`, compopt: `changes completion ${LATER}`, enable: `enables or loads builtins ${LATER}`,
  hash: `changes where commands are found ${LATER}`, set: `changes shell options ${LATER}`, shopt: `changes shell options ${LATER}`,
  setopt: `changes shell options ${LATER}`, unsetopt: `changes shell options ${LATER}`, emulate: `changes shell options ${LATER}`,
  trap: 'sets a trap, which runs its commands later in this terminal', read: `sets shell variables ${LATER}`,
  mapfile: `sets shell variables ${LATER} and can run a callback`, readarray: `sets shell variables ${LATER} and can run a callback`,
  getopts: `sets shell variables ${LATER}`, vared: `sets shell variables ${LATER}`, umask: `changes the mode of new files ${LATER}`,
  ulimit: `changes resource limits ${LATER}`, fc: 're-runs commands from the history', history: 'changes the history of this terminal',
  autoload: `loads functions ${LATER}`, zmodload: `loads shell modules ${LATER}`, functions: `changes functions ${LATER}`,
  bindkey: `changes key bindings ${LATER}`, zle: `changes the line editor ${LATER}`, sched: 'schedules commands to run later',
  disable: `disables builtins ${LATER}`, exit: "closes this terminal's shell", logout: "closes this terminal's shell",
  suspend: "suspends this terminal's shell", let: 'evaluates arithmetic, which can run text as a command',
  source: 'runs the commands in a file', '.': 'runs the commands in a file',
};

/** Of those, the ones that only print when given no arguments (`alias` lists the aliases). */
const PRINTS_ALONE = new Set(['alias', 'set', 'hash', 'shopt', 'trap', 'history', 'umask', 'ulimit', 'complete', 'functions', 'setopt', 'bindkey']);

/** Runs other programs in ways the policy does not follow. */
const RUNS_OTHERS = new Set(['strace', 'ltrace', 'valgrind', 'gdb', 'chroot', 'unshare', 'nsenter', 'systemd-run', 'at', 'batch',
  'crontab', 'script', 'parallel', 'flock', 'firejail', 'bwrap', 'proot', 'schroot', 'watch', 'expect', 'osascript']);

interface Interpreter {
  /** Short options whose presence means the program is on the command line (`-c`, `-e`, `-r`). */
  inline: string;
  longInline?: readonly string[];
  /** Short options that take a value, so the script is found after them. */
  values?: string;
  longValues?: readonly string[];
  /** Options that do something the policy will not wave through (`perl -i` edits files). */
  risky?: Record<string, string>;
  /** Short options that only print (version, help) and run no program. */
  info?: string;
  /** Long options that run no program from the command line or input (`node --test` finds its test files). */
  noCode?: readonly string[];
}

const PYTHON: Interpreter = { inline: 'c', values: 'WXm', longValues: ['check-hash-based-pycs'], info: 'Vh' };
const INTERPRETERS: Record<string, Interpreter> = {
  node: {
    inline: 'ep',
    longInline: ['eval', 'print'],
    values: 'rC',
    longValues: ['require', 'import', 'loader', 'experimental-loader', 'conditions', 'env-file', 'input-type', 'title'],
    info: 'vh',
    noCode: ['test', 'run', 'version', 'help', 'v8-options'],
  },
  bun: { inline: 'ep', longInline: ['eval', 'print'] },
  perl: { inline: 'eE', values: 'IDx', info: 'vh', risky: { i: 'edits files in place', M: 'loads a module named on the command line', m: 'loads a module named on the command line' } },
  ruby: { inline: 'e', values: 'IrCEFK', info: 'h', risky: { i: 'edits files in place' } },
  php: { inline: 'rRBEFa', values: 'cdzt', info: 'vhmi' },
  lua: { inline: 'ei', values: 'l', info: 'v' },
  luajit: { inline: 'eib', values: 'lj' },
  rscript: { inline: 'e' },
  r: { inline: 'e' },
  julia: { inline: 'eEi', longInline: ['eval', 'print'] },
  elixir: { inline: 'er', longInline: ['eval'] },
  tclsh: { inline: '' },
  wish: { inline: '' },
};
INTERPRETERS.nodejs = INTERPRETERS.node!;

function interpreterOf(key: string): Interpreter | undefined {
  return /^(python|pypy)[0-9.]*$/.test(key) ? PYTHON : INTERPRETERS[key];
}

export function commandRisks(key: string, words: Words, context: RiskContext, result: CommandAnalysis): void {
  const name = code(words[0]);
  const state = SHELL_STATE[key];
  if (key === 'eval') {
    result.asks.push(`${name} runs text as a command; it always asks`);
    result.innerLines.push(joinWords(words.slice(1)));
  } else if (state && !(words.length === 1 && PRINTS_ALONE.has(key))) {
    result.asks.push(`${name} ${state}`);
  } else if (key === 'printf' && words.length > 1 && (words[1] === undefined || words[1].startsWith('-v'))) {
    result.asks.push(`${code('printf -v')} sets a shell variable for later commands in this terminal`);
  } else if (SHELLS.has(key)) {
    shellRisks(key, words, context, result);
  } else if (interpreterOf(key)) {
    interpreterRisks(key, interpreterOf(key)!, words, context, result);
  } else if (key === 'deno') {
    if (words.length === 1 || words[1] === 'eval' || words[1] === 'repl' || clusterHas(words[1], 'e')) {
      result.asks.push(`${code(joinWords(words.slice(0, 2)))} runs code written on the command line or typed in; it always asks`);
    }
  } else if (/^[gmn]?awk$/.test(key)) {
    awkRisks(words, result);
  } else if (key === 'sed' || key === 'gsed') {
    sedRisks(words, result);
  } else if (key === 'find') {
    findRisks(words, result);
  } else if (key === 'git') {
    gitRisks(words, result);
  } else if (RUNS_OTHERS.has(key)) {
    result.asks.push(`${name} runs other commands the policy cannot follow`);
    if (key === 'watch' || key === 'script' || key === 'flock') {
      const inline = key === 'watch' ? words.filter((w, i) => i > 0 && !w?.startsWith('-')) : [];
      if (inline.length > 0) {
        result.innerLines.push(joinWords(inline));
      }
    }
  } else {
    optionRisks(key, words, result);
  }
}

function shellRisks(key: string, words: Words, context: RiskContext, result: CommandAnalysis): void {
  const name = code(words[0]);
  const script = words.findIndex((w, i) => i > 0 && (clusterHas(w, 'c') || w === '-Command' || w === '-command' || w === '/c' || w === '/C'));
  if (script > 0) {
    result.asks.push(`${name} runs the script written after ${code(words[script])}; it always asks`);
    const text = words[script + 1];
    if (text !== undefined && (POSIX_SHELLS.has(key) || key === 'su' || key === 'runuser')) {
      result.innerLines.push(text);
    }
  } else if (context.heredoc !== undefined || context.pipedInto) {
    result.asks.push(`${name} runs the commands ${context.heredoc !== undefined ? 'in the heredoc fed to it' : 'piped into it'}; it always asks`);
    if (context.heredoc !== undefined && POSIX_SHELLS.has(key)) {
      result.innerLines.push(context.heredoc);
    }
  } else {
    result.asks.push(`${name} runs a shell; it always asks`);
  }
}

function interpreterRisks(key: string, spec: Interpreter, words: Words, context: RiskContext, result: CommandAnalysis): void {
  const name = code(words[0]);
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === undefined) {
      result.asks.push(`${name} gets an option only known when it runs`);
      return;
    }
    if (!word.startsWith('-') || word === '-' || word === '--') {
      if (word === '-' || (word === '--' && i + 1 >= words.length)) {
        break;
      }
      return; // a script file, which the rules judge by its name
    }
    const long = word.startsWith('--') ? word.slice(2).split('=')[0]! : undefined;
    if (long !== undefined) {
      if (long === 'version' || long === 'help' || spec.noCode?.includes(long)) {
        return;
      }
      if (spec.longInline?.includes(long)) {
        result.asks.push(`${name} runs the code written after ${code(word)}; it always asks`);
        return;
      }
      const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : spec.longValues?.includes(long) ? words[++i] : undefined;
      if (value?.startsWith('data:')) {
        result.asks.push(`${name} loads code written on the command line (${code(`--${long}`)})`);
        return;
      }
      continue;
    }
    const letters = word.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const c = letters[j]!;
      if (j === 0 && letters.length === 1 && spec.info?.includes(c)) {
        return;
      }
      if (spec.inline.includes(c)) {
        result.asks.push(`${name} runs the code written after ${code(`-${c}`)}; it always asks`);
        return;
      }
      const risky = spec.risky?.[c];
      if (risky) {
        result.asks.push(`${name} ${code(`-${c}`)} ${risky}`);
        return;
      }
      if (spec.values?.includes(c)) {
        if (c === 'm' && spec === PYTHON) {
          return; // `python -m module`: the module is the program
        }
        if (j === letters.length - 1) {
          i++;
        }
        break;
      }
    }
  }
  if (key === 'bun') {
    return; // bun without a file prints its help; `bun run`, `bun test` name what they run
  }
  const source = context.heredoc !== undefined ? 'the heredoc fed to it' : context.pipedInto ? 'what is piped into it' : 'its input';
  result.asks.push(`${name} runs the code in ${source}; it always asks`);
}

function awkRisks(words: Words, result: CommandAnalysis): void {
  const scan = scanOptions(words, 1, { values: 'Fvfeil', longValues: ['field-separator', 'assign', 'file', 'source', 'include', 'load', 'exec'] });
  const fromFile = scan.options.find((o) => ['-f', '--file', '-i', '--include', '-l', '--load', '--exec'].includes(o.name));
  const sources = scan.options.filter((o) => o.name === '-e' || o.name === '--source').map((o) => o.value);
  if (scan.unknown !== undefined || fromFile) {
    result.asks.push(`${code(words[0])} runs an awk program the policy cannot read here`);
    return;
  }
  const program = sources.length > 0 ? sources : [words[scan.operand]];
  if (program.some((p) => p === undefined || /system|getline|[|>]|ENVIRON|PROCINFO/.test(p))) {
    result.asks.push(`the awk program of ${code(joinWords(words))} can run commands or write files`);
  }
}

function findRisks(words: Words, result: CommandAnalysis): void {
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === '-exec' || word === '-execdir' || word === '-ok' || word === '-okdir') {
      result.asks.push(`${code(`find ${word}`)} runs a command for each file it finds`);
      let end = i + 1;
      while (end < words.length && words[end] !== ';' && words[end] !== '+') {
        end++;
      }
      result.alsoRuns.push(words.slice(i + 1, end));
      i = end;
    } else if (word === '-delete') {
      result.asks.push(`${code('find -delete')} deletes the files it finds`);
    } else if (word !== undefined && /^-f(print0?|printf|ls)$/.test(word)) {
      result.asks.push(`${code(`find ${word}`)} writes a file`);
    } else if (word === undefined) {
      result.asks.push(`${code(joinWords(words))} has an expression only known when it runs`);
      return;
    }
  }
}

/** Options of common tools that run another command or write where the policy does not see it. */
const RISKY_OPTIONS: Record<string, RegExp> = {
  rg: /^--(pre|hostname-bin)(=|$)/,
  tar: /^(--(to-command|checkpoint-action|use-compress-program|rsh-command|info-script|new-volume-script)(=|$)|-[^-]*[IF])/,
  sort: /^--compress-program(=|$)/,
  rsync: /^(-e|--rsh(=|$)|--rsync-path(=|$))/,
  ssh: /^-[oF]/,
  scp: /^-[oFS]/,
  sftp: /^-[oFS]/,
  zip: /^(-TT|--unzip-command)/,
  man: /^(-P|--pager|-H|--html)/,
};

function optionRisks(key: string, words: Words, result: CommandAnalysis): void {
  const risky = RISKY_OPTIONS[key];
  if (risky && words.includes(undefined)) {
    // A glob or an expansion can bring in a word like `--pre=./x` (a file named so is enough).
    result.asks.push(`${code(joinWords(words))} has a word only known when it runs, where an option that runs a command could be`);
    return;
  }
  const option = risky ? words.find((w) => w !== undefined && risky.test(w)) : undefined;
  if (option !== undefined) {
    result.asks.push(`${code(`${words[0] ?? key} ${option}`)} can run another command`);
  }
}
