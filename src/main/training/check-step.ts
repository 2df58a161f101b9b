// One training step from a checkpoint, reported the way the golden fixtures record it: the
// loss, the gradient norm before clipping, and the loss on the same batch after one AdamW step
// at constant learning rates. Used by `nanovlm check-step` and the parity tests.
import { openCheckpoint, type Checkpoint } from '../model/checkpoint';
import { DEFAULT_OPTIMIZER, type LearningRates } from '../../shared/training';
import { checkBatch, type TrainingBatch } from './data/batch';
import { createTrainer, type LoadedTrainer } from './engines/create-trainer';
import type { SelectedEngine } from './engines/select-engine';

export interface StepCheck {
  loss: number;
  grad_norm: number;
  loss_after_step: number;
}

/**
 * `engine`: the engine started for it (selectEngineForRun); default the TensorFlow.js backend
 * already selected.
 */
export async function checkTrainingStep(
  modelDir: string,
  batch: TrainingBatch,
  learningRates: LearningRates,
  maxGradNorm = 1.0,
  engine?: SelectedEngine,
): Promise<StepCheck> {
  const checkpoint: Checkpoint = openCheckpoint(modelDir);
  let loaded: LoadedTrainer;
  try {
    checkBatch(batch, checkpoint.config.vit_img_size);
    loaded = await createTrainer(
      engine ?? { engine: 'cpu', reason: 'the TensorFlow.js backend selected', skipped: [] },
      checkpoint,
      {
        optimizer: { ...DEFAULT_OPTIMIZER, learningRates, maxGradNorm },
        gradientAccumulationSteps: 1,
        schedule: { kind: 'constant' },
      },
      0,
    );
  } finally {
    checkpoint.close();
  }
  try {
    const report = await loaded.trainer.trainStep([batch]);
    return { loss: report.loss, grad_norm: report.gradNorm, loss_after_step: await loaded.trainer.evaluate(batch) };
  } finally {
    await loaded.dispose();
  }
}
