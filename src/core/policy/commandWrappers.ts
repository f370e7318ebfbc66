import { scanOptions, type OptionSpec } from './commandOptions';
import { commandRisks } from './commandRisks';
import { code, commandKey, joinWords, type CommandAnalysis, type Words } from './commandText';

interface Wrapper {
  spec: OptionSpec;
  /** Why running a command through it always asks. */
  ask?: string;
  /** Operands of its own before the command (timeout's duration). */
  operands?: number;
}

/** Commands that run the command in their arguments; judged by what they run. */
const WRAPPERS: Record<string, Wrapper> = {
  command: { spec: { flags: 'pvV' } },
  builtin: { spec: {} },
  busybox: { spec: {} },
  nohup: { spec: {} },
  noglob: { spec: {} },
  nocorrect: { spec: {} },
  time: { spec: { flags: 'pvqa', values: 'fo', longValues: ['format', 'output'], longFlags: ['portability', 'verbose', 'quiet', 'append'] } },
  nice: { spec: { values: 'n', longValues: ['adjustment'], numeric: true } },
  timeout: { spec: { flags: 'v', values: 'sk', longValues: ['signal', 'kill-after'], longFlags: ['foreground', 'preserve-status', 'verbose'] }, operands: 1 },
  stdbuf: { spec: { values: 'ioe', longValues: ['input', 'output', 'error'] } },
  ionice: { spec: { flags: 't', values: 'cnp', longValues: ['class', 'classdata', 'pid'], longFlags: ['ignore'] } },
  setsid: { spec: { flags: 'cfw', longFlags: ['ctty', 'fork', 'wait'] } },
  exec: { spec: { flags: 'cl', values: 'a' }, ask: 'replaces the shell of this terminal' },
  coproc: { spec: {}, ask: 'starts a co-process that keeps running' },
  sudo: {
    spec: {
      flags: 'AbEHiKklnPSsVv',
      values: 'ugCDhprtUTR',
      longValues: ['user', 'group', 'close-from', 'chdir', 'host', 'prompt', 'role', 'type', 'other-user', 'command-timeout', 'chroot'],
      longFlags: ['askpass', 'background', 'preserve-env', 'set-home', 'login', 'non-interactive', 'preserve-groups', 'stdin', 'shell'],
    },
    ask: 'runs it as another user',
  },
  doas: { spec: { flags: 'nsL', values: 'uC' }, ask: 'runs it as another user' },
  xargs: {
    spec: {
      flags: '0oprtx',
      values: 'adEILnPs',
      longValues: ['arg-file', 'delimiter', 'eof', 'replace', 'max-lines', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
      longFlags: ['null', 'no-run-if-empty', 'interactive', 'verbose', 'exit', 'open-tty'],
    },
    ask: 'runs commands built from its input',
  },
};

const ENV_SPEC: OptionSpec = {
  flags: 'i0v',
  values: 'uCSP',
  longValues: ['unset', 'chdir', 'split-string'],
  longFlags: ['ignore-environment', 'null', 'debug'],
};

/**
 * Unwraps wrappers (`command`, `builtin`, `env`, `nice`, `timeout`, `sudo`, `xargs`, ...) down to the command that
 * finally runs, and collects what makes any level ask: a shell, inline code, `find -exec`, `git -c`, ...
 */
export function analyzeCommand(words: Words, pipedInto: boolean, heredoc: string | undefined, texts: readonly string[] = []): CommandAnalysis {
  const result: CommandAnalysis = { levels: [], innerLines: [], alsoRuns: [], asks: [] };
  let current = words;
  for (let guard = 0; guard < 16 && current.length > 0; guard++) {
    result.levels.push(current);
    const name = current[0];
    if (name === undefined) {
      result.asks.push(`the command name ${code(texts[words.length - current.length])} is only known when it runs`);
      return result;
    }
    if (/[^\x20-\x7e]/.test(name)) {
      result.asks.push(`the command name ${code(name)} has characters outside ASCII, which can pass for other letters`);
    }
    const key = commandKey(name);
    const next = key === 'env' ? unwrapEnv(current, result) : unwrap(key, current, result);
    if (next === undefined) {
      commandRisks(key, current, { pipedInto: pipedInto && result.levels.length === 1, heredoc }, result);
      return result;
    }
    if (next.length === 0) {
      return result;
    }
    current = next;
  }
  if (current.length > 0) {
    result.asks.push(`${code(joinWords(words))} wraps too many commands to follow`);
  }
  return result;
}

/** The wrapped command; undefined when `key` is no wrapper; empty when it wraps nothing or cannot be followed. */
function unwrap(key: string, words: Words, result: CommandAnalysis): Words | undefined {
  const wrapper = WRAPPERS[key];
  if (!wrapper) {
    return undefined;
  }
  const scan = scanOptions(words, 1, wrapper.spec);
  if (scan.unknown !== undefined) {
    result.asks.push(`the policy cannot tell which command ${code(words[0])} runs (${code(scan.unknown)})`);
    return [];
  }
  const has = (...names: string[]): boolean => scan.options.some((o) => names.includes(o.name));
  if (key === 'command' && has('-v', '-V')) {
    // `command -v git` looks a name up; it runs nothing.
    return [];
  }
  if (key === 'time' && has('-o', '--output')) {
    result.asks.push(`${code(joinWords(words))} writes its report to a file`);
  }
  if (key === 'ionice' && has('-p', '--pid')) {
    return [];
  }
  const at = scan.operand + (wrapper.operands ?? 0);
  if (at >= words.length) {
    if (key === 'exec') {
      result.asks.push(`${code(joinWords(words))} changes where this terminal's own input and output go`);
      return [];
    }
    if (wrapper.ask) {
      result.asks.push(key === 'xargs' ? `${code(words[0])} ${wrapper.ask}` : `${code(joinWords(words))} may open a shell as another user`);
    }
    // `xargs` alone runs `echo`; `time`, `nohup` alone are commands of their own.
    return key === 'xargs' ? ['echo'] : wrapper.ask ? [] : undefined;
  }
  if (wrapper.ask) {
    result.asks.push(`${code(words[0])} ${wrapper.ask}`);
  }
  return words.slice(at);
}

function unwrapEnv(words: Words, result: CommandAnalysis): Words {
  const scan = scanOptions(words, 1, ENV_SPEC);
  if (scan.unknown !== undefined) {
    result.asks.push(`the policy cannot tell which command ${code(words[0])} runs (${code(scan.unknown)})`);
    return [];
  }
  for (const option of scan.options) {
    if (option.name === '-S' || option.name === '--split-string') {
      result.asks.push(`${code(`env ${option.name}`)} splits a string into a command`);
      if (option.value !== undefined) {
        result.innerLines.push(option.value);
      }
    } else if (option.name === '-P') {
      result.asks.push(`${code('env -P')} looks the command up in another PATH`);
    }
  }
  let at = scan.operand;
  while (at < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at] ?? '')) {
    result.asks.push(`${code(words[at])} sets a variable for the command, which can change what it runs`);
    at++;
  }
  if (at < words.length && words[at] === undefined) {
    result.asks.push(`${code(joinWords(words))} runs a command only known when it runs`);
    return [];
  }
  // `env` alone prints the environment.
  return words.slice(at);
}
