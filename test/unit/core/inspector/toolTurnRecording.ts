import type { StudioEvent } from '../../../../src/db/repositories/events';
import { FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { modelForScript, type ScriptStep } from '../../../fakes/providers/fakeScripts';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { defaultTools, nextPending, openAgentWorkspace, type AgentWorkspace } from '../agent/agentSupport';
import { openHarness, sleep, type Harness } from '../chat/chatHarness';

/**
 * A multi-step tool turn recorded by the REAL agent loop: the chat service on a sql.js store, the real OpenAI SDK
 * against the scripted loopback fake, the real tools on a temporary workspace. The model reads a file (auto),
 * edits it (asked; the person approves after a pause), runs the test (asked, approved after a shorter pause) and
 * answers: four model calls, three tool calls, two approval waits. Times come from the real clock, so waits and
 * runs are real durations. The command line carries a secret, as commands do.
 */

export const COMMAND_SECRET = 'hunter2-s3cr3t-0042';
export const EDIT_WAIT_MS = 150;
export const RUN_WAIT_MS = 60;
export const PRICE = { input: 1, output: 2 };

export const TOOL_TURN: ScriptStep[] = [
  { text: 'Let me look at the code.', toolCalls: [{ name: 'read_file', arguments: { path: 'calc.js' } }] },
  { toolCalls: [{ name: 'replace_in_file', arguments: { path: 'calc.js', oldText: 'a - b', newText: 'a + b' } }] },
  { toolCalls: [{ name: 'run_command', arguments: { command: `API_TOKEN=${COMMAND_SECRET} node test.js` } }] },
  { text: 'Fixed. The test says: {{lastToolResult}}' },
];

export interface RecordedToolTurn {
  server: FakeProviderServer;
  ws: AgentWorkspace;
  harness: Harness;
  model: string;
  events(): StudioEvent[];
  close(): Promise<void>;
}

/**
 * Runs the turn; `whileWaiting` is called while the edit waits for its approval (the loop is paused there, its
 * call recorded as requested), before the person approves it.
 */
export async function recordToolTurn(options: { whileWaiting?: (harness: Harness) => void | Promise<void> } = {}): Promise<RecordedToolTurn> {
  const server = await FakeProviderServer.start(openAiProtocol);
  const ws = openAgentWorkspace();
  const name = `inspector${Math.random().toString(36).slice(2)}`;
  server.scripts.set(name, TOOL_TURN);
  const model = modelForScript(name);
  const harness = await openHarness(server, { model, tools: ws.runtime, agentTools: defaultTools(), clock: { now: () => Date.now() } });
  harness.providers.priceOverrides = [{ model, ...PRICE }];
  const sessionId = harness.session.id;
  const close = async () => {
    await harness.service.shutdown();
    harness.store.close();
    ws.cleanup();
    await server.close();
  };
  try {
    await harness.service.send(sessionId, { parentId: null, text: 'Fix the failing test.' });
    const edit = await nextPending(harness, 'approval');
    await options.whileWaiting?.(harness);
    await sleep(EDIT_WAIT_MS);
    harness.service.decide(sessionId, edit.id, 'approve');
    const run = await nextPending(harness, 'approval');
    await sleep(RUN_WAIT_MS);
    harness.service.decide(sessionId, run.id, 'approve');
    await harness.service.whenIdle(sessionId);
  } catch (error) {
    await close();
    throw error;
  }
  return { server, ws, harness, model, events: () => harness.repos.events.list({ sessionId }), close };
}
