// One training run, start to finish, reporting through `emit`: pick the engine, load the base
// model (or resume a run's checkpoint exactly), visit the data in a seeded order, take
// optimiser steps with gradient accumulation, write checkpoints. Runs inside the trainer
// subprocess, but is a plain function so that it can be tested in-process.
import { join } from 'node:path';
import { openCheckpoint } from '../../model/checkpoint';
import { NanoVLMTokenizer } from '../../model/tokenizer';
import type { TrainerMessage, TrainingRunConfig } from '../../../shared/training';
import { restoreTrainerState } from '../checkpoints/checkpoint-reader';
import { writeCheckpoint } from '../checkpoints/checkpoint-writer';
import { collate } from '../data/collate';
import { DataOrder } from '../data/data-order';
import { prepareSample, readVqaJsonl, type VqaRecord } from '../data/vqa-records';
import type { SelectedEngine } from '../tfjs/backends';
import { selectEngineForRun } from '../engines/engine-for-run';
import { microBatchPlan, type MicroBatchPlan } from '../engines/micro-batch-plan';
import { longestSamplePositions } from '../data/sample-length';
import { ModelParameters } from '../tfjs/parameters';
import { isTrainedGroup, Trainer } from '../tfjs/trainer';

export type Emit = (message: TrainerMessage) => void;

const stepDir = (config: TrainingRunConfig, step: number) => join(config.outputDir, `step_${step}`);

export async function runTraining(config: TrainingRunConfig, emit: Emit, signal: AbortSignal): Promise<void> {
  const source = config.resumeFrom ?? config.baseModelDir;
  const checkpoint = openCheckpoint(source);
  const rates = config.optimizer.learningRates;
  let parameters: ModelParameters;
  let engine: SelectedEngine;
  let plan: MicroBatchPlan;
  let tokenizer: NanoVLMTokenizer;
  let records: VqaRecord[];
  try {
    tokenizer = NanoVLMTokenizer.fromFolder(config.tokenizerDir, checkpoint.config);
    records = readVqaJsonl(config.datasetPath);
    const positions = longestSamplePositions(records, checkpoint, tokenizer);
    const split = microBatchPlan(checkpoint, rates, config.batchSize, config.gradientAccumulationSteps, positions);
    engine = await selectEngineForRun(config.engine, split.bytes);
    // micro-batches only where the heap needs them (wasm); other engines take the batch at once
    plan = engine.engine === 'wasm' ? split : { microBatch: config.batchSize, microBatches: config.gradientAccumulationSteps, bytes: split.bytes };
    parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(rates));
  } finally {
    checkpoint.close();
  }
  const spec = { family: parameters.family, config: parameters.config };
  const trainer = new Trainer(parameters, {
    optimizer: config.optimizer,
    gradientAccumulationSteps: plan.microBatches,
    schedule: { kind: 'cosine', maxSteps: config.maxSteps },
  });
  try {
    const savedOrder = config.resumeFrom ? restoreTrainerState(config.resumeFrom, trainer) : undefined;
    const order = savedOrder ? new DataOrder(records.length, savedOrder) : DataOrder.start(records.length, config.seed);
    const count = (filter: (v: { trainable: boolean }) => boolean) => [...parameters.variables.values()].filter(filter).reduce((n, v) => n + v.size, 0);
    emit({ type: 'started', engine: engine.engine, engineReason: engine.reason, parameters: count(() => true), trainedParameters: count((v) => v.trainable), startStep: trainer.step });
    if (plan.microBatch < config.batchSize) {
      emit({ type: 'log', level: 'info', text: `batch ${config.batchSize} runs as ${config.batchSize / plan.microBatch} micro-batches of ${plan.microBatch}: the wasm heap (4 GB) cannot hold it at once; their gradients are averaged as in gradient accumulation` });
    }
    let lastDir = source;
    while (trainer.step < config.maxSteps && !signal.aborted) {
      const started = performance.now();
      for (let micro = 0; micro < plan.microBatches; micro++) {
        const samples = await Promise.all(order.next(plan.microBatch).map((i) => prepareSample(records[i]!, spec, tokenizer)));
        trainer.accumulate(collate(samples, tokenizer.eosTokenId));
      }
      const report = trainer.applyStep();
      const seconds = (performance.now() - started) / 1000;
      emit({ type: 'metrics', step: report.step + 1, loss: report.loss, gradNorm: report.gradNorm, learningRates: report.learningRates });
      emit({ type: 'progress', step: trainer.step, maxSteps: config.maxSteps, samplesPerSecond: (config.batchSize * config.gradientAccumulationSteps) / seconds });
      if (trainer.step % config.checkpointEvery === 0 || trainer.step === config.maxSteps) {
        lastDir = stepDir(config, trainer.step);
        await writeCheckpoint(lastDir, parameters, trainer, order.snapshot());
        emit({ type: 'checkpoint', step: trainer.step, dir: lastDir });
      }
    }
    if (signal.aborted) emit({ type: 'log', level: 'info', text: `stopped at step ${trainer.step}` });
    emit({ type: 'finished', step: trainer.step, checkpointDir: lastDir });
  } finally {
    trainer.dispose();
    parameters.dispose();
  }
}
