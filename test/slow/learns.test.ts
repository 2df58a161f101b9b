// Training from scratch learns: a small nanoVLM (random weights, byte tokenizer) trained for a few
// hundred steps on generated shapes answers questions about FRESH pictures (another seed) far
// better than always giving each question type's most common answer. Colour questions (one
// large shape) are the ones a model picks up first, so the test asks only those to stay short.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCheckpoint } from '../../src/main/eval/checkpoint-eval';
import { selectTrainingEngine } from '../../src/main/training/tfjs/backends';
import { readTaggedRecords } from '../../src/main/eval/exact-match-eval';
import { writeRandomModel } from '../../src/main/demo/random-init';
import { majorityBaselines } from '../../src/main/demo/shapes/majority-baseline';
import { writeShapesDataset } from '../../src/main/demo/shapes/shapes-dataset';
import { DEMO_DIMS, tinyConfig } from '../../src/main/demo/tiny-config';
import { runTraining } from '../../src/main/training/process/training-run';
import { DEFAULT_OPTIMIZER, type TrainerMessage } from '../../src/shared/training';
import { makeTempDir } from '../helpers/temp-dir';

const STEPS = 120;
const TYPES = ['colour'] as const;
const temp = makeTempDir('learns-test-');
const paths = { data: join(temp.path, 'data'), fresh: join(temp.path, 'fresh'), model: join(temp.path, 'model'), run: join(temp.path, 'run') };

beforeAll(async () => {
  await selectTrainingEngine('wasm');
  await writeShapesDataset(paths.data, { count: 1200, seed: 1, valFraction: 0, questionTypes: TYPES });
  await writeShapesDataset(paths.fresh, { count: 160, seed: 4242, valFraction: 0, questionTypes: TYPES });
  writeRandomModel(paths.model, tinyConfig(DEMO_DIMS), 0);
}, 120_000);
afterAll(() => temp.remove());

describe('training from scratch', () => {
  it(`learns colour questions in ${STEPS} steps: exact match on a fresh set ≥ 2× the majority baseline`, async () => {
    const losses: number[] = [];
    await runTraining(
      {
        baseModelDir: paths.model,
        tokenizerDir: paths.model,
        datasetPath: join(paths.data, 'train.jsonl'),
        outputDir: paths.run,
        optimizer: { ...DEFAULT_OPTIMIZER, learningRates: { mp: 3e-3, vision: 3e-3, language: 3e-3 } },
        maxSteps: STEPS,
        batchSize: 16,
        gradientAccumulationSteps: 1,
        seed: 0,
        checkpointEvery: STEPS,
        engine: 'wasm',
      },
      (m: TrainerMessage) => {
        if (m.type === 'metrics') losses.push(m.loss);
      },
      new AbortController().signal,
    );

    const freshPath = join(paths.fresh, 'train.jsonl');
    const fresh = readTaggedRecords(freshPath);
    const baselines = majorityBaselines(fresh.map((f) => ({ type: f.type, answer: f.record.texts[0]!.assistant! })));
    const chance = baselines.reduce((s, b) => s + b.accuracy * b.questions, 0) / fresh.length;
    const report = await evaluateCheckpoint(join(paths.run, `step_${STEPS}`), freshPath, { method: 'teacher-forced', tokenizerDir: paths.model });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `loss ${mean(losses.slice(0, 10)).toFixed(3)} → ${mean(losses.slice(-10)).toFixed(3)}; exact match ${(100 * report.accuracy).toFixed(1)}% ` +
        `(${report.byType.map((t) => `${t.type} ${(100 * t.accuracy).toFixed(0)}%`).join(', ')}); chance ${(100 * chance).toFixed(1)}%`,
    );
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) / 4);
    expect(report.accuracy).toBeGreaterThanOrEqual(2 * chance);
  }, 600_000);
});
