// One training step at nanoVLM-222M's dimensions, timed: what bench/train.ts prints a row of and
// the GPU check (bench/check-gpu.ts) runs on each GPU provider. Random weights (never written to
// disk), 49 image + 64 text tokens per sample, the last 16 labelled; the step's GFLOP/s is set
// beside a plain fp32 MatMul of its typical shape on the same provider, measured right after it.
import * as ort from 'onnxruntime-node';
import type { Checkpoint } from '../src/main/model/checkpoint';
import { parseConfig, type NanoVLMConfig } from '../src/main/model/config';
import { storedParameterShapes } from '../src/main/model/parameters';
import { GraphBuilder } from '../src/main/onnx/graph-builder';
import { DataType, encodeModel } from '../src/main/onnx/onnx-proto';
import { createSession } from '../src/main/runtime/onnx-session';
import type { InferenceProvider } from '../src/main/runtime/providers';
import type { TrainingBatch } from '../src/main/training/data/batch';
import { createTrainer } from '../src/main/training/engines/create-trainer';
import type { SelectedEngine } from '../src/main/training/engines/select-engine';
import type { OnnxRuntimeTrainer } from '../src/main/training/onnxruntime/onnxruntime-trainer';
import { DEFAULT_OPTIMIZER, type LearningRates, type TrainingEngineName } from '../src/shared/training';

export const TEXT_TOKENS = 64;
export const LABELLED_TOKENS = 16;
export const IMAGE_TOKENS = 49;

/**
 * Where the onnxruntime engine's AdamW runs: the CPU kernel; graph operators fused into the step;
 * graph operators split from it (gradients out, AdamW in chunks: the low-memory way on a GPU).
 */
export const ADAMW_PLACES = ['kernel', 'graph', 'graph-split'] as const;
export type AdamwPlace = (typeof ADAMW_PLACES)[number];

/** What one step trains, on how many samples. */
export interface StepShape {
  engine: TrainingEngineName;
  /** samples per optimiser step */
  batch: number;
  /** samples per forward/backward (batch / micro micro-batches accumulated) */
  micro: number;
  vision: 'frozen' | 'trained';
  train: 'mp' | 'mp+language';
  provider?: InferenceProvider;
  /** onnxruntime: where AdamW runs (default: the kernel on the CPU provider, graph operators fused elsewhere) */
  adamw?: AdamwPlace;
}

export interface StepTiming {
  samples_per_s: number;
  gflop_s: number;
  ms_per_step: number;
  first_step_ms: number;
  timed_steps: number;
  /** onnxruntime: what the Node binding copied out of each step */
  copied_mib?: number;
}

export const ratesOf = (row: StepShape): LearningRates => ({ mp: 1e-3, vision: row.vision === 'trained' ? 1e-4 : 0, language: row.train === 'mp' ? 0 : 1e-4 });

/** Multiply-adds ×2 of a prefix-family step: forward everywhere, backward (×2) where gradients flow. */
export function stepFlops(c: NanoVLMConfig, row: StepShape): number {
  const patches = (c.vit_img_size / c.vit_patch_size) ** 2;
  const d = c.vit_hidden_dim;
  const vit =
    c.vit_n_blocks * patches * 2 * (4 * d * d + 2 * d * c.vit_inter_dim) +
    c.vit_n_blocks * 4 * patches * patches * d +
    patches * 2 * d * 3 * c.vit_patch_size ** 2;
  const tokens = patches / c.mp_pixel_shuffle_factor ** 2;
  const t = tokens + TEXT_TOKENS;
  const h = c.lm_hidden_dim;
  const kv = (h / c.lm_n_heads) * c.lm_n_kv_heads;
  const lm =
    c.lm_n_blocks * (t * 2 * (2 * h * h + 2 * h * kv + 3 * h * c.lm_inter_dim) + 4 * t * t * h) +
    tokens * 2 * d * c.mp_pixel_shuffle_factor ** 2 * h +
    LABELLED_TOKENS * 2 * h * c.lm_vocab_size;
  // a frozen decoder still passes gradients back to the projector (×2, not ×3)
  return row.batch * (vit * (row.vision === 'trained' ? 3 : 1) + lm * (row.train === 'mp' ? 2 : 3));
}

/** A plain fp32 MatMul of the step's typical shape (the decoder's MLP: rows × 576 by 576 × 1536) on the provider, GFLOP/s (best of five rounds). */
export async function onnxMatMul(rows: number, provider: InferenceProvider): Promise<number> {
  const [k, n] = [576, 1536];
  const g = new GraphBuilder('matmul');
  g.output(g.op('MatMul', [g.input('a', DataType.FLOAT, [rows, k]), g.input('b', DataType.FLOAT, [k, n])]), 'y', DataType.FLOAT, [rows, n]);
  const session = await createSession(encodeModel(g.toModel({ '': 21 })), { provider }, 'the MatMul baseline');
  const feeds = {
    a: new ort.Tensor('float32', new Float32Array(rows * k).fill(0.5), [rows, k]),
    b: new ort.Tensor('float32', new Float32Array(k * n).fill(0.25), [k, n]),
  };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const flops = 2 * rows * k * n;
  const best = await bestRate(() => session.run(feeds), flops);
  await session.release();
  return best;
}

/**
 * GFLOP/s of `run` (`flops` each), the best of a few rounds: a busy or throttled moment only slows
 * a round, never speeds one up, so the best round is the machine's rate.
 */
async function bestRate(run: () => Promise<unknown>, flops: number, rounds = 5, runsPerRound = 10): Promise<number> {
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const t = performance.now();
    for (let i = 0; i < runsPerRound; i++) await run();
    best = Math.max(best, (runsPerRound * flops) / ((performance.now() - t) / 1000) / 1e9);
  }
  return best;
}

/** One onnxruntime-node thread's GFLOP/s for a linear layer's forward and backward at batch 1 on the machine nanoVLM's PyTorch figures come from. */
export const PYTORCH_MACHINE_LINEAR_GFLOP_S = 135;

/**
 * A linear layer's forward and backward as issue 11 measured it (113×576 by 576×1536, the weight
 * passed as an input: y = x·Wᵀ, dx = dy·W, dW = dyᵀ·x) on one CPU thread, GFLOP/s: the yardstick
 * that carries nanoVLM's PyTorch figures (one thread) from the machine they were measured on to
 * this one.
 */
export async function linearForwardBackwardOneThread(): Promise<number> {
  const [m, k, n] = [IMAGE_TOKENS + TEXT_TOKENS, 576, 1536];
  const g = new GraphBuilder('linear');
  const x = g.input('x', DataType.FLOAT, [m, k]);
  const w = g.input('w', DataType.FLOAT, [n, k]);
  const dy = g.input('dy', DataType.FLOAT, [m, n]);
  g.output(g.op('Gemm', [x, w], { transB: 1 }), 'y', DataType.FLOAT, [m, n]);
  g.output(g.op('MatMul', [dy, w]), 'dx', DataType.FLOAT, [m, k]);
  g.output(g.op('Gemm', [dy, x], { transA: 1 }), 'dw', DataType.FLOAT, [n, k]);
  const session = await createSession(encodeModel(g.toModel({ '': 21 })), { provider: 'cpu', threads: 1 }, 'the linear-layer yardstick');
  const tensor = (dims: number[], value: number) => new ort.Tensor('float32', new Float32Array(dims[0]! * dims[1]!).fill(value), dims);
  const feeds = { x: tensor([m, k], 0.5), w: tensor([n, k], 0.25), dy: tensor([m, n], 0.125) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const best = await bestRate(() => session.run(feeds), 3 * 2 * m * k * n);
  await session.release();
  return best;
}

/**
 * Model sizes the benches run at (prefix family, config.json fields over nanoVLM-222M's defaults):
 * `small` keeps 222M's token counts and vocabulary with a quarter of its width and depth, for
 * slow devices (a software adapter).
 */
export const BENCH_SIZES = {
  '222m': {},
  small: {
    vit_hidden_dim: 192,
    vit_inter_dim: 768,
    vit_n_heads: 3,
    vit_n_blocks: 3,
    lm_hidden_dim: 192,
    lm_inter_dim: 512,
    lm_n_heads: 3,
    lm_n_kv_heads: 1,
    lm_n_blocks: 8,
  },
} satisfies Record<string, Record<string, unknown>>;
export type BenchSize = keyof typeof BENCH_SIZES;

/** A prefix-family checkpoint of that size with small random weights (never written to disk). */
export function randomPrefixCheckpoint(size: BenchSize = '222m'): Checkpoint {
  const spec = parseConfig(BENCH_SIZES[size]);
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
  return { ...spec, dir: '(random)', rawConfig: {}, weights: undefined as never, read, close: () => {} };
}

export function randomPrefixBatch(rows: number, imageSize: number, vocab: number): TrainingBatch {
  const cells = rows * TEXT_TOKENS;
  const inputIds = Int32Array.from({ length: cells }, (_, i) => (i * 7919) % vocab);
  const targets = Int32Array.from({ length: cells }, (_, i) => (i % TEXT_TOKENS >= TEXT_TOKENS - LABELLED_TOKENS ? inputIds[(i + 1) % cells]! : -100));
  const pixelValues = Float32Array.from({ length: rows * 3 * imageSize * imageSize }, (_, i) => (i % 255) / 255);
  return { inputIds, targets, rows, length: TEXT_TOKENS, pixelValues, imageCount: rows };
}

/** The first step (graphs built), then `steps` more timed, on the engine already started. */
export async function timeTrainingSteps(selected: SelectedEngine, row: StepShape, steps: number, size: BenchSize = '222m'): Promise<StepTiming> {
  const checkpoint = randomPrefixCheckpoint(size);
  const c = checkpoint.config;
  const micro = Array.from({ length: row.batch / row.micro }, () => randomPrefixBatch(row.micro, c.vit_img_size, c.lm_vocab_size));
  const loaded = await createTrainer(
    selected,
    checkpoint,
    { optimizer: { ...DEFAULT_OPTIMIZER, learningRates: ratesOf(row) }, gradientAccumulationSteps: micro.length, schedule: { kind: 'constant' } },
    0,
  );
  try {
    let t = performance.now();
    await loaded.trainer.trainStep(micro);
    const first_step_ms = performance.now() - t;
    // a step of another length bucket would build another graph: every timed step has this one's
    t = performance.now();
    for (let i = 0; i < steps; i++) await loaded.trainer.trainStep(micro);
    const ms_per_step = steps > 0 ? (performance.now() - t) / steps : first_step_ms;
    const copied = row.engine === 'onnxruntime' ? (loaded.trainer as OnnxRuntimeTrainer).bytesCopiedPerStep / 2 ** 20 : undefined;
    return {
      samples_per_s: (1000 * row.batch) / ms_per_step,
      gflop_s: stepFlops(c, row) / ms_per_step / 1e6,
      ms_per_step,
      first_step_ms,
      timed_steps: steps,
      ...(copied === undefined ? {} : { copied_mib: copied }),
    };
  } finally {
    await loaded.dispose();
  }
}
