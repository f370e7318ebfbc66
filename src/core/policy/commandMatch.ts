import type { CommandRule } from './policyTypes';
import { commandKey, type Words } from './commandText';

/**
 * Rules match words, never a string prefix. The two kinds match differently on purpose, both in the safe
 * direction:
 * - an allow rule matches only the very words it names, from the first, in order: ["git", "status"] matches
 *   `git status -s`, not `/tmp/git status` nor `git $SUB`, and with `exact` not `git status -s` either;
 * - a deny rule matches more: the command name however it is spelled (`/bin/rm`, `RM`, `rm.exe`), options
 *   between its words (`git --no-pager push` for ["git", "push"]), and a word only known when it runs might be
 *   its word (`git $SUB` is 'maybe': it asks).
 */

export type DenyMatch = 'yes' | 'maybe' | 'no';

export function matchesAllow(rule: CommandRule, words: Words): boolean {
  if (rule.words.length === 0 || words.length < rule.words.length || (rule.exact && words.length !== rule.words.length)) {
    return false;
  }
  return rule.words.every((word, i) => words[i] === word);
}

export function matchesDeny(rule: CommandRule, words: Words): DenyMatch {
  const [first, ...rest] = rule.words;
  const name = words[0];
  if (first === undefined || name === undefined || commandKey(name) !== commandKey(first)) {
    return 'no';
  }
  let maybe = false;
  let i = 1;
  for (const wanted of rest) {
    let found = false;
    while (i < words.length) {
      const word = words[i++];
      if (word === wanted) {
        found = true;
        break;
      }
      if (word === undefined) {
        maybe = true;
        found = true;
        break;
      }
      if (!(word.startsWith('-') && !wanted.startsWith('-'))) {
        return 'no';
      }
    }
    if (!found) {
      return 'no';
    }
  }
  if (rule.exact && i < words.length) {
    if (!words.slice(i).some((w) => w === undefined)) {
      return 'no';
    }
    maybe = true;
  }
  return maybe ? 'maybe' : 'yes';
}
