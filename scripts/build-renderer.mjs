// Builds the renderer into out/renderer (what the web door serves), quietly.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function buildRenderer() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('building the renderer failed');
}
