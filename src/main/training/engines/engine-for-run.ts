// The engine for a run, given its estimated memory: a run the wasm heap cannot hold goes to the
// cpu backend when the engine was left to choose, and is refused, naming the estimate, when
// wasm was asked for.
import type { TrainingEngineName } from '../../../shared/training';
import { selectTrainingEngine, type SelectedEngine } from '../tfjs/backends';
import { gib, WASM_TRAINING_LIMIT_BYTES } from '../../../shared/memory-estimate';

export async function selectEngineForRun(requested: TrainingEngineName | undefined, estimatedBytes: number): Promise<SelectedEngine> {
  const tooBig = estimatedBytes > WASM_TRAINING_LIMIT_BYTES;
  const why = `a step needs about ${gib(estimatedBytes)}, more than the ${gib(WASM_TRAINING_LIMIT_BYTES)} the wasm backend can hold (4 GB heap)`;
  if (requested === 'wasm' && tooBig) throw new Error(`cannot train on wasm: ${why}; freeze more groups or choose the cpu engine`);
  const selected = await selectTrainingEngine(requested);
  if (selected.engine !== 'wasm' || !tooBig) return selected;
  const cpu = await selectTrainingEngine('cpu');
  return { ...cpu, skipped: [...selected.skipped, { engine: 'wasm', why }] };
}
