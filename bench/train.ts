// Training-step speed: samples/s of one optimiser step (batch 1), at the golden fixture's size and
// at nanoVLM-222M's dimensions (random weights, vision encoder frozen, 64 text tokens), on each
// CPU engine available. Prints figures; asserts nothing.
//   npx tsx bench/train.ts [--size fixture|222m|all] [--engine wasm|cpu|all] [--steps N] [--train mp|mp+language]
// The wasm heap is capped at 4 GB: the 222M model with its decoder trained does not fit (AdamW
// moments and gradients of 135M parameters on top of the weights).
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openCheckpoint, type Checkpoint } from '../src/main/model/checkpoint';
import { parseConfig } from '../src/main/model/config';
import { readBatchFile } from '../src/main/training/batch-file';
import type { TrainingBatch } from '../src/main/training/batch';
import { selectTrainingEngine } from '../src/main/training/engine';
import { ModelParameters, storedParameterShapes } from '../src/main/training/parameters';
import { isTrainedGroup, Trainer } from '../src/main/training/trainer';
import { DEFAULT_OPTIMIZER, type LearningRates, type TrainingEngineName } from '../src/shared/training';

// the shared folder beside the repository (override with NANOVLM_SHARED_DIR)
const FIXTURE = join(process.env.NANOVLM_SHARED_DIR ?? join(import.meta.dirname, '..', '..', 'shared'), 'fixtures', 'split');
const { values } = parseArgs({ options: { size: { type: 'string', default: 'all' }, engine: { type: 'string', default: 'all' }, steps: { type: 'string', default: '3' }, train: { type: 'string', default: 'mp+language' } } });

/** A nanoVLM-222M-shaped checkpoint with small random weights (never written to disk). */
function randomPrefixCheckpoint(dir: string): Checkpoint {
  writeFileSync(join(dir, 'config.json'), '{}');
  const spec = parseConfig({});
  const shapes = storedParameterShapes(spec.config);
  let state = 1;
  const read = (name: string): Float32Array => {
    const data = new Float32Array(shapes.get(name)!.reduce((a, b) => a * b, 1));
    const isNormWeight = /norm|ln\d/.test(name) && name.endsWith('weight');
    for (let i = 0; i < data.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      data[i] = isNormWeight ? 1 : (state / 2 ** 32 - 0.5) * 0.04;
    }
    return data;
  };
  return { ...spec, dir, weights: undefined as never, read, close: () => {} };
}

function randomPrefixBatch(textLength: number, imageSize: number, vocab: number): TrainingBatch {
  const inputIds = Int32Array.from({ length: textLength }, (_, i) => (i * 7919) % vocab);
  const targets = Int32Array.from({ length: textLength }, (_, i) => (i >= textLength - 16 ? inputIds[(i + 1) % textLength]! : -100));
  const pixelValues = Float32Array.from({ length: 3 * imageSize * imageSize }, (_, i) => (i % 255) / 255);
  return { inputIds, targets, rows: 1, length: textLength, pixelValues, imageCount: 1 };
}

function measure(label: string, parameters: ModelParameters, batch: TrainingBatch, rates: LearningRates, steps: number): void {
  const trainer = new Trainer(parameters, { optimizer: { ...DEFAULT_OPTIMIZER, learningRates: rates }, gradientAccumulationSteps: 1, schedule: { kind: 'constant' } });
  let t = performance.now();
  trainer.trainStep([batch]); // first step: kernel set-up and optimiser state
  const firstMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < steps; i++) trainer.trainStep([batch]);
  const ms = (performance.now() - t) / steps;
  console.log(`${label}: ${(1000 / ms).toFixed(3)} samples/s (${ms.toFixed(0)} ms/step after a first step of ${firstMs.toFixed(0)} ms; ${tf.memory().numTensors} tensors, ${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MiB)`);
  trainer.dispose();
}

const engines = (values.engine === 'all' ? ['wasm', 'cpu'] : [values.engine]) as TrainingEngineName[];
const steps = Number(values.steps);
for (const engine of engines) {
  await selectTrainingEngine(engine);
  if (values.size === 'all' || values.size === 'fixture') {
    const checkpoint = openCheckpoint(FIXTURE);
    const rates = { mp: 1e-2, vision: 1e-3, language: 1e-3 };
    const parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(rates));
    checkpoint.close();
    measure(`${engine}, fixture size (split, 5 tiles, 44 tokens)`, parameters, readBatchFile(join(FIXTURE, 'expected.safetensors')), rates, steps * 5);
    parameters.dispose();
  }
  if (values.size === 'all' || values.size === '222m') {
    const dir = mkdtempSync(join(tmpdir(), 'nanovlm-bench-'));
    const rates = { mp: 1e-3, vision: 0, language: values.train === 'mp' ? 0 : 1e-4 };
    const checkpoint = randomPrefixCheckpoint(dir);
    const parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(rates));
    const c = checkpoint.config;
    measure(`${engine}, nanoVLM-222M dims, training ${values.train} (49 image + 64 text tokens)`, parameters, randomPrefixBatch(64, c.vit_img_size, c.lm_vocab_size), rates, steps);
    parameters.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
