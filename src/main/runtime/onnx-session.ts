// Creating ONNX Runtime sessions, the one place every session is made (chat's graphs and the
// trainer's): from a graph file (so that external data is found beside it) or from a graph's bytes
// (the trainer's graphs, whose weights are inputs), on the provider asked for.
//
// WebGPU: Dawn picks its adapter once per process, from the Vulkan drivers the loader shows it. So
// before the first WebGPU session the loader is pointed at the adapter providers.ts chose
// (VK_DRIVER_FILES, unless the user set it): what the studio reports is what runs. Outputs named in
// `outputsOnDevice` stay on the GPU (IO binding) and can be fed back as inputs of the next run.
import * as ort from 'onnxruntime-node';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GpuAdapter } from './gpu-adapters';
import { adapterLabel, detectInferenceProviders, type InferenceProvider } from './providers';

export interface SessionSettings {
  provider: InferenceProvider;
  /** intra-op threads; default: every core */
  threads?: number;
  /**
   * Let idle worker threads spin for a while after a run (lower latency for back-to-back runs).
   * Off for a session that runs once per request (vision), whose spinning would steal the cores
   * from the decoder that runs right after it.
   */
  spinning?: boolean;
  /**
   * Flush denormal floats to zero. For training graphs: AdamW's second moments and the squares of
   * small gradients fall below float32's normal range, where the CPU's arithmetic is ~100× slower
   * (measured: a 222M step's kernels 4.2 s → 1.9 s with random weights); values that small change nothing.
   */
  flushDenormals?: boolean;
  /**
   * Keep freed memory in ONNX Runtime's own arena for its next allocations (the default). Off for
   * training graphs: their activations (gigabytes at 222M) go back to the process's heap after each
   * run, where the Node binding's copies of the outputs and the next session reuse them; kept in the
   * arena, they stay out of reach until the session ends (measured at 222M, batch 4, every group
   * trained: peak 8.7 GiB with the arena, 6.9 without, at the same speed).
   */
  memoryArena?: boolean;
  /**
   * WebGPU: outputs returned as GPU tensors (location 'gpu-buffer') instead of being copied to the
   * host. onnxruntime-node 1.30 matches these locations to the position of an output among the
   * *fetched* ones, not among the graph's: such a session must be run fetching every output.
   */
  outputsOnDevice?: readonly string[];
  /** write the graph as ONNX Runtime optimised it to this file (a cache of optimised graphs; CPU only) */
  saveOptimizedAs?: string;
  /** the graph was saved optimised (saveOptimizedAs): load it without optimising again */
  alreadyOptimized?: boolean;
}

export async function createSession(
  graph: string | Uint8Array,
  settings: SessionSettings,
  name = typeof graph === 'string' ? graph : 'graph',
): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: executionProviders(settings.provider),
    graphOptimizationLevel: settings.alreadyOptimized ? 'disabled' : 'all',
    // (ORT warns that the file is for this CPU only: the cache's key names the CPU)
    ...(settings.saveOptimizedAs ? { optimizedModelFilePath: settings.saveOptimizedAs, logSeverityLevel: 3 as const } : {}),
    intraOpNumThreads: settings.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    ...(settings.memoryArena === false ? { enableCpuMemArena: false } : {}),
    extra: { session: { intra_op: { allow_spinning: settings.spinning === false ? '0' : '1' }, set_denormal_as_zero: settings.flushDenormals ? '1' : '0' } },
    // WebGPU: ORT warns on every load that shape arithmetic runs on the CPU (by design; see
    // README "GPUs" for what falls back)
    ...(settings.provider === 'webgpu' ? { logSeverityLevel: 3 as const } : {}),
    ...(settings.outputsOnDevice?.length
      ? { preferredOutputLocation: Object.fromEntries(settings.outputsOnDevice.map((o) => [o, 'gpu-buffer' as const])) }
      : {}),
  };
  if (settings.outputsOnDevice?.length && settings.provider !== 'webgpu')
    throw new Error(`${name}: outputs can stay on the device only with the webgpu provider (asked: ${settings.provider})`);
  if ((settings.saveOptimizedAs || settings.alreadyOptimized) && settings.provider !== 'cpu')
    throw new Error(`${name}: optimised graphs are saved for the CPU provider only (asked: ${settings.provider})`);
  const adapter = settings.provider === 'webgpu' ? prepareWebGpu() : undefined;
  try {
    return await (typeof graph === 'string' ? ort.InferenceSession.create(graph, options) : ort.InferenceSession.create(graph, options));
  } catch (err) {
    const where = adapter ? `the WebGPU provider on ${adapterLabel(adapter)}` : `the ${settings.provider} provider`;
    throw new Error(`${name}: ONNX Runtime could not load the graph on ${where} (${(err as Error).message})`);
  }
}

function executionProviders(provider: InferenceProvider): ort.InferenceSession.ExecutionProviderConfig[] {
  switch (provider) {
    case 'cuda':
      return ['cuda', 'cpu'];
    case 'webgpu':
      // operators WebGPU lacks (the attention mask's shape arithmetic) run on the CPU provider
      return [{ name: 'webgpu' }, 'cpu'];
    default:
      return ['cpu'];
  }
}

let webgpuAdapter: GpuAdapter | undefined;

/** The adapter the process's WebGPU sessions run on, once one was created. */
export function webgpuAdapterInUse(): GpuAdapter | undefined {
  return webgpuAdapter;
}

/** Point the Vulkan loader at the chosen adapter before Dawn starts; the same adapter afterwards. */
function prepareWebGpu(): GpuAdapter | undefined {
  if (webgpuAdapter) return webgpuAdapter;
  const adapter = detectInferenceProviders().webgpuAdapter;
  if (!adapter) return undefined;
  const env = process.env;
  if (adapter.vulkanDriverFile && !env.VK_DRIVER_FILES && !env.VK_ICD_FILENAMES) env.VK_DRIVER_FILES = adapter.vulkanDriverFile;
  // the Vulkan loader complains on every start without one; any private folder does
  if (process.platform === 'linux' && !env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'nanovlm-xdg-'));
  webgpuAdapter = adapter;
  return adapter;
}
