// One training step from a checkpoint, reported the way the golden fixtures record it: the
// loss, the gradient norm before clipping, and the loss on the same batch after one AdamW step
// at constant learning rates. Used by `nanovlm check-step` and the parity tests.
import { openCheckpoint } from '../model/checkpoint';
import { DEFAULT_OPTIMIZER, type LearningRates } from '../../shared/training';
import type { TrainingBatch } from './data/batch';
import { checkBatch } from './data/batch';
import { ModelParameters } from './tfjs/parameters';
import { isTrainedGroup, Trainer } from './tfjs/trainer';

export interface StepCheck {
  loss: number;
  grad_norm: number;
  loss_after_step: number;
}

export function checkTrainingStep(modelDir: string, batch: TrainingBatch, learningRates: LearningRates, maxGradNorm = 1.0): StepCheck {
  const checkpoint = openCheckpoint(modelDir);
  let parameters: ModelParameters;
  try {
    checkBatch(batch, checkpoint.config.vit_img_size);
    parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(learningRates));
  } finally {
    checkpoint.close();
  }
  const trainer = new Trainer(parameters, {
    optimizer: { ...DEFAULT_OPTIMIZER, learningRates, maxGradNorm },
    gradientAccumulationSteps: 1,
    schedule: { kind: 'constant' },
  });
  try {
    const report = trainer.trainStep([batch]);
    return { loss: report.loss, grad_norm: report.gradNorm, loss_after_step: trainer.evaluate(batch) };
  } finally {
    trainer.dispose();
    parameters.dispose();
  }
}
