// Which ONNX Runtime execution provider to use: CUDA when onnxruntime-node can load its CUDA
// provider library and an NVIDIA GPU answers, else CPU. The reason is reported with the choice
// (system.info shows it).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type InferenceProvider = 'cpu' | 'cuda';

export interface ProviderDetection {
  chosen: InferenceProvider;
  available: InferenceProvider[];
  reason: string;
}

let cached: ProviderDetection | undefined;

export function detectInferenceProviders(refresh = false): ProviderDetection {
  if (!cached || refresh) cached = detect();
  return cached;
}

function detect(): ProviderDetection {
  const library = cudaProviderLibrary();
  if (!library) {
    return { chosen: 'cpu', available: ['cpu'], reason: 'onnxruntime-node has no CUDA provider library (libonnxruntime_providers_cuda.so is not installed beside libonnxruntime)' };
  }
  const gpu = nvidiaGpuName();
  if (!gpu) {
    return { chosen: 'cpu', available: ['cpu'], reason: `CUDA provider library found (${library}) but no NVIDIA GPU answered (nvidia-smi)` };
  }
  return { chosen: 'cuda', available: ['cuda', 'cpu'], reason: `CUDA provider library found and GPU "${gpu}" answered` };
}

function cudaProviderLibrary(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const packageDir = dirname(require.resolve('onnxruntime-node/package.json'));
    const binDir = join(packageDir, 'bin', 'napi-v6', process.platform, process.arch);
    const name = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    const path = join(binDir, name);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function nvidiaGpuName(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const name = out.split('\n')[0]?.trim();
    return name || undefined;
  } catch {
    return undefined;
  }
}

/** The provider to run with: an explicit request is honoured only when it is available. */
export function resolveProvider(requested?: InferenceProvider): { provider: InferenceProvider; reason: string } {
  const detection = detectInferenceProviders();
  if (!requested) return { provider: detection.chosen, reason: detection.reason };
  if (!detection.available.includes(requested)) {
    throw new Error(`execution provider "${requested}" is not available: ${detection.reason}`);
  }
  return { provider: requested, reason: `requested ${requested}` };
}
