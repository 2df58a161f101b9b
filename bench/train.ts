// Training-step speed: samples/s of one optimiser step (batch 1), at the golden fixture's size and
// at nanoVLM-222M's dimensions (random weights, vision encoder frozen, 64 text tokens), on each
// CPU engine available. Prints figures; asserts nothing.
//   npx tsx bench/train.ts [--size fixture|222m|all] [--engine wasm|cpu|all] [--steps N] [--train mp|mp+language]
//                          [--batch N] [--vision frozen|trained]
// GFLOP/s counts the step's matmul work (no GFLOP/s with --train mp, whose backward skips weight
// gradients). The wasm heap is capped at 4 GB: see src/main/training/memory-estimate.ts.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
const { values } = parseArgs({ options: { size: { type: 'string', default: 'all' }, engine: { type: 'string', default: 'all' }, steps: { type: 'string', default: '3' }, train: { type: 'string', default: 'mp+language' }, batch: { type: 'string', default: '1' }, vision: { type: 'string', default: 'frozen' } } });

/** Multiply-adds ×2 of a prefix-family step: forward everywhere, backward (×2) where gradients flow. */
function stepFlops(c: ReturnType<typeof parseConfig>['config'], rows: number, textLength: number, labelled: number, visionTrained: boolean): number {
  const patches = (c.vit_img_size / c.vit_patch_size) ** 2;
  const d = c.vit_hidden_dim;
  const vit = c.vit_n_blocks * patches * 2 * (4 * d * d + 2 * d * c.vit_inter_dim) + c.vit_n_blocks * 4 * patches * patches * d + patches * 2 * d * 3 * c.vit_patch_size ** 2;
  const tokens = patches / c.mp_pixel_shuffle_factor ** 2;
  const t = tokens + textLength;
  const h = c.lm_hidden_dim;
  const kv = (h / c.lm_n_heads) * c.lm_n_kv_heads;
  const lm = c.lm_n_blocks * (t * 2 * (2 * h * h + 2 * h * kv + 3 * h * c.lm_inter_dim) + 4 * t * t * h) + tokens * 2 * d * c.mp_pixel_shuffle_factor ** 2 * h + labelled * 2 * h * c.lm_vocab_size;
  return rows * (vit * (visionTrained ? 3 : 1) + lm * 3);
}

/** The engine's own 512³ matmul GFLOP/s: the baseline each step is compared with. */
function matMulBaseline(): number {
  const a = tf.randomNormal([512, 512]);
  tf.matMul(a, a).dispose();
  const t = performance.now();
  for (let i = 0; i < 5; i++) tf.matMul(a, a).dataSync();
  a.dispose();
  return (5 * 2 * 512 ** 3) / ((performance.now() - t) / 1000) / 1e9;
}

function heapMiB(): string {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  return wasm ? `wasm heap ${(wasm.HEAPU8.byteLength / 2 ** 20).toFixed(0)} MiB` : `max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;
}

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

function randomPrefixBatch(rows: number, textLength: number, imageSize: number, vocab: number): TrainingBatch {
  const cells = rows * textLength;
  const inputIds = Int32Array.from({ length: cells }, (_, i) => (i * 7919) % vocab);
  const targets = Int32Array.from({ length: cells }, (_, i) => (i % textLength >= textLength - 16 ? inputIds[(i + 1) % cells]! : -100));
  const pixelValues = Float32Array.from({ length: rows * 3 * imageSize * imageSize }, (_, i) => (i % 255) / 255);
  return { inputIds, targets, rows, length: textLength, pixelValues, imageCount: rows };
}

function measure(label: string, parameters: ModelParameters, batch: TrainingBatch, rates: LearningRates, steps: number, flops = 0): void {
  const trainer = new Trainer(parameters, { optimizer: { ...DEFAULT_OPTIMIZER, learningRates: rates }, gradientAccumulationSteps: 1, schedule: { kind: 'constant' } });
  let t = performance.now();
  trainer.trainStep([batch]); // first step: kernel set-up and optimiser state
  const firstMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < steps; i++) trainer.trainStep([batch]);
  const ms = (performance.now() - t) / steps;
  const gflops = flops / (ms / 1000) / 1e9;
  const baseline = matMulBaseline();
  const perf = flops ? `, ${gflops.toFixed(2)} GFLOP/s = ${(gflops / baseline).toFixed(2)}× the engine's 512³ matmul (${baseline.toFixed(2)} GFLOP/s, same run)` : '';
  console.log(`${label}: ${((1000 * batch.rows) / ms).toFixed(3)} samples/s${perf} (${ms.toFixed(0)} ms/step after a first step of ${firstMs.toFixed(0)} ms; ${tf.memory().numTensors} tensors, ${heapMiB()}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
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
    const visionTrained = values.vision === 'trained';
    const rates = { mp: 1e-3, vision: visionTrained ? 1e-4 : 0, language: values.train === 'mp' ? 0 : 1e-4 };
    const rows = Number(values.batch);
    const checkpoint = randomPrefixCheckpoint(dir);
    const parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(rates));
    const c = checkpoint.config;
    const flops = values.train === 'mp' ? 0 : stepFlops(c, rows, 64, 16, visionTrained);
    measure(`${engine}, nanoVLM-222M dims, batch ${rows}, training ${values.train}, vision ${values.vision} (49 image + 64 text tokens)`, parameters, randomPrefixBatch(rows, 64, c.vit_img_size, c.lm_vocab_size), rates, steps, flops);
    parameters.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
