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
  createAgent: 'aiStudio.createAgent',
  editAgent: 'aiStudio.editAgent',
  duplicateAgent: 'aiStudio.duplicateAgent',
  archiveAgent: 'aiStudio.archiveAgent',
  unarchiveAgent: 'aiStudio.unarchiveAgent',
  deleteAgent: 'aiStudio.deleteAgent',
  showArchivedAgents: 'aiStudio.showArchivedAgents',
  hideArchivedAgents: 'aiStudio.hideArchivedAgents',
  newSession: 'aiStudio.newSession',
  newSessionWithAgent: 'aiStudio.newSessionWithAgent',
  openSession: 'aiStudio.openSession',
  renameSession: 'aiStudio.renameSession',
  deleteSession: 'aiStudio.deleteSession',
  pinSession: 'aiStudio.pinSession',
  unpinSession: 'aiStudio.unpinSession',
  filterSessions: 'aiStudio.filterSessions',
  clearSessionFilter: 'aiStudio.clearSessionFilter',
  searchSessions: 'aiStudio.searchSessions',
  exportSession: 'aiStudio.exportSession',
  exportSessionMarkdown: 'aiStudio.exportSessionMarkdown',
  importSession: 'aiStudio.importSession',
  showSpending: 'aiStudio.showSpending',
  openInspector: 'aiStudio.openInspector',
  exportTrace: 'aiStudio.exportTrace',
  importTrace: 'aiStudio.importTrace',
  setTraceCollectorHeaders: 'aiStudio.setTraceCollectorHeaders',
} as const;

export type CommandKey = keyof typeof CommandIds;
export type CommandId = (typeof CommandIds)[CommandKey];
