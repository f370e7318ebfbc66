/* global document -- the callbacks passed to frame.waitForFunction run in the webview, not in Node */
// Steps a person takes in AI Studio that several workbench suites need: set an endpoint's key from the palette,
// make an agent in the agent editor, set a colour theme. Each waits on what the workbench or the panel shows,
// never on time alone. `actions` is workbenchActions(page) from ./workbench.mjs.

/** Sets the key of the openai-compatible endpoint `name` through "AI Studio: Set API Key", and clears the toast. */
export async function setApiKeyFromPalette(page, actions, { name, key }) {
  const { sidebar, runCommand, quickInputTitled } = actions;
  await runCommand('AI Studio: Set API Key');
  const picker = await quickInputTitled('AI Studio: Set API Key');
  await picker.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: `openai-compatible:${name}` }).first().waitFor();
  await page.keyboard.press('Enter');
  const keyBox = await quickInputTitled(`AI Studio: API key for ${name}`);
  await keyBox.fill(key);
  await page.keyboard.press('Enter');
  await sidebar().getByRole('treeitem', { name: new RegExp(`^${name}, default, key set`) }).waitFor();
  // The "key saved" toast sits over the bottom right of the editor area, where a panel's buttons can be.
  await page.locator('.notifications-toasts .notification-toast').first().waitFor();
  await runCommand('Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });
}

/**
 * Creates an agent in the agent editor (the default endpoint is filled in), optionally typing another model, and
 * closes the editor once the Agents view lists it. Resolves with the editor's tool modes as it showed them.
 */
export async function createAgentInEditor(actions, { name, model, defaultModel }) {
  const { sidebar, runCommand, webview } = actions;
  await runCommand('AI Studio: Create Agent');
  const editor = await webview('#agent-form');
  await editor.waitForFunction((expected) => document.querySelector('#field-model')?.value === expected, defaultModel);
  await editor.locator('#field-name input').fill(name);
  if (model !== undefined) {
    await editor.locator('#field-model').fill(model);
  }
  await editor.locator('#tool-list .mode-select').first().waitFor();
  // Each select is labelled "<Label> (<tool name>)" and holds off / ask / auto.
  const modes = Object.fromEntries(
    await editor.locator('#tool-list .mode-select').evaluateAll((selects) => selects.map((select) => [/\(([^()]+)\)$/.exec(select.getAttribute('label'))?.[1], select.value])),
  );
  await editor.locator('#save-agent').click();
  await sidebar().getByRole('treeitem', { name: new RegExp(`^${name}`) }).waitFor();
  await runCommand('View: Close All Editors');
  return modes;
}

/**
 * Switches between the preferred light and dark themes with "Preferences: Toggle between Light/Dark Themes" (which
 * writes workbench.colorTheme to the user settings) and resolves once `frame` (a webview) has been told: VS Code
 * sets vscode-light / vscode-dark on its body. (The palette's theme picker is no way to do this reliably: a
 * focused webview takes focus back as the palette closes, and the picker that opens next closes with it; and the
 * workbench does not notice settings.json being written from outside.)
 */
export async function toggleColorTheme(page, actions, frame, kind) {
  await actions.runCommand('Preferences: Toggle between Light/Dark Themes');
  await frame.waitForFunction((name) => document.body.classList.contains(name), `vscode-${kind}`);
  await page.locator(kind === 'dark' ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs').waitFor();
}
