/** The views of the AI Studio container, as contributed in package.json (checked by a unit test). */
export const ViewIds = {
  agents: 'aiStudio.agents',
  sessions: 'aiStudio.sessions',
  runs: 'aiStudio.runs',
  providers: 'aiStudio.providers',
} as const;

export const viewContainerId = 'aiStudio';
