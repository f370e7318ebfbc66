import { existsSync } from 'node:fs';
import path from 'node:path';
import { chatRepositories } from '../../../../src/core/chat/chatRepositories';
import { ChatService } from '../../../../src/core/chat/chatService';
import { systemClock } from '../../../../src/core/ports';
import { openStudioStore } from '../../../../src/db/studioStore';
import { FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { modelForScript } from '../../../fakes/providers/fakeScripts';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { FakeProviders, silentLog } from '../chat/chatHarness';
import { sqlJs, wasmPath, workerPath } from '../../db/support/engine';
import { openAgentWorkspaceAt } from './agentSupport';

/**
 * A VS Code window that dies while an agent's command runs, as a child process of the crash test:
 *   node crashWorker.js STORE_DIR WORKSPACE_ROOT
 * It opens the real durable store, starts a turn whose first step runs a long command (mode auto, so nothing
 * waits), prints "running SESSION_ID" once the command has started, and then waits to be killed.
 */
export const CRASH_COMMAND = 'echo $$ | tee pid.txt; echo started | tee -a count.txt; sleep 100';

async function main(): Promise<void> {
  const [storeDir, root] = process.argv.slice(2);
  if (!storeDir || !root) {
    throw new Error('usage: crashWorker STORE_DIR WORKSPACE_ROOT');
  }
  const store = await openStudioStore({ dir: storeDir, SQL: await sqlJs(), wasmPath, workerPath, onError: () => undefined });
  const server = await FakeProviderServer.start(openAiProtocol);
  server.scripts.set('crash', [{ toolCalls: [{ name: 'run_command', arguments: { command: CRASH_COMMAND } }] }, { text: 'never reached' }]);
  const ws = openAgentWorkspaceAt(root);
  const repos = chatRepositories(store, systemClock);
  const agent = await repos.agents.create({
    name: 'Crasher',
    provider: 'fake-openai',
    model: modelForScript('crash'),
    tools: [{ name: 'run_command', mode: 'auto' }],
  });
  const session = await repos.sessions.create({ agentId: agent.id });
  const service = new ChatService({ store, clock: systemClock, log: silentLog, providers: new FakeProviders(server), windowId: 'window-that-dies', tools: ws.runtime });
  await service.send(session.id, { parentId: null, text: 'Run the long command.' });
  const started = path.join(ws.folder, 'count.txt');
  while (!existsSync(started)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(`running ${session.id}`);
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
