/**
 * Every command AI Studio registers. A unit test checks this map against `contributes.commands` in
 * package.json, and an integration test checks it against what the running host actually registered.
 */
export const CommandIds = {
  showOverview: 'aiStudio.showOverview',
  showLog: 'aiStudio.showLog',
  openSettings: 'aiStudio.openSettings',
  ask: 'aiStudio.ask',
  setApiKey: 'aiStudio.setApiKey',
  removeApiKey: 'aiStudio.removeApiKey',
  testConnection: 'aiStudio.testConnection',
  openProviderSettings: 'aiStudio.openProviderSettings',
} as const;

export type CommandKey = keyof typeof CommandIds;
export type CommandId = (typeof CommandIds)[CommandKey];
