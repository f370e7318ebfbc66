import * as assert from 'node:assert/strict';
import { loadShellParser } from '../../../../src/core/policy/commandParser';
import { formatRule, judgeCommand, parseRule } from '../../../../src/core/policy/commandPolicy';
import type { CommandJudgement, CommandRule } from '../../../../src/core/policy/policyTypes';
import { commandCorpus, defaultRules } from './commandCorpus';

function title(line: string): string {
  const shown = JSON.stringify(line);
  return shown.length > 70 ? `${shown.slice(0, 69)}…"` : shown;
}

describe('command policy corpus', () => {
  for (const c of commandCorpus) {
    it(`${title(c.line)} -> ${c.expect}: ${c.why}`, async () => {
      const judgement = await judgeCommand(c.line, c.rules ?? defaultRules);
      assert.equal(judgement.verdict, c.expect, `reason: ${judgement.reason}`);
      assert.ok(judgement.reason.length > 0);
    });
  }
});

const brief = (j: CommandJudgement): [string, string, string | undefined][] => j.subcommands.map((s) => [s.text, s.verdict, s.rule]);

describe('command policy', () => {
  it('splits a line into every simple command, inner ones included, each with its verdict and rule', async () => {
    const j = await judgeCommand('git status && echo $(rm -rf /) | cat; make', defaultRules);
    assert.deepEqual(brief(j), [
      ['git status', 'allow', 'git status'],
      ['echo $(rm -rf /)', 'allow', 'echo'],
      ['rm -rf /', 'deny', 'rm'],
      ['cat', 'allow', 'cat'],
      ['make', 'default', undefined],
    ]);
    assert.equal(j.verdict, 'deny');
    assert.equal(j.reason, '`rm -rf /` matches the deny rule `rm`');
  });

  it('gives each subcommand its unquoted words, and none when a word is only known at run time', async () => {
    const j = await judgeCommand(`'git' "status" -s; echo $HOME`, defaultRules);
    assert.deepEqual(j.subcommands[0]!.words, ['git', 'status', '-s']);
    assert.equal(j.subcommands[1]!.words, undefined);
    assert.equal(j.subcommands[1]!.verdict, 'allow');
  });

  it('lists redirect writes with quotes removed and says why it asks', async () => {
    const j = await judgeCommand(`git show > "~/.ssh/x" 2>&1 && ls >> 'out file.txt' > /dev/null`, defaultRules);
    assert.equal(j.verdict, 'ask');
    assert.deepEqual(j.redirectWrites, ['~/.ssh/x', 'out file.txt']);
    assert.equal(j.subcommands[0]!.reason, 'writes `~/.ssh/x` through a redirection');
    // tree-sitter hangs a trailing redirection on the whole list; bash gives it to the last command, and so does the policy.
    assert.deepEqual(brief(j)[1], ["ls >> 'out file.txt' > /dev/null", 'ask', undefined]);
    assert.match(j.reason, /writes `~\/\.ssh\/x` through a redirection; writes `out file\.txt` through a redirection/);
  });

  it('names what a wrapper runs in the reason', async () => {
    const j = await judgeCommand('nice -n 5 rm x', defaultRules);
    assert.equal(j.reason, '`nice -n 5 rm x` runs `rm x`, which matches the deny rule `rm`');
    const allowed = await judgeCommand('timeout 60 npm test', defaultRules);
    assert.equal(allowed.reason, '`timeout 60 npm test` runs `npm test`, which matches the allow rule `npm test`');
  });

  it('says why the constructs it cannot judge ask', async () => {
    const cases: [string, RegExp][] = [
      ['eval ls', /`eval` runs text as a command; it always asks/],
      ['echo ${x@P}', /`\$\{x@P\}` transforms a value/],
      ['X=1 ls', /sets `X=1` for the command/],
      ['cat x | sh', /`sh` runs the commands piped into it/],
      ['$cmd x', /the command name `\$cmd` is only known when it runs/],
      ['echo "open', /could not be parsed as shell syntax/],
    ];
    for (const [line, reason] of cases) {
      const j = await judgeCommand(line, defaultRules);
      assert.equal(j.verdict, 'ask', line);
      assert.match(j.reason, reason, line);
    }
  });

  it('judges the commands a heredoc feeds to a shell and lists them', async () => {
    const j = await judgeCommand('bash <<EOF\nls\ncurl evil.example\nEOF', defaultRules);
    assert.deepEqual(brief(j), [
      ['bash <<EOF', 'ask', undefined],
      ['ls', 'allow', 'ls'],
      ['curl evil.example', 'deny', 'curl'],
    ]);
  });

  it('says which deny rule a word only known at run time might turn into', async () => {
    const j = await judgeCommand('git $SUB', defaultRules);
    assert.equal(j.verdict, 'ask');
    assert.equal(j.subcommands[0]!.rule, 'git push');
    assert.match(j.reason, /may be `git push`, which a deny rule names/);
  });

  it('denies an empty line with a reason and no subcommands', async () => {
    const j = await judgeCommand('', defaultRules);
    assert.deepEqual(j, { verdict: 'deny', reason: 'the command line is empty', subcommands: [], redirectWrites: [] });
  });

  it('never throws, whatever the input', async () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', ' ', ';', '|', '&', '(', ')', '{', '}', '$', '`', '"', "'", '\\', '<', '>', '\n', '#', '!', '*', '=', '\u0000', '\u001b', 'é', '\u200b', 'rm', 'git', '<<', 'EOF', '$(', '${', '@P', '[[', ']]', '-c'];
    for (let i = 0; i < 300; i++) {
      const line = Array.from({ length: 1 + random(40) }, () => alphabet[random(alphabet.length)]).join('');
      const j = await judgeCommand(line, defaultRules);
      assert.ok(['allow', 'ask', 'deny', 'default'].includes(j.verdict), line);
      assert.ok(j.reason.length > 0, line);
    }
    const notAString = await judgeCommand(undefined as unknown as string, defaultRules);
    assert.equal(notAString.verdict, 'deny');
  });

  it('judges a typical line in well under 5 ms once loaded, with one parser for every call', async () => {
    const parsers = await Promise.all(Array.from({ length: 5 }, () => loadShellParser()));
    assert.ok(parsers.every((p) => p === parsers[0]));
    const line = 'git status && npm test 2>&1 | grep -v "^ok" > /dev/null; echo $(git diff --stat)';
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await judgeCommand(line, defaultRules);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const median = times[100]!;
    assert.ok(median < 5, `median ${median.toFixed(2)} ms`);
  });
});

describe('command rules as text', () => {
  it('formats rules as the words the person wrote, quoted where needed', () => {
    assert.equal(formatRule({ words: ['git', 'status'] }), 'git status');
    assert.equal(formatRule({ words: ['git', 'status'], exact: true }), 'git status (exact)');
    assert.equal(formatRule({ words: ['grep', 'a b'] }), "grep 'a b'");
    assert.equal(formatRule({ words: ['echo', "it's"] }), `echo "it's"`);
    assert.equal(formatRule({ words: ['echo', ''] }), "echo ''");
  });

  it('parses what it formats back into the same rule', () => {
    const rules: CommandRule[] = [
      { words: ['git', 'status'] },
      { words: ['git', 'status'], exact: true },
      { words: ['grep', 'a b', "it's", 'say "hi" \\ there', '(exact)', ''] },
      { words: ['npm', 'run', 'test:unit', '--', '--grep=x'] },
    ];
    for (const rule of rules) {
      assert.deepEqual(parseRule(formatRule(rule)), rule, formatRule(rule));
    }
  });

  it('parses quotes, escapes and the exact marker written by hand', () => {
    assert.deepEqual(parseRule('  git   status  '), { words: ['git', 'status'] });
    assert.deepEqual(parseRule(`'git' "st"atus (EXACT)`), { words: ['git', 'status'], exact: true });
    assert.deepEqual(parseRule('grep a\\ b'), { words: ['grep', 'a b'] });
  });

  it('rejects text that names no command or has an unclosed quote', () => {
    assert.equal(parseRule(''), undefined);
    assert.equal(parseRule('   '), undefined);
    assert.equal(parseRule('(exact)'), undefined);
    assert.equal(parseRule("git 'status"), undefined);
    assert.equal(parseRule('git "status'), undefined);
  });
});
