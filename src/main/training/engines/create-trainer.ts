// The trainer of the engine chosen for a run, loaded from a checkpoint: what the run, check-step
// and the benchmarks hold, whichever engine trains.
import type { Checkpoint } from '../../model/checkpoint';
import type { ModelContents } from '../checkpoints/checkpoint-writer';
import { join } from 'node:path';
import { OnnxRuntimeTrainer } from '../onnxruntime/onnxruntime-trainer';
import { TRAINING_GRAPH_CACHE } from '../onnxruntime/training-graph-cache';
import type { ModelTrainer, TrainerSettings } from './model-trainer';
import type { SelectedEngine } from './select-engine';

export interface LoadedTrainer {
  trainer: ModelTrainer;
  /** the model as a checkpoint writes it */
  model: ModelContents;
  dispose(): Promise<void>;
}

/**
 * The trainer on `engine` (already started by selectEngineForRun). `padTokenId` fills padded
 * positions; under `cacheDir` the onnxruntime engine keeps its optimised graphs between runs.
 */
export async function createTrainer(
  engine: SelectedEngine,
  checkpoint: Checkpoint,
  settings: TrainerSettings,
  padTokenId: number,
  cacheDir?: string,
): Promise<LoadedTrainer> {
  if (engine.engine === 'onnxruntime') {
    const graphCacheDir = cacheDir ? join(cacheDir, TRAINING_GRAPH_CACHE) : undefined;
    const trainer = OnnxRuntimeTrainer.fromCheckpoint(checkpoint, settings, {
      provider: engine.provider,
      padTokenId,
      splitUpdate: engine.splitUpdate,
      graphOptimizer: engine.graphOptimizer,
      graphCacheDir,
    });
    return {
      trainer,
      model: { config: checkpoint.config, rawConfig: checkpoint.rawConfig, values: () => trainer.parameterValues() },
      dispose: () => trainer.dispose(),
    };
  }
  const [{ ModelParameters }, { isTrainedGroup, Trainer }] = await Promise.all([import('../tfjs/parameters'), import('../tfjs/trainer')]);
  const parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(settings.optimizer.learningRates));
  const trainer = new Trainer(parameters, settings);
  return {
    trainer,
    model: parameters,
    dispose: async () => {
      trainer.dispose();
      parameters.dispose();
    },
  };
}
