// One training run, start to finish, reporting through `emit`: pick the engine, load the base
// model (or resume a run's checkpoint exactly), visit the data in a seeded order, take
// optimiser steps with gradient accumulation, write checkpoints. Runs inside the trainer
// subprocess, but is a plain function so that it can be tested in-process.
import { join } from 'node:path';
import { estimateTrainingMemory, gib } from '../../../shared/memory-estimate';
import type { TrainerMessage, TrainingRunConfig } from '../../../shared/training';
import { openCheckpoint } from '../../model/checkpoint';
import { modelShape } from '../../model/parameters';
import { NanoVLMTokenizer } from '../../model/tokenizer';
import { restoreTrainerState } from '../checkpoints/checkpoint-reader';
import { writeCheckpoint } from '../checkpoints/checkpoint-writer';
import { collate } from '../data/collate';
import { DataOrder } from '../data/data-order';
import { longestSamplePositions } from '../data/sample-length';
import { prepareSample, readVqaJsonl, type VqaRecord } from '../data/vqa-records';
import { createTrainer, type LoadedTrainer } from '../engines/create-trainer';
import { microBatchPlan, type MicroBatchPlan } from '../engines/micro-batch-plan';
import { selectEngineForRun, type SelectedEngine } from '../engines/select-engine';

export type Emit = (message: TrainerMessage) => void;

const stepDir = (config: TrainingRunConfig, step: number) => join(config.outputDir, `step_${step}`);

export async function runTraining(config: TrainingRunConfig, emit: Emit, signal: AbortSignal): Promise<void> {
  const source = config.resumeFrom ?? config.baseModelDir;
  const checkpoint = openCheckpoint(source);
  const rates = config.optimizer.learningRates;
  let loaded: LoadedTrainer;
  let engine: SelectedEngine;
  let plan: MicroBatchPlan;
  let tokenizer: NanoVLMTokenizer;
  let records: VqaRecord[];
  const memory = { wasm: 0, native: 0 };
  try {
    tokenizer = NanoVLMTokenizer.fromFolder(config.tokenizerDir, checkpoint.config);
    records = readVqaJsonl(config.datasetPath);
    const positions = longestSamplePositions(records, checkpoint, tokenizer);
    const split = microBatchPlan(checkpoint, rates, config.batchSize, config.gradientAccumulationSteps, positions);
    const shape = modelShape(checkpoint);
    memory.native = estimateTrainingMemory(
      shape,
      rates,
      { tokens: positions * config.batchSize, images: shape.maxTilesPerImage * config.batchSize, accumulated: config.gradientAccumulationSteps },
      'native',
    ).total;
    memory.wasm = split.bytes;
    engine = await selectEngineForRun(config.engine, memory);
    // micro-batches only where the heap needs them (wasm); other engines take the batch at once
    plan = engine.engine === 'wasm' ? split : { microBatch: config.batchSize, microBatches: config.gradientAccumulationSteps, bytes: split.bytes };
    loaded = await createTrainer(
      engine,
      checkpoint,
      {
        optimizer: config.optimizer,
        gradientAccumulationSteps: plan.microBatches,
        schedule: {
          kind: config.schedule ?? 'cosine',
          maxSteps: config.maxSteps,
          ...(config.warmupFraction !== undefined ? { warmupFraction: config.warmupFraction } : {}),
        },
      },
      tokenizer.eosTokenId,
      config.cacheDir,
    );
  } finally {
    checkpoint.close();
  }
  const { trainer, model } = loaded;
  const spec = { family: checkpoint.family, config: checkpoint.config };
  try {
    const savedOrder = config.resumeFrom ? restoreTrainerState(config.resumeFrom, trainer) : undefined;
    const order = savedOrder ? new DataOrder(records.length, savedOrder) : DataOrder.start(records.length, config.seed);
    const counts = trainer.parameterCounts();
    const passedOver = engine.skipped.map((s) => `${s.engine}: ${s.why}`).join('; ');
    const reason = passedOver ? `${engine.reason}; passed over ${passedOver}` : engine.reason;
    emit({ type: 'started', engine: engine.engine, engineReason: reason, parameters: counts.all, trainedParameters: counts.trained, startStep: trainer.step });
    if (plan.microBatch < config.batchSize) {
      emit({
        type: 'log',
        level: 'info',
        text: `batch ${config.batchSize} runs as ${config.batchSize / plan.microBatch} micro-batches of ${plan.microBatch}: the wasm heap (4 GB) cannot hold it at once; their gradients are averaged as in gradient accumulation`,
      });
    }
    let lastDir = source;
    while (trainer.step < config.maxSteps && !signal.aborted) {
      const started = performance.now();
      const microBatches = [];
      for (let micro = 0; micro < plan.microBatches; micro++) {
        const samples = await Promise.all(order.next(plan.microBatch).map((i) => prepareSample(records[i]!, spec, tokenizer)));
        microBatches.push(collate(samples, tokenizer.eosTokenId));
      }
      const report = await Promise.resolve(trainer.trainStep(microBatches)).catch((err: unknown) => {
        throw outOfMemory(err)
          ? new Error(
              `a training step ran out of memory (${(err as Error).message.trim()}); it was estimated to need about ${gib(memory.native)}: lower the batch size or freeze more groups`,
            )
          : err;
      });
      const seconds = (performance.now() - started) / 1000;
      emit({ type: 'metrics', step: report.step + 1, loss: report.loss, gradNorm: report.gradNorm, learningRates: report.learningRates });
      emit({
        type: 'progress',
        step: trainer.step,
        maxSteps: config.maxSteps,
        samplesPerSecond: (config.batchSize * config.gradientAccumulationSteps) / seconds,
      });
      if (trainer.step % config.checkpointEvery === 0 || trainer.step === config.maxSteps) {
        lastDir = stepDir(config, trainer.step);
        await writeCheckpoint(lastDir, model, trainer, order.snapshot());
        emit({ type: 'checkpoint', step: trainer.step, dir: lastDir });
      }
    }
    if (signal.aborted) emit({ type: 'log', level: 'info', text: `stopped at step ${trainer.step}` });
    emit({ type: 'finished', step: trainer.step, checkpointDir: lastDir });
  } finally {
    await loaded.dispose();
  }
}

/** ONNX Runtime's and the allocators' ways of saying an allocation failed. */
function outOfMemory(err: unknown): boolean {
  return err instanceof Error && /bad_alloc|out of memory|failed to allocate|allocation failed|Cannot allocate memory/i.test(err.message);
}
