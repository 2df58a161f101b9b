// nanoVLM's training step: forward + backward per micro-batch with the loss divided by the
// accumulation steps (gradients add up), then clip to the global norm over the trained
// parameters, set each group's learning rate from the schedule, and take one AdamW step.
// Groups with learning rate 0 are frozen: no gradient, not clipped, not in the optimiser.
import * as tf from '@tensorflow/tfjs';
import type { LearningRates, ParameterGroupName } from '../../../shared/training';
import { AdamW } from './adamw';
import type { TrainingBatch } from '../data/batch';
import { clipCoefficient, globalNorm } from './grad-clip';
import { labelledLoss } from './labelled-loss';
import type { MomentState, ModelTrainer, ParameterValues, StepReport, TrainerSettings } from '../engines/model-trainer';
import { groupLearningRates } from '../optimizer/lr-schedule';
import { visionFeatures, type VisionLanguageModel } from './model/vision-language-model';
import { parameterGroup } from '../../model/parameters';
import type { ModelParameters } from './parameters';

export type { StepReport, TrainerSettings } from '../engines/model-trainer';

export function isTrainedGroup(rates: LearningRates): (group: ParameterGroupName) => boolean {
  return (group) => rates[group] > 0;
}

function frozenFeatures(model: VisionLanguageModel, batch: TrainingBatch): tf.Tensor {
  return tf.tidy(() => visionFeatures(model, batch));
}

export class Trainer implements ModelTrainer {
  readonly optimizer: AdamW;
  /** optimiser steps taken */
  step = 0;
  private gradients = new Map<string, tf.Tensor>();
  private microLosses: number[] = [];

  constructor(
    readonly parameters: ModelParameters,
    readonly settings: TrainerSettings,
  ) {
    // wasm's heap is capped at 4 GB: the moments wait in host memory between updates
    this.optimizer = new AdamW(settings.optimizer, tf.getBackend() === 'wasm' ? 'host' : 'engine');
  }

  /** Forward and backward of one micro-batch; returns its (unscaled) loss. */
  accumulate(batch: TrainingBatch): number {
    const trained = this.parameters.trained();
    if (trained.size === 0) throw new Error('every parameter group is frozen (all learning rates are 0)');
    const model = this.parameters.model();
    const scale = 1 / this.settings.gradientAccumulationSteps;
    const storedName = new Map([...trained].map(([name, v]) => [v.name, name]));
    // A frozen encoder runs before the tape starts: its activations need not live until backprop.
    const visionTrained = [...trained.keys()].some((name) => parameterGroup(name) === 'vision');
    const features = visionTrained ? undefined : frozenFeatures(model, batch);
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      result = tf.variableGrads(() => labelledLoss(model, batch, features).mul(scale) as tf.Scalar, [...trained.values()]);
    } finally {
      features?.dispose();
    }
    const { value, grads } = result;
    const loss = value.dataSync()[0]! / scale;
    value.dispose();
    for (const [variableName, grad] of Object.entries(grads)) {
      const name = storedName.get(variableName)!;
      const previous = this.gradients.get(name);
      this.gradients.set(name, previous ? tf.tidy(() => previous.add(grad)) : grad);
      if (previous) {
        previous.dispose();
        grad.dispose();
      }
    }
    this.microLosses.push(loss);
    return loss;
  }

  /** Clip, schedule, AdamW: one optimiser step on the accumulated gradients. */
  applyStep(): StepReport {
    if (this.gradients.size === 0) throw new Error('no gradients accumulated: call accumulate() first');
    const gradNorm = globalNorm(this.gradients.values());
    const coefficient = clipCoefficient(gradNorm, this.settings.optimizer.maxGradNorm);
    const learningRates = this.learningRates(this.step);
    const trained = this.parameters.trained();
    for (const [name, grad] of this.gradients) {
      const clipped = coefficient === 1 ? grad : tf.tidy(() => grad.mul(coefficient));
      if (clipped !== grad) grad.dispose();
      this.optimizer.update(name, trained.get(name)!, clipped, learningRates[parameterGroup(name)]);
      clipped.dispose();
    }
    this.gradients.clear();
    const loss = this.microLosses.reduce((a, b) => a + b, 0) / this.microLosses.length;
    this.microLosses = [];
    return { step: this.step++, loss, gradNorm, learningRates };
  }

  /** accumulate() over the micro-batches, then applyStep(). */
  trainStep(microBatches: TrainingBatch[]): StepReport {
    for (const batch of microBatches) this.accumulate(batch);
    return this.applyStep();
  }

  /** Loss without gradients (evaluation). */
  evaluate(batch: TrainingBatch): number {
    const model = this.parameters.model();
    return tf.tidy(() => labelledLoss(model, batch).dataSync()[0]!);
  }

  /** Each group's learning rate at optimiser step `it` (0 for a frozen group). */
  learningRates(it: number): LearningRates {
    return groupLearningRates(this.settings.optimizer.learningRates, this.settings.schedule, it);
  }

  parameterValues(): Promise<ParameterValues> {
    return this.parameters.values();
  }

  async optimizerState(): Promise<Map<string, MomentState>> {
    const out = new Map<string, MomentState>();
    for (const [name, s] of this.optimizer.state) {
      out.set(name, { step: s.step, shape: s.expAvg.shape, expAvg: await s.expAvg.data(), expAvgSq: await s.expAvgSq.data() });
    }
    return out;
  }

  restoreOptimizerState(step: number, state: ReadonlyMap<string, MomentState>): void {
    const trained = this.parameters.trained();
    for (const [name, saved] of state) {
      if (!trained.has(name)) continue; // a group frozen in this run: its moments are not needed
      const expAvg = tf.tensor(saved.expAvg, saved.shape, 'float32');
      const expAvgSq = tf.tensor(saved.expAvgSq, saved.shape, 'float32');
      this.optimizer.load(name, saved.step, expAvg, expAvgSq);
      expAvg.dispose();
      expAvgSq.dispose();
    }
    this.step = step;
  }

  parameterCounts(): { all: number; trained: number } {
    const count = (filter: (v: tf.Variable) => boolean) => [...this.parameters.variables.values()].filter(filter).reduce((n, v) => n + v.size, 0);
    return { all: count(() => true), trained: count((v) => v.trainable) };
  }

  /** Drop gradients of an unfinished accumulation. */
  discardGradients(): void {
    for (const g of this.gradients.values()) g.dispose();
    this.gradients.clear();
    this.microLosses = [];
  }

  dispose(): void {
    this.discardGradients();
    this.optimizer.dispose();
  }
}
