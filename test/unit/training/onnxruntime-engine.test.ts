// The ONNX Runtime training engine in a real run: on the bundled demo model and data its losses
// follow the wasm engine's (the reference) step by step, gradient accumulation (its accumulate and
// apply graphs) resumes exactly from a checkpoint, and a model it cannot build is refused at the
// start with the dimension named.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PADDED_BATCH_NAMES, readBatchFile } from '../../../src/main/cli/batch-file';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { parseConfig } from '../../../src/main/model/config';
import { restoreTrainerState } from '../../../src/main/training/checkpoints/checkpoint-reader';
import { writeCheckpoint } from '../../../src/main/training/checkpoints/checkpoint-writer';
import { createTrainer, type LoadedTrainer } from '../../../src/main/training/engines/create-trainer';
import type { StepReport, TrainerSettings } from '../../../src/main/training/engines/model-trainer';
import type { SelectedEngine } from '../../../src/main/training/engines/select-engine';
import { OnnxRuntimeTrainer, type OnnxTrainerOptions } from '../../../src/main/training/onnxruntime/onnxruntime-trainer';
import { buildStepGraph } from '../../../src/main/training/onnxruntime/step-graph';
import { TRAINING_GRAPH_CACHE } from '../../../src/main/training/onnxruntime/training-graph-cache';
import { runTraining } from '../../../src/main/training/process/training-run';
import { DEFAULT_OPTIMIZER, type TrainerMessage, type TrainingEngineName } from '../../../src/shared/training';
import { expectedFile, FIXTURE_RATES, fixtureDir } from './fixtures';

const RESOURCES = join(import.meta.dirname, '..', '..', '..', 'resources');
const ORT: SelectedEngine = { engine: 'onnxruntime', provider: 'cpu', reason: 'test', skipped: [] };
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nanovlm-ort-engine-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function demoLosses(engine: TrainingEngineName, steps: number): Promise<number[]> {
  const losses: number[] = [];
  const dataset = join(work, `demo-${engine}.jsonl`);
  // the demo data file, its image paths made absolute
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(join(RESOURCES, 'demo-data', 'demo.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { images: string[] });
  writeFileSync(dataset, lines.map((r) => JSON.stringify({ ...r, images: r.images.map((p) => join(RESOURCES, 'demo-data', p)) })).join('\n'));
  await runTraining(
    {
      baseModelDir: join(RESOURCES, 'demo-model'),
      tokenizerDir: join(RESOURCES, 'demo-model'),
      datasetPath: dataset,
      outputDir: join(work, `run-${engine}`),
      optimizer: { ...DEFAULT_OPTIMIZER, learningRates: { mp: 1e-3, vision: 1e-4, language: 1e-4 } },
      maxSteps: steps,
      batchSize: 4,
      gradientAccumulationSteps: 1,
      seed: 3,
      checkpointEvery: steps,
      engine,
    },
    (m: TrainerMessage) => {
      if (m.type === 'metrics') losses.push(m.loss);
    },
    new AbortController().signal,
  );
  return losses;
}

describe('the onnxruntime training engine', () => {
  it('follows the wasm engine over 20 steps on the demo data (1e-3 relative for 5 steps, 1e-2 up to 20)', async () => {
    const reference = await demoLosses('wasm', 20);
    const ort = await demoLosses('onnxruntime', 20);
    expect(ort).toHaveLength(20);
    const worst = (from: number, to: number) => Math.max(...ort.slice(from, to).map((l, i) => Math.abs(l / reference[from + i]! - 1)));
    console.log(
      `losses ${reference[0]!.toFixed(4)} → ${reference[19]!.toFixed(4)}; largest relative difference: ${worst(0, 5).toExponential(1)} (steps 1–5), ${worst(5, 20).toExponential(1)} (6–20)`,
    );
    ort.forEach((loss, i) => {
      const relative = Math.abs(loss / reference[i]! - 1);
      expect(relative, `step ${i + 1}: onnxruntime ${loss}, wasm ${reference[i]}`).toBeLessThanOrEqual(i < 5 ? 1e-3 : 1e-2);
    });
  }, 240_000);

  it('accumulates micro-batches and resumes from a checkpoint exactly', async () => {
    const settings: TrainerSettings = {
      optimizer: { ...DEFAULT_OPTIMIZER, learningRates: { ...FIXTURE_RATES, vision: 0 } },
      gradientAccumulationSteps: 2,
      schedule: { kind: 'cosine', maxSteps: 5 },
    };
    const single = () => readBatchFile(expectedFile('inline'));
    const padded = () => readBatchFile(expectedFile('inline'), PADDED_BATCH_NAMES);
    const microBatches = (step: number) => (step % 2 === 0 ? [single(), padded()] : [padded(), single()]);
    const load = async (dir: string): Promise<LoadedTrainer> => {
      const checkpoint = openCheckpoint(dir);
      try {
        return await createTrainer(ORT, checkpoint, settings, 0);
      } finally {
        checkpoint.close();
      }
    };

    const uninterrupted = await load(fixtureDir('inline'));
    const reports: StepReport[] = [];
    for (let step = 0; step < 3; step++) reports.push(await uninterrupted.trainer.trainStep(microBatches(step)));
    const finalLoss = await uninterrupted.trainer.evaluate(single());
    await uninterrupted.dispose();

    const first = await load(fixtureDir('inline'));
    for (let step = 0; step < 2; step++) await first.trainer.trainStep(microBatches(step));
    const dir = join(work, 'ort-step-2');
    await writeCheckpoint(dir, first.model, first.trainer);
    await first.dispose();

    const resumed = await load(dir);
    restoreTrainerState(dir, resumed.trainer);
    expect(resumed.trainer.step).toBe(2);
    const next = await resumed.trainer.trainStep(microBatches(2));
    expect(next.step).toBe(reports[2]!.step);
    expect(next.loss).toBeCloseTo(reports[2]!.loss, 6);
    expect(next.gradNorm).toBeCloseTo(reports[2]!.gradNorm, 5);
    expect(next.learningRates).toEqual(reports[2]!.learningRates);
    expect(await resumed.trainer.evaluate(single())).toBeCloseTo(finalLoss, 6);
    await resumed.dispose();
  }, 120_000);

  it('takes the same steps with AdamW in the CPU kernel as with AdamW as graph operators, fused or split, micro-batches included', async () => {
    const settings = (accumulation: number): TrainerSettings => ({
      optimizer: { ...DEFAULT_OPTIMIZER, learningRates: FIXTURE_RATES },
      gradientAccumulationSteps: accumulation,
      schedule: { kind: 'constant' },
    });
    const batch = () => readBatchFile(expectedFile('split'), PADDED_BATCH_NAMES);
    const steps = async (options: Partial<OnnxTrainerOptions>, microBatches: number) => {
      const checkpoint = openCheckpoint(fixtureDir('split'));
      const trainer = OnnxRuntimeTrainer.fromCheckpoint(checkpoint, settings(microBatches), { provider: 'cpu', padTokenId: 0, ...options });
      checkpoint.close();
      const micro = () => Array.from({ length: microBatches }, batch);
      const reports = [await trainer.trainStep(micro()), await trainer.trainStep(micro())];
      const after = await trainer.evaluate(batch());
      const values = await trainer.parameterValues();
      await trainer.dispose();
      return { reports, after, values };
    };
    for (const microBatches of [1, 2]) {
      // One micro-batch: the kernel path's gradients (a tied embedding's rows added by the trainer)
      // and norm are the graphs' to the bit. Two: the graphs add the rows before the gradients so
      // far, the trainer after them; float32 rounding then differs in the last bit, which AdamW's
      // first steps magnify where a gradient is near zero.
      const tolerance = microBatches === 1 ? 1e-6 : 5e-5;
      const kernel = await steps({}, microBatches);
      const graphs = microBatches === 1 ? [await steps({ graphOptimizer: true }, 1)] : [];
      graphs.push(await steps({ graphOptimizer: true, splitUpdate: true }, microBatches));
      for (const other of graphs) {
        expect(other.reports[0]!.loss).toBe(kernel.reports[0]!.loss);
        if (microBatches === 1) expect(other.reports[0]!.gradNorm).toBe(kernel.reports[0]!.gradNorm);
        for (const [i, report] of other.reports.entries()) {
          expect(report.loss).toBeCloseTo(kernel.reports[i]!.loss, 5);
          expect(report.gradNorm).toBeCloseTo(kernel.reports[i]!.gradNorm, 4);
        }
        expect(other.after).toBeCloseTo(kernel.after, 5);
        let worst = 0;
        for (const [name, { data }] of kernel.values) {
          const theirs = other.values.get(name)!.data;
          for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i]! - theirs[i]!));
        }
        expect(worst, `${microBatches} micro-batches`).toBeLessThan(tolerance);
      }
    }
  }, 90_000);

  it('keeps optimised graphs in the cache folder and takes the same step from them', async () => {
    const settings: TrainerSettings = {
      optimizer: { ...DEFAULT_OPTIMIZER, learningRates: FIXTURE_RATES },
      gradientAccumulationSteps: 1,
      schedule: { kind: 'constant' },
    };
    const batch = () => readBatchFile(expectedFile('split'), PADDED_BATCH_NAMES);
    const cacheDir = join(work, 'cache');
    const graphs = () => (existsSync(join(cacheDir, TRAINING_GRAPH_CACHE)) ? readdirSync(join(cacheDir, TRAINING_GRAPH_CACHE)) : []);
    const step = async (cache?: string) => {
      const checkpoint = openCheckpoint(fixtureDir('split'));
      const loaded = await createTrainer(ORT, checkpoint, settings, 0, cache);
      checkpoint.close();
      const report = await loaded.trainer.trainStep([batch()]);
      const after = await loaded.trainer.evaluate(batch());
      await loaded.dispose();
      return { ...report, after };
    };
    const uncached = await step();
    const first = await step(cacheDir); // optimises and writes the files
    const written = graphs();
    expect(written.length).toBeGreaterThanOrEqual(2); // the step graph and the loss graph
    expect(written.every((name) => name.endsWith('.onnx'))).toBe(true);
    const second = await step(cacheDir); // loads them
    expect(graphs()).toEqual(written);
    for (const run of [first, second]) {
      expect(run.loss).toBe(uncached.loss);
      expect(run.gradNorm).toBe(uncached.gradNorm);
      expect(run.after).toBe(uncached.after);
    }
    // a damaged file is made again
    writeFileSync(join(cacheDir, TRAINING_GRAPH_CACHE, written[0]!), 'not a graph');
    expect((await step(cacheDir)).after).toBe(uncached.after);
    expect(readFileSync(join(cacheDir, TRAINING_GRAPH_CACHE, written[0]!)).length).toBeGreaterThan(1000);
  }, 60_000);

  it('refuses a model whose head size it cannot rotate, naming the dimension', () => {
    const spec = parseConfig({ lm_hidden_dim: 90, lm_n_heads: 9, lm_n_kv_heads: 3 }); // head size 10: even, fine
    expect(() => buildStepGraph({ spec, kind: 'loss', rows: 1, length: 16, trainedGroups: [], optimizer: DEFAULT_OPTIMIZER })).not.toThrow();
    const odd = parseConfig({ lm_hidden_dim: 81, lm_n_heads: 9, lm_n_kv_heads: 3 }); // head size 9
    expect(() => buildStepGraph({ spec: odd, kind: 'loss', rows: 1, length: 16, trainedGroups: [], optimizer: DEFAULT_OPTIMIZER })).toThrow(
      /lm_hidden_dim \/ lm_n_heads = 9.*even/,
    );
  });
});
