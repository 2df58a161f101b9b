// Training-step speed at nanoVLM-222M's dimensions (random weights, 49 image + 64 text tokens, the
// last 16 labelled): samples/s and achieved GFLOP/s of one AdamW step, for batch 1 and 4 with the
// vision encoder frozen and trained (projector + decoder always trained), on every engine this
// machine has. Each row runs in a child process of its own (a fresh heap: wasm's is capped at 4 GB)
// and is compared, in that same process, with a plain fp32 matrix product on the same engine: for
// onnxruntime a MatMul of the step's typical shape (113·batch × 576 by 576 × 1536) on the same
// provider, for TensorFlow.js its 512³ matMul. A wasm batch whose memory estimate exceeds the heap
// runs as accumulated micro-batches of one sample ("4 (4×1)"); rows that do not fit even so, or
// whose first step would take longer than --max-row-s, are listed with the reason. Prints figures
// (and ratios against the fastest TensorFlow.js row of the same shape, and against nanoVLM's own
// PyTorch step as measured on an AVX-512 machine of this kind, as is and carried to this machine
// by one thread's speed on a linear layer, measured in each row); asserts nothing.
//
//   npm run bench:train [-- --engines onnxruntime,wasm] [-- --batches 1,4] [-- --vision frozen,trained]
//                       [-- --train mp+language|mp] [-- --steps N] [-- --max-step-s S] [-- --max-row-s S]
//                       [-- --provider cpu|cuda|webgpu] [-- --adamw kernel,graph,graph-split] [-- --ignore-estimate] [-- --json]
//   --adamw: where the onnxruntime rows run AdamW, a row for each: the CPU kernel (a run's way on the CPU),
//   graph operators fused into the step (a run's way on a GPU), or split from it (a GPU run's way when a
//   fused step would need more than 60% of the machine's memory). Default: what a run would do.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/main/model/config';
import { modelShape } from '../src/main/model/parameters';
import { INFERENCE_PROVIDERS, resolveProvider } from '../src/main/runtime/providers';
import { detectTrainingEngines, selectEngineForRun } from '../src/main/training/engines/select-engine';
import { TRAINER_MALLOC_ENV } from '../src/main/training/process/trainer-client';
import { estimateTrainingMemory, gib, WASM_TRAINING_LIMIT_BYTES } from '../src/shared/memory-estimate';
import type { TrainingEngineName } from '../src/shared/training';
import {
  ADAMW_PLACES,
  type AdamwPlace,
  IMAGE_TOKENS,
  LABELLED_TOKENS,
  linearForwardBackwardOneThread,
  onnxMatMul,
  PYTORCH_MACHINE_LINEAR_GFLOP_S,
  ratesOf,
  stepFlops,
  TEXT_TOKENS,
  timeTrainingSteps,
  type StepShape,
  type StepTiming,
} from './training-step';

type Row = StepShape;

interface RowResult extends StepTiming {
  matmul_gflop_s: number;
  memory_mib: number;
  /** the linear-layer yardstick on one CPU thread (linearForwardBackwardOneThread) */
  linear_1t_gflop_s: number;
}

/** GFLOP/s each engine reached on 222M-sized steps on the 2-core machines of this kind (a first guess of a row's time) */
const GUESSED_GFLOP_S: Record<TrainingEngineName, number> = { onnxruntime: 60, cpu: 0.25, wasm: 5.5, 'tfjs-node': 30, 'tfjs-node-gpu': 2000 };

/**
 * nanoVLM's own PyTorch step at these dimensions (v0.1 code, Debian's torch 1.13, one thread, its
 * fastest setting), measured on an AVX-512 machine of this kind: samples/s by batch and vision.
 */
const PYTORCH_SAMPLES_PER_S: Record<string, number> = { '1/frozen': 0.69, '1/trained': 0.45, '4/frozen': 1.04, '4/trained': 0.31 };

/** TensorFlow.js's own 512³ matmul, GFLOP/s. */
function tfjsMatMul(): number {
  const a = tf.randomNormal([512, 512]);
  tf.matMul(a, a).dispose();
  const t = performance.now();
  for (let i = 0; i < 5; i++) tf.matMul(a, a).dataSync();
  a.dispose();
  return (5 * 2 * 512 ** 3) / ((performance.now() - t) / 1000) / 1e9;
}

/** The wasm heap's size (it only grows, so this is its peak), else the process's peak RSS. */
function memoryMiB(engine: TrainingEngineName): number {
  const wasm = engine === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm : undefined;
  return wasm ? wasm.HEAPU8.byteLength / 2 ** 20 : process.resourceUsage().maxRSS / 1024;
}

/** Child: one row at 222M dims; prints its RowResult as JSON. */
async function childRow(row: Row, steps: number): Promise<void> {
  const selected = await selectEngineForRun(row.engine, { wasm: 0, native: 0 });
  if (row.provider) selected.provider = row.provider;
  if (row.adamw) {
    selected.graphOptimizer = row.adamw !== 'kernel';
    selected.splitUpdate = row.adamw === 'graph-split';
  }
  const timing = await timeTrainingSteps(selected, row, steps);
  const matmul = row.engine === 'onnxruntime' ? await onnxMatMul((IMAGE_TOKENS + TEXT_TOKENS) * row.micro, selected.provider ?? 'cpu') : tfjsMatMul();
  const result: RowResult = { ...timing, matmul_gflop_s: matmul, memory_mib: memoryMiB(row.engine), linear_1t_gflop_s: await linearForwardBackwardOneThread() };
  process.stdout.write(JSON.stringify(result));
}

type Outcome = { row: Row; result: RowResult } | { row: Row; skipped: string };

function runRow(row: Row, steps: number): Outcome {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', '--expose-gc', self, '--child', JSON.stringify(row), '--steps', String(steps)];
  try {
    // a step's buffers are reused from the heap instead of fresh pages (what the trainer subprocess does)
    const env = { ...process.env, ...TRAINER_MALLOC_ENV };
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
    return { row, result: JSON.parse(out) as RowResult };
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message)
      .trim()
      .split('\n');
    return { row, skipped: `failed: ${stderr.find((l) => /Error|abort|memory/i.test(l)) ?? stderr.at(-1)}` };
  }
}

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value.split(',').filter(Boolean) as T[];
  for (const item of items) if (!allowed.includes(item)) throw new Error(`${what}: unknown "${item}" (one of ${allowed.join(', ')})`);
  return items;
}

const shapeKey = (row: Row): string => `${row.batch}/${row.vision}`;

/**
 * nanoVLM's PyTorch figure for the row's shape carried to this machine: scaled by how fast one
 * thread runs the linear-layer yardstick here against on the machine it was measured on (PyTorch
 * ran on one thread). An estimate: PyTorch itself cannot run here.
 */
function pytorchHere(row: Row, r: RowResult): number | undefined {
  const there = PYTORCH_SAMPLES_PER_S[shapeKey(row)];
  return there === undefined ? undefined : (there * r.linear_1t_gflop_s) / PYTORCH_MACHINE_LINEAR_GFLOP_S;
}

function printTable(outcomes: Outcome[]): void {
  const header = [
    'engine',
    'batch',
    'vision',
    'samples/s',
    'GFLOP/s',
    'vs matmul',
    's/step',
    'first s',
    'memory MiB',
    'copied MiB',
    'vs PyTorch',
    'PyTorch est',
    'vs est',
  ];
  console.log(header.map((h) => h.padStart(12)).join(''));
  for (const o of outcomes) {
    const head = [
      o.row.engine === 'onnxruntime'
        ? `ort${o.row.adamw ? ` ${o.row.adamw}` : ''}${o.row.provider && o.row.provider !== 'cpu' ? ` ${o.row.provider}` : ''}`
        : o.row.engine,
      o.row.micro === o.row.batch ? String(o.row.batch) : `${o.row.batch} (${o.row.batch / o.row.micro}×${o.row.micro})`,
      o.row.vision,
    ];
    if ('skipped' in o) {
      console.log([...head.map((h) => h.padStart(12)), `  ${o.skipped}`].join(''));
      continue;
    }
    const r = o.result;
    const pytorch = PYTORCH_SAMPLES_PER_S[shapeKey(o.row)];
    const here = pytorchHere(o.row, r);
    const cells = [
      r.samples_per_s.toFixed(3),
      r.gflop_s.toFixed(1),
      `${(r.gflop_s / r.matmul_gflop_s).toFixed(2)}×`,
      (r.ms_per_step / 1000).toFixed(2),
      (r.first_step_ms / 1000).toFixed(1),
      r.memory_mib.toFixed(0),
      r.copied_mib === undefined ? '–' : r.copied_mib.toFixed(0),
      pytorch ? `${(r.samples_per_s / pytorch).toFixed(2)}×` : '–',
      here ? here.toFixed(3) : '–',
      here ? `${(r.samples_per_s / here).toFixed(2)}×` : '–',
    ];
    console.log([...head, ...cells].map((v) => v.padStart(12)).join('') + (r.timed_steps === 0 ? '  (first step only)' : ''));
  }
}

/** Each onnxruntime row against the fastest TensorFlow.js row of the same shape, measured in this run. */
function printRatios(outcomes: Outcome[]): void {
  const done = outcomes.filter((o): o is { row: Row; result: RowResult } => 'result' in o);
  for (const o of done.filter((d) => d.row.engine === 'onnxruntime')) {
    const baseline = done
      .filter((d) => d.row.engine !== 'onnxruntime' && shapeKey(d.row) === shapeKey(o.row))
      .sort((a, b) => b.result.samples_per_s - a.result.samples_per_s)[0];
    const vsTfjs = baseline ? `${(o.result.samples_per_s / baseline.result.samples_per_s).toFixed(1)}× ${baseline.row.engine}` : 'no TensorFlow.js row';
    console.log(
      `onnxruntime, batch ${o.row.batch}, vision ${o.row.vision}: ${vsTfjs}; step at ${((100 * o.result.gflop_s) / o.result.matmul_gflop_s).toFixed(0)}% of the plain MatMul's GFLOP/s`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      engines: { type: 'string' },
      batches: { type: 'string', default: '1,4' },
      vision: { type: 'string', default: 'frozen,trained' },
      train: { type: 'string', default: 'mp+language' },
      steps: { type: 'string', default: '2' },
      'max-step-s': { type: 'string', default: '120' },
      'max-row-s': { type: 'string', default: '900' },
      'ignore-estimate': { type: 'boolean', default: false },
      provider: { type: 'string' },
      json: { type: 'boolean', default: false },
      adamw: { type: 'string' },
    },
  });
  const steps = Number(values.steps);
  if (values.child) return childRow(JSON.parse(values.child) as Row, steps);
  const available = (await detectTrainingEngines()).filter((e) => e.available).map((e) => e.engine);
  const engines = values.engines ? list(values.engines, available, '--engines') : available;
  const provider = values.provider ? list(values.provider, INFERENCE_PROVIDERS, '--provider')[0] : undefined;
  // the device the onnxruntime rows run on, said beside the figures ("… — software adapter" on lavapipe)
  const device = engines.includes('onnxruntime') ? resolveProvider(provider).device : undefined;
  const log = values.json ? (text: string) => process.stderr.write(`${text}\n`) : (text: string) => console.log(text);

  const config = parseConfig({}).config;
  const train = list(values.train!, ['mp', 'mp+language'] as const, '--train')[0]!;
  const places: (AdamwPlace | undefined)[] = values.adamw ? list(values.adamw, ADAMW_PLACES, '--adamw') : [undefined];
  const rows: Row[] = engines.flatMap((engine) =>
    list(values.batches!, ['1', '2', '4', '8'] as const, '--batches').flatMap((b) =>
      list(values.vision!, ['frozen', 'trained'] as const, '--vision').flatMap((vision) =>
        (engine === 'onnxruntime' ? places : [undefined]).map((adamw) => ({
          engine,
          batch: Number(b),
          micro: Number(b),
          vision,
          train,
          provider: engine === 'onnxruntime' ? provider : undefined,
          adamw,
        })),
      ),
    ),
  );
  log(
    `nanoVLM-222M dimensions, training projector${train === 'mp' ? '' : ' + decoder'} (+ vision where "trained"); ${TEXT_TOKENS} text tokens (${LABELLED_TOKENS} labelled) + ${IMAGE_TOKENS} image tokens per sample`,
  );
  log(`${cpus()[0]?.model.trim()}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; engines: ${engines.join(', ')}`);
  log(device ? `onnxruntime rows on: ${device}\n` : '');
  const outcomes: Outcome[] = [];
  const tokens = IMAGE_TOKENS + TEXT_TOKENS;
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
        outcomes.push({ row, skipped: `not run: needs ${needs}; the wasm heap holds ${gib(WASM_TRAINING_LIMIT_BYTES)}` });
        continue;
      }
    }
    // a first guess of the step time decides whether to time more than the first step, or to run the row at all
    const guessS = stepFlops(config, row) / 1e9 / GUESSED_GFLOP_S[row.engine];
    if (guessS > Number(values['max-row-s'])) {
      outcomes.push({
        row,
        skipped: `not run: ≈${(guessS / 60).toFixed(0)} min per step on this engine (pass --max-row-s ${Math.ceil(guessS / 100) * 100} to run it)`,
      });
      continue;
    }
    const rowSteps = guessS > Number(values['max-step-s']) ? 0 : steps;
    process.stderr.write(`${row.engine} batch ${row.batch} vision ${row.vision}: ≈${guessS.toFixed(0)} s per step…\n`);
    outcomes.push(runRow(row, rowSteps));
  }
  if (values.json) {
    const json = outcomes
      .filter((o): o is { row: Row; result: RowResult } => 'result' in o)
      .map(({ row, result }) => ({
        engine: row.engine,
        ...(row.engine === 'onnxruntime' ? { provider: row.provider ?? resolveProvider().provider, device } : {}),
        ...(row.adamw ? { adamw: row.adamw } : {}),
        batch: row.batch,
        vision: row.vision,
        samples_per_s: result.samples_per_s,
        gflop_s: result.gflop_s,
        matmul_gflop_s: result.matmul_gflop_s,
        memory_mib: result.memory_mib,
        linear_1t_gflop_s: result.linear_1t_gflop_s,
        pytorch_estimate_samples_per_s: pytorchHere(row, result) ?? null,
      }));
    console.log(JSON.stringify({ rows: json }));
    return;
  }
  console.log('');
  printTable(outcomes);
  console.log('');
  printRatios(outcomes);
  console.log(
    `\n"vs PyTorch": against nanoVLM's own PyTorch step measured on an AVX-512 machine of this kind (batch 1: 0.69 samples/s vision frozen, 0.45 trained; batch 4: 1.04 and 0.31, one thread); meaningful only on that machine.` +
      `\n"PyTorch est": those figures carried to this machine by one thread's linear-layer forward and backward (${PYTORCH_MACHINE_LINEAR_GFLOP_S} GFLOP/s there; ${linearHere(outcomes)} here): an estimate, PyTorch cannot run here.`,
  );
}

function linearHere(outcomes: Outcome[]): string {
  const figures = outcomes.flatMap((o) => ('result' in o ? [o.result.linear_1t_gflop_s] : []));
  return figures.length ? `${Math.min(...figures).toFixed(0)}–${Math.max(...figures).toFixed(0)} GFLOP/s in this run's rows` : 'not measured';
}

await main();
