/**
 * Turns what a terminal writes (VS Code's OSC 633 shell-integration marks, colours, cursor moves, `\r\n`) into
 * the plain text the model is sent. Stateful because `execution.read()` cuts its chunks anywhere, also in the
 * middle of an escape sequence or between `\r` and `\n`: an unfinished sequence is held back until the next
 * chunk completes it (or `flush()` drops it).
 */
export interface TerminalTextCleaner {
  /** The clean text of this chunk, as far as it is complete. */
  push(chunk: string): string;
  /** What was held back, cleaned (at the end of the stream). */
  flush(): string;
}

const ESC = '\u001b';
const BEL = '\u0007';

export function createTerminalTextCleaner(): TerminalTextCleaner {
  let held = '';
  const clean = (text: string, final: boolean): string => {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === ESC) {
        const end = escapeEnd(text, i);
        if (end === undefined) {
          // Incomplete: keep it for the next chunk; at the end of the stream it is dropped.
          if (!final) {
            held = text.slice(i);
          }
          return out;
        }
        i = end;
        continue;
      }
      if (ch === '\r') {
        if (i + 1 >= text.length && !final) {
          held = '\r';
          return out;
        }
        // \r\n is a line end; a lone \r (a progress bar redrawing its line) becomes one too, so nothing is lost.
        out += '\n';
        i += text[i + 1] === '\n' ? 2 : 1;
        continue;
      }
      const code = ch.charCodeAt(0);
      // Other C0 controls (BEL, backspace, ...) and DEL mean nothing in plain text; \n and \t stay.
      if ((code < 0x20 && ch !== '\n' && ch !== '\t') || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
        i += 1;
        continue;
      }
      out += ch;
      i += 1;
    }
    return out;
  };
  return {
    push(chunk) {
      const text = held + chunk;
      held = '';
      return clean(text, false);
    },
    flush() {
      const text = held;
      held = '';
      return clean(text, true);
    },
  };
}

/** Where the escape sequence starting at `start` ends (exclusive), or undefined when the text stops first. */
function escapeEnd(text: string, start: number): number | undefined {
  const kind = text[start + 1];
  if (kind === undefined) {
    return undefined;
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^' || kind === 'X') {
    // OSC (633 marks, titles, hyperlinks), DCS, APC, PM, SOS: up to BEL or ST (ESC \).
    for (let i = start + 2; i < text.length; i++) {
      if (text[i] === BEL && kind === ']') {
        return i + 1;
      }
      if (text[i] === ESC) {
        if (i + 1 >= text.length) {
          return undefined;
        }
        return text[i + 1] === '\\' ? i + 2 : i; // an ESC that is not ST ends a broken string
      }
    }
    return undefined;
  }
  if (kind === '[') {
    // CSI: parameter and intermediate bytes, then one final byte in @..~.
    for (let i = start + 2; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x40 && code <= 0x7e) {
        return i + 1;
      }
      if (code < 0x20 || code > 0x3f) {
        return i; // not a valid CSI: drop what we have, keep the rest as text
      }
    }
    return undefined;
  }
  if (kind === '(' || kind === ')' || kind === '*' || kind === '+' || kind === '#' || kind === '%') {
    // Character set and line attribute selections take one more byte.
    return start + 2 < text.length ? start + 3 : undefined;
  }
  return start + 2; // ESC =, ESC >, ESC 7, ESC M, ...
}
