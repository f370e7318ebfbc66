import path from 'node:path';
import * as vscode from 'vscode';
import type { ToolRuntime } from '../core/agent/toolRuntime';
import { parseRule } from '../core/policy/commandPolicy';
import type { CommandRule, CommandRules } from '../core/policy/policyTypes';
import type { Logger } from '../core/ports';
import { builtinTools } from '../core/tools/builtinTools';
import type { BlobStore } from '../db/blobs';
import { createHttpFetcher } from '../node/httpFetcher';
import { createOutputStore } from '../node/outputStore';
import { createProcessCommandPort } from '../node/processRunner';
import { configSection } from './config';
import { createDiffViews, type DiffViews } from './tools/diffViews';
import { createTerminalCommandPort } from './tools/terminalCommands';
import { createVscodeWorkspace } from './tools/vscodeWorkspace';

/**
 * What agents act with in this window: the built-in tools over the editor's workspace (open documents, undo,
 * diagnostics, ripgrep from VS Code itself), commands in an "AI Studio" terminal through shell integration (a
 * child process where there is none), the guarded fetcher, and blobs beside the store. The person's own rules
 * (allowed hosts, command rules) are read from USER settings only: a folder's .vscode/settings.json must not be
 * able to widen what an agent may do in it.
 */
export interface WindowTools extends vscode.Disposable {
  runtime: ToolRuntime;
  diffs: DiffViews;
}

export function createWindowTools(options: { log: Logger; blobs: BlobStore; globalStoragePath: string; tempDir: string }): WindowTools {
  const { log } = options;
  const workspace = createVscodeWorkspace({ log });
  const fallback = createProcessCommandPort();
  const commands = createTerminalCommandPort({ log, fallback });
  const diffs = createDiffViews();
  const allowedHosts = () => userStrings('tools.fetch.allowedHosts');
  const runtime: ToolRuntime = {
    tools: builtinTools({ fetchAllowedHosts: allowedHosts }),
    workspace,
    commands: {
      run: (request, signal, onOutput) => (userSetting<string>('tools.commands.runIn') === 'process' ? fallback : commands).run(request, signal, onOutput),
    },
    fetcher: createHttpFetcher(),
    outputs: createOutputStore(options.blobs, options.tempDir),
    blobs: options.blobs,
    pathExtras: () => ({
      // AI Studio's own data and the user's settings file (…/User/globalStorage/<ext> -> …/User/settings.json).
      extraProtected: [options.globalStoragePath, path.resolve(options.globalStoragePath, '..', '..', 'settings.json')],
      ...(process.env.HOME ? { home: process.env.HOME } : {}),
      platform: process.platform === 'win32' ? 'win32' : 'posix',
    }),
    globalCommandRules: (): CommandRules => ({ allow: rules('tools.commands.allow'), deny: rules('tools.commands.deny') }),
    parseRule,
  };
  return {
    runtime,
    diffs,
    dispose: () => {
      commands.dispose();
      diffs.dispose();
      workspace.dispose();
    },
  };

  function rules(key: string): CommandRule[] {
    return userStrings(key).flatMap((text) => {
      const rule = parseRule(text);
      if (rule === undefined) {
        log.warn(`Ignoring the command rule "${text}" in aiStudio.${key}: it is not a rule (one command per rule, words only).`);
      }
      return rule ? [rule] : [];
    });
  }
}

/** A user (global) setting or its default, never a workspace's. */
function userSetting<T>(key: string): T | undefined {
  const inspected = vscode.workspace.getConfiguration(configSection).inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

function userStrings(key: string): string[] {
  const value = userSetting<unknown>(key);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '') : [];
}
