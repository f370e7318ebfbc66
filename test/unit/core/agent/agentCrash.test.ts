import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INTERRUPTED_RESULT } from '../../../../src/core/agent/toolRecovery';
import { chatRepositories } from '../../../../src/core/chat/chatRepositories';
import { ChatService } from '../../../../src/core/chat/chatService';
import type { ProviderAccess } from '../../../../src/core/chat/chatTypes';
import { openStudioStore } from '../../../../src/db/studioStore';
import { sqlJs, wasmPath, workerPath } from '../../db/support/engine';
import { silentLog } from '../chat/chatHarness';
import { openAgentWorkspaceAt } from './agentSupport';

/**
 * The window dies while an agent's command runs (the process is SIGKILLed): on the next start the step shows as
 * interrupted with its outcome unknown, the conversation is whole (the call has a result), and nothing runs again
 * by itself: no model call, no second run of the command.
 */
describe('agent loop: a window killed while a command runs', function () {
  this.timeout(60_000);
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ais-crash-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('marks the step interrupted, outcome unknown, and never runs it again', async () => {
    const storeDir = path.join(root, 'store');
    const worker = spawn(process.execPath, [path.join(__dirname, 'crashWorker.js'), storeDir, root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const sessionId = await new Promise<string>((resolve, reject) => {
      worker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /running (\S+)/.exec(output);
        if (match?.[1]) {
          resolve(match[1]);
        }
      });
      worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      worker.once('exit', () => reject(new Error(`the worker exited early:\n${output}`)));
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;
    // The command runs in its own process group, so it outlives the window (as a terminal's would); end it here.
    const commandPid = Number(readFileSync(path.join(root, 'ws', 'pid.txt'), 'utf8').trim());
    try {
      process.kill(-commandPid, 'SIGKILL');
    } catch {
      // Already gone.
    }

    const store = await openStudioStore({ dir: storeDir, SQL: await sqlJs(), wasmPath, workerPath, onError: () => undefined });
    try {
      const opened: string[] = [];
      const providers: ProviderAccess = { open: (id) => (opened.push(id), Promise.reject(new Error('no model call may happen'))) };
      const ws = openAgentWorkspaceAt(root);
      // A clock a minute ahead: the dead window's leases are stale at once, without waiting for them to expire.
      const clock = { now: () => Date.now() + 60_000 };
      const service = new ChatService({ store, clock, log: silentLog, providers, windowId: 'next-window', tools: ws.runtime });
      assert.ok((await service.markInterrupted()) >= 1);

      const repos = chatRepositories(store, clock);
      const head = repos.sessions.get(sessionId)?.headMessageId ?? '';
      const path_ = repos.messages.path(head);
      assert.deepEqual(path_.map((m) => `${m.role}:${m.status}`), ['user:complete', 'assistant:complete', 'tool:incomplete']);
      const tool = path_[2]!;
      const step = tool.content.find((p) => p.type === 'tool_step');
      const result = tool.content.find((p) => p.type === 'tool_result');
      assert.equal(step?.type === 'tool_step' && step.state, 'interrupted');
      assert.equal(result?.type === 'tool_result' && result.output, INTERRUPTED_RESULT);
      const failed = repos.events.list({ sessionId }).filter((e) => e.type === 'tool.call.failed');
      assert.equal(failed.length, 1);
      assert.equal((failed[0]?.payload as { outcomeUnknown?: boolean }).outcomeUnknown, true);
      const view = service.snapshot(sessionId).messages.find((m) => m.role === 'tool');
      assert.equal(view?.tools?.[0]?.state, 'interrupted');

      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(opened, [], 'no model was called after the restart');
      assert.equal(readFileSync(path.join(root, 'ws', 'count.txt'), 'utf8'), 'started\n', 'the command ran once');
      await service.shutdown();
    } finally {
      await store.close();
    }
  });
});
