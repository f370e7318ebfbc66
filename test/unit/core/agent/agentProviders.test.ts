import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChatService } from '../../../../src/core/chat/chatService';
import { chatRepositories } from '../../../../src/core/chat/chatRepositories';
import type { ProviderAccess } from '../../../../src/core/chat/chatTypes';
import { systemClock } from '../../../../src/core/ports';
import { FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { modelForScript, type ScriptStep } from '../../../fakes/providers/fakeScripts';
import { FIXTURES } from '../../llm/toolTurnFixtures';
import { openMemoryStore } from '../../db/support/memoryStore';
import { silentLog } from '../chat/chatHarness';
import { FIXED_CALC, openAgentWorkspace } from './agentSupport';

/**
 * The whole agent loop on every provider, through its real SDK: the turn's steps are stored (reasoning with its
 * signature, calls, results) and the next step's request is rebuilt from the store, so what is checked here is
 * the store round trip the adapters' own tests cannot see. The fakes refuse, as the real APIs do, a follow-up
 * whose thinking block or thought signature was lost, and a call sent back without its result.
 */
const SCRIPT: ScriptStep[] = [
  {
    reasoning: 'I should look at the code and the files around it.',
    toolCalls: [
      { name: 'read_file', arguments: { path: 'calc.js' } },
      { name: 'list_files', arguments: {} },
    ],
  },
  { reasoning: 'The sign is wrong.', toolCalls: [{ name: 'replace_in_file', arguments: { path: 'calc.js', oldText: 'a - b', newText: 'a + b' } }] },
  { text: 'Fixed: {{lastToolResult}}' },
];

describe('agent loop on every provider: a multi-step tool turn through the real SDKs, stored and resent', function () {
  this.timeout(30_000);
  for (const fixture of FIXTURES) {
    it(`${fixture.kind}: reads, lists, edits, answers; signatures survive the store`, async () => {
      const server = await FakeProviderServer.start(fixture.handler);
      const ws = openAgentWorkspace();
      try {
        server.scripts.set('providers', SCRIPT);
        const providers: ProviderAccess = {
          open: () =>
            Promise.resolve({
              adapter: fixture.adapter(server.origin),
              endpoint: { id: fixture.kind, kind: fixture.kind, label: fixture.kind, watchdogs: { firstByteMs: 3_000, idleMs: 3_000 } },
              priceOverrides: [],
            }),
        };
        const store = await openMemoryStore();
        const repos = chatRepositories(store, systemClock);
        const agent = await repos.agents.create({
          name: 'Everywhere',
          provider: fixture.kind,
          model: modelForScript('providers'),
          params: { thinking: true },
          tools: [
            { name: 'read_file', mode: 'auto' },
            { name: 'list_files', mode: 'auto' },
            { name: 'replace_in_file', mode: 'auto' },
          ],
        });
        const session = await repos.sessions.create({ agentId: agent.id });
        const service = new ChatService({ store, clock: systemClock, log: silentLog, providers, windowId: 'w', tools: ws.runtime });
        await service.send(session.id, { parentId: null, text: 'Fix calc.js.' });
        await service.whenIdle(session.id);

        const chain = repos.messages.path(repos.sessions.get(session.id)?.headMessageId ?? '');
        assert.deepEqual(
          chain.map((m) => `${m.role}:${m.status}`),
          ['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant'].map((role) => `${role}:complete`),
          JSON.stringify(chain.at(-1)?.error),
        );
        assert.equal(readFileSync(path.join(ws.folder, 'calc.js'), 'utf8'), FIXED_CALC);
        assert.match(JSON.stringify(chain.at(-1)?.content), /Fixed: Edited calc\.js/);
        if (fixture.kind === 'anthropic' || fixture.kind === 'gemini') {
          const signed = chain[1]?.content.filter((p) => (p.type === 'reasoning' || p.type === 'tool_call') && p.signature !== undefined);
          assert.ok(signed && signed.length > 0, 'the first step kept its signature in the store');
        }
        await service.shutdown();
      } finally {
        ws.cleanup();
        await server.close();
      }
    });
  }
});
