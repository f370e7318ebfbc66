// A subset of VS Code's Dark Modern and Light Modern colours, set on the harness page the way VS Code sets them
// on a webview (CSS variables on <html>, a theme class on <body>), so screenshots look like the real panel.

const common = {
  '--vscode-font-family': "system-ui, 'Ubuntu', 'Droid Sans', sans-serif",
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': "'Droid Sans Mono', 'monospace', monospace",
  '--vscode-editor-font-size': '13px',
};

export const THEMES = {
  dark: {
    ...common,
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-focusBorder': '#0078d4', '--vscode-panel-border': '#2b2b2b', '--vscode-widget-border': '#313131',
    '--vscode-editorWidget-background': '#202020', '--vscode-chat-requestBackground': '#262626', '--vscode-chat-requestBorder': '#ffffff1a',
    '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-textLink-activeForeground': '#4daafc', '--vscode-textBlockQuote-background': '#2b2b2b', '--vscode-textBlockQuote-border': '#616161',
    '--vscode-textCodeBlock-background': '#2b2b2b', '--vscode-toolbar-hoverBackground': '#5a5d5e50', '--vscode-icon-foreground': '#cccccc',
    '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
    '--vscode-input-placeholderForeground': '#989898', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#026ec1', '--vscode-button-border': '#ffffff12', '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c', '--vscode-errorForeground': '#f85149',
    '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100', '--vscode-editorWarning-foreground': '#cca700',
    '--vscode-symbolIcon-functionForeground': '#b180d7', '--vscode-symbolIcon-variableForeground': '#75beff', '--vscode-symbolIcon-classForeground': '#ee9d28',
    '--vscode-debugTokenExpression-string': '#ce9178', '--vscode-debugTokenExpression-number': '#b5cea8', '--vscode-debugTokenExpression-name': '#c586c0',
    '--vscode-debugTokenExpression-boolean': '#4e94ce', '--vscode-editorCursor-foreground': '#aeafad', '--vscode-widget-shadow': '#0000005c',
    '--vscode-settings-dropdownBackground': '#313131', '--vscode-settings-dropdownBorder': '#3c3c3c', '--vscode-settings-dropdownForeground': '#cccccc',
    '--vscode-settings-textInputBackground': '#313131', '--vscode-settings-textInputForeground': '#cccccc', '--vscode-settings-dropdownListBorder': '#454545',
    '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-activeSelectionForeground': '#ffffff', '--vscode-list-hoverBackground': '#2a2d2e',
  },
  light: {
    ...common,
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171',
    '--vscode-focusBorder': '#005fb8', '--vscode-panel-border': '#e5e5e5', '--vscode-widget-border': '#e5e5e5',
    '--vscode-editorWidget-background': '#f8f8f8', '--vscode-chat-requestBackground': '#f5f5f5', '--vscode-chat-requestBorder': '#0000001a',
    '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-textLink-activeForeground': '#005fb8', '--vscode-textBlockQuote-background': '#f8f8f8', '--vscode-textBlockQuote-border': '#e5e5e5',
    '--vscode-textCodeBlock-background': '#f3f3f3', '--vscode-toolbar-hoverBackground': '#b8b8b850', '--vscode-icon-foreground': '#3b3b3b',
    '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece',
    '--vscode-input-placeholderForeground': '#767676', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0258a8', '--vscode-button-border': '#0000001a', '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-errorForeground': '#f85149',
    '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-errorBorder': '#be1100', '--vscode-editorWarning-foreground': '#bf8803',
    '--vscode-symbolIcon-functionForeground': '#652d90', '--vscode-symbolIcon-variableForeground': '#007acc', '--vscode-symbolIcon-classForeground': '#d67e00',
    '--vscode-debugTokenExpression-string': '#a31515', '--vscode-debugTokenExpression-number': '#098658', '--vscode-debugTokenExpression-name': '#9b46b0',
    '--vscode-debugTokenExpression-boolean': '#0000ff', '--vscode-editorCursor-foreground': '#000000', '--vscode-widget-shadow': '#00000029',
    '--vscode-settings-dropdownBackground': '#ffffff', '--vscode-settings-dropdownBorder': '#cecece', '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-textInputBackground': '#ffffff', '--vscode-settings-textInputForeground': '#3b3b3b', '--vscode-settings-dropdownListBorder': '#c8c8c8',
    '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-list-activeSelectionForeground': '#000000', '--vscode-list-hoverBackground': '#f2f2f2',
  },
};
