// Which engine trains a run, fastest first: ONNX Runtime running the studio's training graphs (on
// CUDA when its provider is present, else the CPU), then the TensorFlow.js engines (tfjs-node-gpu,
// tfjs-node, wasm, cpu). Each choice comes with its reason and why the others were passed over.
// A step's estimated memory decides too: a run the wasm heap cannot hold goes to the next engine
// (or is refused, naming the estimate, when wasm was asked for); a run larger than this machine's
// memory is refused at the start.
import { totalmem } from 'node:os';
import { gib, WASM_TRAINING_LIMIT_BYTES } from '../../../shared/memory-estimate';
import { TFJS_ENGINES, type TfjsEngineName, type TrainingEngineName, type TrainingEngineStatus } from '../../../shared/training';
import { resolveProvider, type InferenceProvider } from '../../runtime/providers';

export interface SelectedEngine {
  engine: TrainingEngineName;
  reason: string;
  /** engines tried before this one, with why they were passed over */
  skipped: { engine: TrainingEngineName; why: string }[];
  /** onnxruntime: the execution provider its sessions use */
  provider?: InferenceProvider;
  /** onnxruntime: take steps split (gradients out, AdamW in chunks), for less memory (AdamW as graph operators only) */
  splitUpdate?: boolean;
  /** onnxruntime: AdamW as graph operators even on the CPU provider (the benchmarks' comparison) */
  graphOptimizer?: boolean;
}

/** Above this share of the machine's memory, the onnxruntime engine takes its GPU steps split. */
const FUSED_STEP_MEMORY_SHARE = 0.6;

/** Bytes a run's step is estimated to need, on the wasm heap and in native memory. */
export interface StepMemory {
  wasm: number;
  native: number;
}

const isTfjs = (engine: TrainingEngineName): engine is TfjsEngineName => (TFJS_ENGINES as readonly string[]).includes(engine);

/** What could train here, without loading anything heavy (for system.info). Never throws. */
export async function detectTrainingEngines(): Promise<TrainingEngineStatus[]> {
  const { detectTrainingEngines: detectTfjs } = await import('../tfjs/backends');
  return [onnxRuntimeStatus(), ...detectTfjs()];
}

function onnxRuntimeStatus(): TrainingEngineStatus {
  try {
    const { provider, reason } = resolveProvider();
    return { engine: 'onnxruntime', available: true, detail: `training graphs on ONNX Runtime's ${provider} provider (${reason})` };
  } catch (err) {
    return { engine: 'onnxruntime', available: false, detail: (err as Error).message };
  }
}

/** Start the engine for a run: `requested` exactly, or the fastest that works and fits. */
/** `provider`: the onnxruntime engine's provider when asked (default: $NANOVLM_PROVIDER, else detected). */
export async function selectEngineForRun(requested: TrainingEngineName | undefined, memory: StepMemory, provider?: InferenceProvider): Promise<SelectedEngine> {
  const skipped: SelectedEngine['skipped'] = [];
  const tooBigForWasm = memory.wasm > WASM_TRAINING_LIMIT_BYTES;
  const wasmWhy = `a step needs about ${gib(memory.wasm)}, more than the ${gib(WASM_TRAINING_LIMIT_BYTES)} the wasm backend can hold (4 GB heap)`;
  if (requested === 'wasm' && tooBigForWasm)
    throw new Error(`cannot train on wasm: ${wasmWhy}; freeze more groups, lower the batch size, or choose the onnxruntime engine`);
  if (memory.native > totalmem()) {
    throw new Error(
      `a training step needs about ${gib(memory.native)} but this machine has ${gib(totalmem())} of memory; freeze more groups or lower the batch size`,
    );
  }
  if (requested === undefined || requested === 'onnxruntime') {
    const status = onnxRuntimeStatus();
    if (status.available) {
      const resolved = resolveProvider(provider);
      // on the CPU, AdamW runs in the trainer's kernel, after the gradients: steps are always split
      const splitUpdate = resolved.provider !== 'cpu' && memory.native > FUSED_STEP_MEMORY_SHARE * totalmem();
      const how =
        resolved.provider === 'cpu'
          ? '; AdamW in the CPU kernel'
          : splitUpdate
            ? `; steps split (gradients out, then AdamW in chunks): a fused step would need about ${gib(memory.native)}`
            : '';
      return {
        engine: 'onnxruntime',
        provider: resolved.provider,
        splitUpdate,
        reason: `ONNX Runtime training graphs, ${resolved.provider} provider (${resolved.reason})${how}`,
        skipped,
      };
    }
    if (requested || provider) throw new Error(`cannot train on onnxruntime: ${status.detail}`);
    skipped.push({ engine: 'onnxruntime', why: status.detail });
  }
  const { selectTrainingEngine } = await import('../tfjs/backends');
  const selected = await selectTrainingEngine(requested && isTfjs(requested) ? requested : undefined);
  skipped.push(...selected.skipped);
  if (selected.engine === 'wasm' && tooBigForWasm) {
    const cpu = await selectTrainingEngine('cpu');
    return { engine: cpu.engine, reason: cpu.reason, skipped: [...skipped, { engine: 'wasm', why: wasmWhy }] };
  }
  return { engine: selected.engine, reason: selected.reason, skipped };
}
