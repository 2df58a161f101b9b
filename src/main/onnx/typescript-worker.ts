// Starting a worker thread on a TypeScript entry in plain Node. Node 20 ignores `--import tsx` in
// a Worker's execArgv (the hooks are not in place before the entry loads), so the worker starts
// from a tiny bootstrap that registers tsx's ESM loader and then imports the entry. A built
// (JavaScript) entry is started directly.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** file: URL of tsx's ESM API, from its package.json exports (no hard-coded layout). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const target = pkg.exports['./esm/api']?.import.default;
  if (!target) throw new Error(`${packageJsonPath}: no "./esm/api" export (tsx too old?)`);
  return pathToFileURL(join(dirname(packageJsonPath), target)).href;
}
