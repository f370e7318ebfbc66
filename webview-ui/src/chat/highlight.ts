import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import plaintext from 'highlight.js/lib/languages/plaintext';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

/**
 * Syntax highlighting for code blocks. Only the core and a curated set of common languages are bundled (the full
 * highlight.js is ~1 MB); a fence in another language is shown escaped but plain. Auto-detection stays off: it
 * runs every grammar over the code, which is slow while streaming and often wrong on short snippets.
 */

const languages = {
  bash, c, cpp, csharp, css, diff, go, java, javascript, json, markdown, php, plaintext, python, ruby, rust, shell,
  sql, typescript, xml, yaml,
};
for (const [name, language] of Object.entries(languages)) {
  hljs.registerLanguage(name, language);
}

/** The first word of a fence's info string, as the block's label; bounded because it ends up in a class name. */
export function fenceLanguage(info: string): string | undefined {
  const name = info.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? '';
  return /^[\w+#.-]{1,40}$/.test(name) ? name : undefined;
}

/** Highlighted HTML (escaped text in `<span class="hljs-…">`), or undefined when the language is not bundled. */
export function highlight(code: string, language: string | undefined): string | undefined {
  if (language === undefined || !hljs.getLanguage(language)) {
    return undefined;
  }
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
