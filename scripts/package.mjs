// Builds the production bundles and packs them into .build/ai-studio.vsix, then prints its size and contents.
// Dependencies are bundled by esbuild, so vsce is told not to pack node_modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const vsixPath = path.join(root, '.build', 'ai-studio.vsix');

export function packageVsix({ quiet = false } = {}) {
  mkdirSync(path.dirname(vsixPath), { recursive: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // vsce runs `vscode:prepublish` (the production build) before packing.
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsixPath], {
    cwd: root,
    stdio: quiet ? 'pipe' : 'inherit',
  });
  const bytes = statSync(vsixPath).size;
  console.log(`vsix: ${path.relative(root, vsixPath)} ${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes)`);
  return { vsixPath, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  packageVsix();
}
