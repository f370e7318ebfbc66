import * as assert from 'node:assert/strict';
import { OutputCapture } from '../../../../src/core/tools/outputCapture';

describe('OutputCapture (head + tail of a command output)', () => {
  const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

  it('keeps a short output whole', () => {
    const capture = new OutputCapture({ headChars: 100, tailChars: 100 });
    capture.write('one\n');
    capture.write('two');
    assert.deepEqual(capture.finish(), {
      head: 'one\ntwo',
      tail: '',
      truncated: false,
      totalChars: 7,
      totalLines: 2,
      omittedChars: 0,
      omittedLines: 0,
      firstOmittedLine: 3,
    });
  });

  it('keeps the head and the tail at line boundaries and counts exactly what it left out', () => {
    const text = numbered(1_000);
    const capture = new OutputCapture({ headChars: 100, tailChars: 200 });
    for (let i = 0; i < text.length; i += 7) {
      capture.write(text.slice(i, i + 7));
    }
    const out = capture.finish();
    assert.equal(out.truncated, true);
    assert.ok(out.head.length <= 100 && out.head.endsWith('\n') && out.head.startsWith('line 1\n'));
    assert.ok(out.tail.length <= 200 && out.tail.endsWith('line 1000\n'));
    assert.ok(/^line \d+\n/.test(out.tail), 'the tail starts at a line start');
    const headLines = out.head.split('\n').length - 1;
    const tailLines = out.tail.split('\n').length - 1;
    assert.equal(out.totalLines, 1_000);
    assert.equal(out.firstOmittedLine, headLines + 1);
    assert.equal(out.omittedLines, 1_000 - headLines - tailLines);
    assert.equal(out.omittedChars, text.length - out.head.length - out.tail.length);
    // What was left out is exactly the lines between.
    const lines = text.split('\n');
    assert.equal(lines.slice(0, headLines).join('\n') + '\n', out.head);
    assert.equal(`line ${out.firstOmittedLine + out.omittedLines}\n`, out.tail.split('\n')[0] + '\n');
  });

  it('stays within its limits for a huge output and for one line without newlines', () => {
    const capture = new OutputCapture();
    const chunk = 'x'.repeat(65_536);
    for (let i = 0; i < 200; i++) {
      capture.write(chunk);
    }
    const out = capture.finish();
    assert.equal(out.totalChars, 200 * 65_536);
    assert.equal(out.head.length, 16_000);
    assert.equal(out.tail.length, 32_000);
    assert.equal(out.totalLines, 1);
    assert.equal(out.firstOmittedLine, 1);
  });
});
