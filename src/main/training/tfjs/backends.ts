// Which TensorFlow.js backend trains: tfjs-node-gpu (when it loads and sees a CUDA GPU), then
// tfjs-node, then wasm (SIMD, with the kernels it lacks supplied), then the plain cpu backend.
// The native packages cannot be installed everywhere, so they are looked for at run time with
// a dynamic import that may fail.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TFJS_ENGINES, type TfjsEngineName, type TrainingEngineStatus } from '../../../shared/training';
import { registerSharedIdentityKernel } from './kernels/identity-kernel';
import { registerSegmentSumKernel } from './kernels/segment-sum-kernel';

const require = createRequire(import.meta.url);
const PREFERENCE = TFJS_ENGINES;
const PACKAGES: Record<TfjsEngineName, string | undefined> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: undefined,
};

export interface SelectedEngine {
  engine: TfjsEngineName;
  /** tf.getBackend() after selection: 'tensorflow', 'wasm' or 'cpu' */
  backend: string;
  reason: string;
  /** engines tried before this one, with why they were passed over */
  skipped: { engine: TfjsEngineName; why: string }[];
}

function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** tfjs-node(-gpu) keeps its compiled binding under lib/napi-vN/ once its install step has run. */
function nativeBindingPresent(dir: string): boolean {
  try {
    return readdirSync(join(dir, 'lib')).some((d) => d.startsWith('napi-v') && existsSync(join(dir, 'lib', d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

/** An NVIDIA driver is loaded (Linux); elsewhere unknown until tfjs-node-gpu is imported. */
function nvidiaDriverPresent(): boolean | undefined {
  if (process.platform !== 'linux') return undefined;
  return existsSync('/proc/driver/nvidia/version');
}

/**
 * What could train here, without loading anything heavy: for system.info. Never throws.
 * Native packages are only checked for presence (loading libtensorflow takes seconds).
 */
export function detectTrainingEngines(): TrainingEngineStatus[] {
  return PREFERENCE.map((engine) => {
    try {
      const pkg = PACKAGES[engine];
      if (!pkg) return { engine, available: true, detail: 'plain JavaScript, always available (slowest)' };
      const dir = packageDir(pkg);
      if (!dir) return { engine, available: false, detail: `${pkg} is not installed` };
      if (engine === 'wasm') {
        const ok = existsSync(join(dir, 'dist', 'tfjs-backend-wasm-simd.wasm'));
        return { engine, available: ok, detail: ok ? 'SIMD, single thread' : 'installed without its .wasm files' };
      }
      if (!nativeBindingPresent(dir))
        return { engine, available: false, detail: `${pkg} is installed without its native library (its install step did not download libtensorflow)` };
      if (engine === 'tfjs-node-gpu') {
        const driver = nvidiaDriverPresent();
        if (driver === false) return { engine, available: false, detail: 'installed, but no NVIDIA driver is loaded' };
        return { engine, available: true, detail: 'installed (CUDA use is confirmed when training starts)' };
      }
      return { engine, available: true, detail: 'installed' };
    } catch (err) {
      return { engine, available: false, detail: `detection failed: ${(err as Error).message}` };
    }
  });
}

async function tryNative(engine: 'tfjs-node-gpu' | 'tfjs-node'): Promise<string> {
  const pkg = PACKAGES[engine]!;
  // tfjs-node-gpu, loaded but without a GPU, still gives libtensorflow on the CPU.
  const loadedByGpuPackage = engine === 'tfjs-node' && tf.findBackendFactory('tensorflow') !== null;
  if (!loadedByGpuPackage) {
    if (!packageDir(pkg)) throw new Error(`${pkg} is not installed`);
    await import(/* @vite-ignore */ pkg);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not initialise`);
  if (engine === 'tfjs-node-gpu') {
    const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    if (!backend.isUsingGpuDevice) throw new Error('libtensorflow found no CUDA GPU');
    return 'CUDA GPU through libtensorflow';
  }
  return 'libtensorflow on the CPU (multithreaded)';
}

async function tryWasm(): Promise<string> {
  const dir = packageDir(PACKAGES.wasm!);
  if (!dir) throw new Error('@tensorflow/tfjs-backend-wasm is not installed');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(`${join(dir, 'dist')}/`);
  registerSegmentSumKernel('wasm');
  registerSharedIdentityKernel();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  return 'WebAssembly with SIMD (single thread in Node), missing gradient kernels supplied';
}

async function tryCpu(): Promise<string> {
  registerSegmentSumKernel('cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  return 'plain JavaScript backend (with a fast embedding-gradient kernel)';
}

const ATTEMPTS: Record<TfjsEngineName, () => Promise<string>> = {
  'tfjs-node-gpu': () => tryNative('tfjs-node-gpu'),
  'tfjs-node': () => tryNative('tfjs-node'),
  wasm: tryWasm,
  cpu: tryCpu,
};

/**
 * Initialise the best engine available (or exactly `only`). Quiets TF.js's console advice, which
 * would otherwise land in the output of CLI commands.
 */
export async function selectTrainingEngine(only?: TfjsEngineName): Promise<SelectedEngine> {
  tf.enableProdMode();
  const skipped: SelectedEngine['skipped'] = [];
  for (const engine of only ? [only] : PREFERENCE) {
    try {
      const reason = await ATTEMPTS[engine]();
      return { engine, backend: tf.getBackend(), reason, skipped };
    } catch (err) {
      skipped.push({ engine, why: (err as Error).message });
    }
  }
  throw new Error(`no TensorFlow.js engine could start: ${skipped.map((s) => `${s.engine}: ${s.why}`).join('; ')}`);
}
