// Training-step speed at nanoVLM-222M's dimensions (random weights, 49 image + 64 text tokens, the
// last 16 labelled): samples/s and achieved GFLOP/s of one AdamW step, for batch 1 and 4 with the
// vision encoder frozen and trained (projector + decoder always trained), on every engine this
// machine has. Each row runs in a child process of its own (a fresh heap: wasm's is capped at
// 4 GB) and is compared with the engine's own 512³ matmul, measured in the same process.
// A batch whose memory estimate exceeds what the wasm heap holds runs there as accumulated
// micro-batches of one sample (shown as "4 (4×1)"); rows that do not fit even so are not run on
// wasm (the trainer sends such runs to the cpu engine). Rows whose estimated step exceeds
// --max-step-s time their first step only. Prints figures; asserts nothing.
//
//   npm run bench:train [-- --engines wasm,cpu] [-- --batches 1,4] [-- --vision frozen,trained]
//                       [-- --train mp+language|mp] [-- --steps N] [-- --max-step-s S] [-- --size fixture]
//                       [-- --ignore-estimate]   (run wasm rows even when the memory estimate says no)
//                       [-- --max-row-s S]       (skip rows whose first step would take longer; default 900)
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openCheckpoint, type Checkpoint } from '../src/main/model/checkpoint';
import { parseConfig, type NanoVLMConfig } from '../src/main/model/config';
import { readBatchFile } from '../src/main/cli/batch-file';
import type { TrainingBatch } from '../src/main/training/data/batch';
import { detectTrainingEngines, selectTrainingEngine } from '../src/main/training/tfjs/backends';
import { estimateTrainingMemory, gib, WASM_TRAINING_LIMIT_BYTES } from '../src/shared/memory-estimate';
import { modelShape, storedParameterShapes } from '../src/main/model/parameters';
import { ModelParameters } from '../src/main/training/tfjs/parameters';
import { isTrainedGroup, Trainer } from '../src/main/training/tfjs/trainer';
import { DEFAULT_OPTIMIZER, type LearningRates, type TrainingEngineName } from '../src/shared/training';

const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'split');
const TEXT_TOKENS = 64;
const LABELLED_TOKENS = 16;

interface Row {
  engine: TrainingEngineName;
  /** samples per optimiser step */
  batch: number;
  /** samples per forward/backward (batch / micro micro-batches accumulated) */
  micro: number;
  vision: 'frozen' | 'trained';
  train: 'mp' | 'mp+language';
}

interface RowResult {
  samples_per_s: number;
  gflop_s: number;
  ms_per_step: number;
  first_step_ms: number;
  timed_steps: number;
  matmul_gflop_s: number;
  memory_mib: number;
}

/** GFLOP/s each engine reached on 222M-sized steps on the 2-core machine this was written on (cpu: 0.23, wasm: 5–6.6) */
const GUESSED_GFLOP_S: Record<TrainingEngineName, number> = { cpu: 0.25, wasm: 5.5, 'tfjs-node': 30, 'tfjs-node-gpu': 2000 };

const ratesOf = (row: Row): LearningRates => ({ mp: 1e-3, vision: row.vision === 'trained' ? 1e-4 : 0, language: row.train === 'mp' ? 0 : 1e-4 });

/** Multiply-adds ×2 of a prefix-family step: forward everywhere, backward (×2) where gradients flow. */
function stepFlops(c: NanoVLMConfig, row: Row): number {
  const patches = (c.vit_img_size / c.vit_patch_size) ** 2;
  const d = c.vit_hidden_dim;
  const vit = c.vit_n_blocks * patches * 2 * (4 * d * d + 2 * d * c.vit_inter_dim) + c.vit_n_blocks * 4 * patches * patches * d + patches * 2 * d * 3 * c.vit_patch_size ** 2;
  const tokens = patches / c.mp_pixel_shuffle_factor ** 2;
  const t = tokens + TEXT_TOKENS;
  const h = c.lm_hidden_dim;
  const kv = (h / c.lm_n_heads) * c.lm_n_kv_heads;
  const lm = c.lm_n_blocks * (t * 2 * (2 * h * h + 2 * h * kv + 3 * h * c.lm_inter_dim) + 4 * t * t * h) + tokens * 2 * d * c.mp_pixel_shuffle_factor ** 2 * h + LABELLED_TOKENS * 2 * h * c.lm_vocab_size;
  // a frozen decoder still passes gradients back to the projector (×2, not ×3)
  return row.batch * (vit * (row.vision === 'trained' ? 3 : 1) + lm * (row.train === 'mp' ? 2 : 3));
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

/** The wasm heap's size (it only grows, so this is its peak), else the process's peak RSS. */
function memoryMiB(): number {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  return wasm ? wasm.HEAPU8.byteLength / 2 ** 20 : process.resourceUsage().maxRSS / 1024;
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

function randomPrefixBatch(rows: number, imageSize: number, vocab: number): TrainingBatch {
  const cells = rows * TEXT_TOKENS;
  const inputIds = Int32Array.from({ length: cells }, (_, i) => (i * 7919) % vocab);
  const targets = Int32Array.from({ length: cells }, (_, i) => (i % TEXT_TOKENS >= TEXT_TOKENS - LABELLED_TOKENS ? inputIds[(i + 1) % cells]! : -100));
  const pixelValues = Float32Array.from({ length: rows * 3 * imageSize * imageSize }, (_, i) => (i % 255) / 255);
  return { inputIds, targets, rows, length: TEXT_TOKENS, pixelValues, imageCount: rows };
}

/** One warm-up step (kernel set-up, optimiser state), then `steps` timed ones (0: the warm-up is the figure). */
function timeSteps(parameters: ModelParameters, micro: TrainingBatch[], rates: LearningRates, steps: number, flops: number): RowResult {
  const trainer = new Trainer(parameters, { optimizer: { ...DEFAULT_OPTIMIZER, learningRates: rates }, gradientAccumulationSteps: micro.length, schedule: { kind: 'constant' } });
  let t = performance.now();
  trainer.trainStep(micro);
  const first_step_ms = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < steps; i++) trainer.trainStep(micro);
  const ms_per_step = steps > 0 ? (performance.now() - t) / steps : first_step_ms;
  trainer.dispose();
  const samples = micro.reduce((n, b) => n + b.rows, 0);
  return {
    samples_per_s: (1000 * samples) / ms_per_step, gflop_s: flops / ms_per_step / 1e6, ms_per_step, first_step_ms, timed_steps: steps,
    matmul_gflop_s: matMulBaseline(), memory_mib: memoryMiB(),
  };
}

/** Child: one row at 222M dims; prints its RowResult as JSON. */
async function childRow(row: Row, steps: number): Promise<void> {
  await selectTrainingEngine(row.engine);
  const dir = mkdtempSync(join(tmpdir(), 'nanovlm-bench-'));
  try {
    const rates = ratesOf(row);
    const checkpoint = randomPrefixCheckpoint(dir);
    const parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(rates));
    const c = checkpoint.config;
    const micro = Array.from({ length: row.batch / row.micro }, () => randomPrefixBatch(row.micro, c.vit_img_size, c.lm_vocab_size));
    const result = timeSteps(parameters, micro, rates, steps, stepFlops(c, row));
    parameters.dispose();
    process.stdout.write(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The golden fixture's small split-family model, per engine: a quick check that steps run at all. */
async function fixtureRows(engines: TrainingEngineName[], steps: number): Promise<void> {
  for (const engine of engines) {
    await selectTrainingEngine(engine);
    const checkpoint = openCheckpoint(FIXTURE);
    const rates = { mp: 1e-2, vision: 1e-3, language: 1e-3 };
    const parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(rates));
    checkpoint.close();
    const r = timeSteps(parameters, [readBatchFile(join(FIXTURE, 'expected.safetensors'))], rates, Math.max(1, steps) * 5, 0);
    parameters.dispose();
    console.log(`${engine}, fixture size (split, 5 tiles, 44 tokens): ${r.samples_per_s.toFixed(2)} samples/s (${r.ms_per_step.toFixed(0)} ms/step)`);
  }
}

type Outcome = { row: Row; result: RowResult } | { row: Row; skipped: string };

function runRow(row: Row, steps: number): Outcome {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--child', JSON.stringify(row), '--steps', String(steps)];
  try {
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
    return { row, result: JSON.parse(out) as RowResult };
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n');
    return { row, skipped: `failed: ${stderr.find((l) => /Error|abort|memory/i.test(l)) ?? stderr.at(-1)}` };
  }
}

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value.split(',').filter(Boolean) as T[];
  for (const item of items) if (!allowed.includes(item)) throw new Error(`${what}: unknown "${item}" (one of ${allowed.join(', ')})`);
  return items;
}

function printTable(outcomes: Outcome[]): void {
  const header = ['engine', 'batch', 'vision', 'samples/s', 'GFLOP/s', 'vs 512³ mm', 's/step', 'first s', 'memory MiB'];
  console.log(header.map((h) => h.padStart(11)).join(''));
  for (const o of outcomes) {
    const head = [o.row.engine, o.row.micro === o.row.batch ? String(o.row.batch) : `${o.row.batch} (${o.row.batch / o.row.micro}×${o.row.micro})`, o.row.vision];
    if ('skipped' in o) {
      console.log([...head.map((h) => h.padStart(11)), `  ${o.skipped}`].join(''));
      continue;
    }
    const r = o.result;
    const cells = [r.samples_per_s.toFixed(3), r.gflop_s.toFixed(2), `${(r.gflop_s / r.matmul_gflop_s).toFixed(2)}×`, (r.ms_per_step / 1000).toFixed(1), (r.first_step_ms / 1000).toFixed(1), r.memory_mib.toFixed(0)];
    console.log([...head, ...cells].map((v) => v.padStart(11)).join('') + (r.timed_steps === 0 ? '  (first step only)' : ''));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' }, size: { type: 'string', default: '222m' }, engines: { type: 'string' }, batches: { type: 'string', default: '1,4' },
      vision: { type: 'string', default: 'frozen,trained' }, train: { type: 'string', default: 'mp+language' }, steps: { type: 'string', default: '1' },
      'max-step-s': { type: 'string', default: '120' }, 'max-row-s': { type: 'string', default: '900' }, 'ignore-estimate': { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  if (values.child) return childRow(JSON.parse(values.child) as Row, steps);
  const available = detectTrainingEngines().filter((e) => e.available).map((e) => e.engine);
  const engines = values.engines ? list(values.engines, available, '--engines') : available;
  if (values.size === 'fixture') return fixtureRows(engines, steps);

  const config = parseConfig({}).config;
  const train = list(values.train!, ['mp', 'mp+language'] as const, '--train')[0]!;
  const rows: Row[] = engines.flatMap((engine) => list(values.batches!, ['1', '2', '4', '8'] as const, '--batches').flatMap((b) =>
    list(values.vision!, ['frozen', 'trained'] as const, '--vision').map((vision) => ({ engine, batch: Number(b), micro: Number(b), vision, train }))));
  console.log(`nanoVLM-222M dimensions, training projector${train === 'mp' ? '' : ' + decoder'} (+ vision where "trained"); ${TEXT_TOKENS} text tokens (${LABELLED_TOKENS} labelled) + 49 image tokens per sample`);
  console.log(`${cpus()[0]?.model.trim()}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; engines: ${engines.join(', ')}\n`);
  const outcomes: Outcome[] = [];
  const tokens = 49 + TEXT_TOKENS;
  for (const planned of rows) {
    let row = planned;
    if (row.engine === 'wasm' && !values['ignore-estimate']) {
      // a batch the heap cannot hold at once runs as accumulated micro-batches of one sample
      const shape = modelShape(parseConfig({}));
      const whole = estimateTrainingMemory(shape, ratesOf(row), { tokens: row.batch * tokens, images: row.batch }, 'wasm').total;
      const single = estimateTrainingMemory(shape, ratesOf(row), { tokens, images: 1, accumulated: row.batch }, 'wasm').total;
      if (whole > WASM_TRAINING_LIMIT_BYTES && row.batch > 1 && single <= WASM_TRAINING_LIMIT_BYTES) row = { ...row, micro: 1 };
      if (Math.min(whole, single) > WASM_TRAINING_LIMIT_BYTES) {
        const needs = row.batch > 1 ? `≈${gib(whole)}, or ≈${gib(single)} as micro-batches of one` : `≈${gib(whole)}`;
        outcomes.push({ row, skipped: `not run: needs ${needs}; the wasm heap holds ${gib(WASM_TRAINING_LIMIT_BYTES)} (such runs train on the cpu engine)` });
        continue;
      }
    }
    // a first guess of the step time, from the rate each engine reached at these sizes here, decides
    // whether to time more than the first step, or to run the row at all
    const guessS = stepFlops(config, row) / 1e9 / GUESSED_GFLOP_S[row.engine];
    if (guessS > Number(values['max-row-s'])) {
      outcomes.push({ row, skipped: `not run: ≈${(guessS / 60).toFixed(0)} min per step on this engine (pass --max-row-s ${Math.ceil(guessS / 100) * 100} to run it)` });
      continue;
    }
    const rowSteps = guessS > Number(values['max-step-s']) ? 0 : steps;
    process.stderr.write(`${row.engine} batch ${row.batch} vision ${row.vision}: ≈${guessS.toFixed(0)} s per step…\n`);
    outcomes.push(runRow(row, rowSteps));
  }
  console.log('');
  printTable(outcomes);
  console.log(`\nFor reference: nanoVLM's PyTorch step on Debian's CPU build takes about 4.3–5 s for one sample of 113 tokens on the 2-core machine this was developed on.`);
}

await main();
