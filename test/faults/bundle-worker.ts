// The studio worker as one bundled ES module (with its worker-thread and subprocess entries beside
// it, as the Electron build lays them out), so that each of the suite's hundreds of restarts
// costs the studio's own start-up, not a TypeScript compile. NANOVLM_FAULTS_TSX=1 runs the
// sources through tsx instead.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function bundleWorker(): Promise<string> {
  const worker = join(ROOT, 'test/faults/studio-worker.ts');
  if (process.env.NANOVLM_FAULTS_TSX) return worker;
  const outdir = join(ROOT, 'test-results', 'fault-worker');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: {
      'studio-worker': worker,
      'trainer-process': join(ROOT, 'src/main/training/process/trainer-process.ts'),
      'database-check-worker': join(ROOT, 'src/main/data/database-check-worker.ts'),
      'export-worker': join(ROOT, 'src/main/onnx/export-worker.ts'),
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.js' },
    logLevel: 'warning',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return join(outdir, 'studio-worker.js');
}
