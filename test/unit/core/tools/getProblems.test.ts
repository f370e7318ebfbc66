import * as assert from 'node:assert/strict';
import path from 'node:path';
import { getProblemsTool } from '../../../../src/core/tools/getProblems';
import type { Diagnostic } from '../../../../src/core/tools/toolTypes';
import { toolWorld, type ToolWorld } from '../../node/toolFixture';

describe('get_problems', () => {
  let world: ToolWorld;
  let diagnostics: Diagnostic[];
  let asked: (string | undefined)[];
  beforeEach(() => {
    diagnostics = [];
    asked = [];
    // The editor's diagnostics, as the VS Code port reports them (the plain-Node workspace has none).
    world = toolWorld({
      workspace: (base) => ({
        ...base,
        problems: (file) => {
          asked.push(file);
          return Promise.resolve(file === undefined ? diagnostics : diagnostics.filter((d) => d.path === file));
        },
      }),
    });
  });
  afterEach(() => world.dispose());

  const problem = (file: string, line: number, severity: Diagnostic['severity'], message: string, extra: Partial<Diagnostic> = {}): Diagnostic => ({
    path: path.join(world.ws, file),
    line,
    column: 1,
    severity,
    message,
    ...extra,
  });

  it('groups the problems by file, errors first, with their source and code', async () => {
    diagnostics = [
      problem('src/b.ts', 3, 'warning', 'unused variable x', { source: 'eslint', code: 'no-unused-vars' }),
      problem('src/a.ts', 9, 'warning', 'deprecated'),
      problem('src/a.ts', 12, 'error', "Type 'string' is not\n  assignable to type 'number'.", { source: 'ts', code: '2322' }),
    ];
    const { plan, result } = await world.call(getProblemsTool, {});
    assert.deepEqual(plan.reads, [world.ws]);
    assert.equal(
      result.content,
      [
        '3 problems in the workspace (1 error):',
        'src/a.ts',
        "  12:1 error: Type 'string' is not assignable to type 'number'. (ts 2322)",
        '  9:1 warning: deprecated',
        'src/b.ts',
        '  3:1 warning: unused variable x (eslint no-unused-vars)',
      ].join('\n'),
    );
  });

  it('asks for one file, and says when there are none', async () => {
    diagnostics = [problem('src/a.ts', 1, 'error', 'bad')];
    const { plan, result } = await world.call(getProblemsTool, { path: 'src/b.ts' });
    assert.deepEqual(plan.reads, [world.file('src/b.ts')]);
    assert.deepEqual(asked, [world.file('src/b.ts')]);
    assert.equal(result.content, 'No problems reported in src/b.ts.');
  });

  it('caps the list and says how many more there are', async () => {
    diagnostics = Array.from({ length: 250 }, (_, i) => problem('big.ts', i + 1, 'error', `problem ${i + 1}`));
    const { result } = await world.call(getProblemsTool, {});
    const lines = result.content.split('\n');
    assert.equal(lines[0], '250 problems in the workspace (250 errors):');
    assert.equal(lines.filter((l) => l.startsWith('  ')).length, 200);
    assert.equal(lines[lines.length - 1], '[50 more not shown; ask for one file with path]');
    assert.equal(result.details?.truncated, true);
  });
});
