// Which ONNX Runtime execution provider runs the graphs, and why. In order of preference:
//   cuda    onnxruntime-node's CUDA provider library is installed and an NVIDIA GPU answers;
//   webgpu  ONNX Runtime's WebGPU provider (Dawn: Vulkan on Linux, Metal on macOS, Direct3D 12 on
//           Windows), which ships inside onnxruntime-node, on a hardware adapter (gpu-adapters.ts);
//   cpu     always.
// A software adapter (lavapipe, SwiftShader) is never chosen by itself: it runs on the CPU, slower
// than the CPU provider. It is used when asked for: `--provider webgpu`, or NANOVLM_PROVIDER=webgpu
// (tests, the GPU check). system.info and the status bar show the choice, the adapter and the
// reasons the others were passed over.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { detectWebGpuAdapters, nvidiaSmiName, type GpuAdapter } from './gpu-adapters';

export const INFERENCE_PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type InferenceProvider = (typeof INFERENCE_PROVIDERS)[number];

/** The environment variable that names the provider when no option does. */
export const PROVIDER_ENV = 'NANOVLM_PROVIDER';

export interface ProviderCandidate {
  name: InferenceProvider;
  available: boolean;
  detail: string;
}

export interface ProviderDetection {
  chosen: InferenceProvider;
  available: InferenceProvider[];
  reason: string;
  /** every provider considered, preferred first */
  candidates: ProviderCandidate[];
  /** the adapter webgpu runs on (hardware before software), when there is one */
  webgpuAdapter?: GpuAdapter;
}

export interface ResolvedProvider {
  provider: InferenceProvider;
  /** named by an option or $NANOVLM_PROVIDER (never replaced by another), not chosen by detection */
  requested: boolean;
  reason: string;
  /** the device it runs on, for people: "NVIDIA H200", "lavapipe (…) — software adapter", "CPU" */
  device: string;
  /** webgpu only */
  adapter?: GpuAdapter;
}

let cached: ProviderDetection | undefined;
/** GPU providers that failed in this process (a lost device, a graph they could not load), and why */
const failed = new Map<InferenceProvider, string>();

export function detectInferenceProviders(refresh = false): ProviderDetection {
  if (!cached || refresh) cached = detect();
  return cached;
}

/**
 * A GPU provider failed (its device was lost, it ran out of memory, it could not load a graph):
 * detection passes it over for the rest of the process, saying why, so the next model loads on
 * the next provider (the CPU at the end). Asking for it by name still tries it.
 */
export function markProviderFailed(provider: InferenceProvider, why: string): void {
  if (provider === 'cpu') return;
  failed.set(provider, why);
  detectInferenceProviders(true);
}

/** Errors that say the GPU itself failed (Dawn, Vulkan, CUDA), not the request: the device is not trusted again. */
const DEVICE_FAILURE =
  /device (was |is )?lost|DeviceLost|VK_ERROR|out of memory|OutOfMemory|failed to allocate|allocation fail|cudaError|CUDA error|CUBLAS|CUDNN/i;

export function isDeviceFailure(err: unknown): boolean {
  return DEVICE_FAILURE.test(err instanceof Error ? err.message : String(err));
}

/** Forget the failures (tests). */
export function clearProviderFailures(): void {
  failed.clear();
  detectInferenceProviders(true);
}

function detect(): ProviderDetection {
  const cuda = withFailure('cuda', detectCuda());
  const webgpu = detectWebGpuAdapters();
  const adapter = failed.has('webgpu') ? undefined : webgpu.adapters[0];
  const webgpuDetail = adapter
    ? `${adapterLabel(adapter)}${adapter.software ? ': used only when asked (--provider webgpu)' : ''}`
    : failed.has('webgpu')
      ? `failed earlier in this session: ${failed.get('webgpu')}`
      : webgpu.notes.join('; ') || 'no WebGPU adapter found';
  const candidates: ProviderCandidate[] = [
    { name: 'cuda', available: cuda.ok, detail: cuda.detail },
    { name: 'webgpu', available: Boolean(adapter), detail: webgpuDetail },
    { name: 'cpu', available: true, detail: 'ONNX Runtime CPU provider (always present)' },
  ];
  const chosen: InferenceProvider = cuda.ok ? 'cuda' : adapter && !adapter.software ? 'webgpu' : 'cpu';
  const passedOver = candidates
    .slice(
      0,
      candidates.findIndex((c) => c.name === chosen),
    )
    .map((c) => `${c.name}: ${c.detail}`);
  const why = chosen === 'cuda' ? cuda.detail : chosen === 'webgpu' ? `WebGPU on ${adapterLabel(adapter!)}` : 'no GPU provider is usable';
  return {
    chosen,
    available: candidates.filter((c) => c.available).map((c) => c.name),
    reason: passedOver.length ? `${why}; passed over ${passedOver.join('; ')}` : why,
    candidates,
    ...(adapter ? { webgpuAdapter: adapter } : {}),
  };
}

function withFailure(provider: InferenceProvider, found: { ok: boolean; detail: string }): { ok: boolean; detail: string } {
  const why = failed.get(provider);
  return why ? { ok: false, detail: `failed earlier in this session: ${why}` } : found;
}

export function adapterLabel(adapter: GpuAdapter): string {
  return adapter.software ? `${adapter.name} — software adapter` : adapter.name;
}

function detectCuda(): { ok: boolean; detail: string } {
  const library = cudaProviderLibrary();
  if (!library)
    return { ok: false, detail: 'onnxruntime-node has no CUDA provider library (libonnxruntime_providers_cuda.so is not installed beside libonnxruntime)' };
  const gpu = nvidiaSmiName();
  if (!gpu) return { ok: false, detail: `CUDA provider library found (${library}) but no NVIDIA GPU answered (nvidia-smi)` };
  return { ok: true, detail: `CUDA provider library found and GPU "${gpu}" answered` };
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

/** A provider name from an option or the environment; a clear error names where it came from. */
export function parseProvider(value: string | undefined, source = '--provider'): InferenceProvider | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(INFERENCE_PROVIDERS as readonly string[]).includes(value)) throw new Error(`${source}: "${value}" is not one of ${INFERENCE_PROVIDERS.join(', ')}`);
  return value as InferenceProvider;
}

/**
 * The provider to run with: the one requested (else $NANOVLM_PROVIDER, else the detected choice),
 * honoured only when it is available.
 */
export function resolveProvider(requested?: InferenceProvider, env: NodeJS.ProcessEnv = process.env): ResolvedProvider {
  const detection = detectInferenceProviders();
  const asked = requested ?? parseProvider(env[PROVIDER_ENV], PROVIDER_ENV);
  const provider = asked ?? detection.chosen;
  if (asked && failed.has(asked)) return resolveFailedAgain(asked, requested !== undefined);
  if (asked && !detection.available.includes(asked)) {
    const detail = detection.candidates.find((c) => c.name === asked)?.detail ?? detection.reason;
    throw new Error(`execution provider "${asked}" is not available: ${detail}`);
  }
  const reason = asked ? `requested ${asked}${requested ? '' : ` (${PROVIDER_ENV})`}` : detection.reason;
  if (provider === 'webgpu') {
    const adapter = detection.webgpuAdapter!;
    return { provider, requested: Boolean(asked), reason, device: adapterLabel(adapter), adapter };
  }
  return { provider, requested: Boolean(asked), reason, device: provider === 'cuda' ? 'NVIDIA GPU (CUDA)' : 'CPU' };
}

/** A provider asked for by name after it failed: tried again (a device can come back), saying so. */
function resolveFailedAgain(provider: InferenceProvider, byOption: boolean): ResolvedProvider {
  const reason = `requested ${provider}${byOption ? '' : ` (${PROVIDER_ENV})`}, which failed earlier in this session (${failed.get(provider)})`;
  if (provider === 'webgpu') {
    const adapter = detectWebGpuAdapters().adapters[0];
    if (!adapter) throw new Error(`execution provider "webgpu" is not available: no WebGPU adapter found`);
    return { provider, requested: true, reason, device: adapterLabel(adapter), adapter };
  }
  return { provider, requested: true, reason, device: provider === 'cuda' ? 'NVIDIA GPU (CUDA)' : 'CPU' };
}

/**
 * Load something on the provider resolved for `requested`; when a GPU provider that detection
 * chose (not one asked for) fails to load it, that provider is marked failed and the load is
 * retried on the next choice (in the end the CPU), the reason saying what happened.
 */
export async function loadWithFallback<T>(requested: InferenceProvider | undefined, load: (resolved: ResolvedProvider) => Promise<T>): Promise<T> {
  const resolved = resolveProvider(requested);
  try {
    return await load(resolved);
  } catch (err) {
    if (resolved.requested || resolved.provider === 'cpu') throw err;
    const why = (err as Error).message;
    markProviderFailed(resolved.provider, why);
    const next = resolveProvider(requested);
    return load({ ...next, reason: `${resolved.provider} on ${resolved.device} failed (${why}); fell back to ${next.provider}: ${next.reason}` });
  }
}
