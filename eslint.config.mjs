// Lint rules, including the layer rules of ARCHITECTURE.md: the pure layers (core, db, llm, protocol) never
// import `vscode` at run time, protocol depends on nothing but zod, and the webview apps import only types
// from the extension's sources. A unit test proves a violation fails `npm run lint`.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const pureLayers = ['src/core/**/*.ts', 'src/db/**/*.ts', 'src/llm/**/*.ts', 'src/protocol/**/*.ts', 'src/node/**/*.ts'];
// src/core reaches files, processes and the network only through ports (src/node and src/vscode implement them),
// so the agent loop, the policies and the tools stay testable without touching the machine.
const noMachineAccess = ['fs', 'fs/promises', 'child_process', 'http', 'https', 'net', 'dns', 'tls', 'dgram'].flatMap((name) => [
  { name, message: 'src/core reaches the machine only through ports (src/core/tools/toolTypes.ts, src/core/ports.ts).' },
  { name: `node:${name}`, message: 'src/core reaches the machine only through ports (src/core/tools/toolTypes.ts, src/core/ports.ts).' },
]);
const noRuntimeVscode = {
  name: 'vscode',
  message: 'Pure layers must not use the vscode API at run time; take a port from src/core/ports.ts instead.',
  allowTypeImports: true,
};

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.vscode-test/', '.build/', '.test-results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: pureLayers,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [noRuntimeVscode] }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [noRuntimeVscode, ...noMachineAccess] }] },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [noRuntimeVscode],
          patterns: [{ regex: '^(?!zod$|\\./)', message: 'The protocol is shared with the webviews: it may import only zod and itself.' }],
        },
      ],
    },
  },
  {
    files: ['webview-ui/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Webviews run in a browser; talk to the host through the protocol.' }],
          patterns: [
            {
              group: ['**/src/*', '**/src/**'],
              allowTypeImports: true,
              message: 'Webviews may import only types from the extension sources (src/protocol).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['test/**/*.mjs'],
    languageOptions: { globals: { ...globals.mocha } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
