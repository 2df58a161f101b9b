// Checkpoints: nanoVLM's format (config.json + model.safetensors with the tied head once), and a
// resume from the trainer state continues exactly as uninterrupted training would.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { HEAD, TOKEN_EMBEDDING } from '../../../src/main/model/parameters';
import { SafetensorsFile } from '../../../src/main/model/safetensors';
import { PADDED_BATCH_NAMES, readBatchFile } from '../../../src/main/cli/batch-file';
import { restoreTrainerState } from '../../../src/main/training/checkpoints/checkpoint-reader';
import { writeCheckpoint } from '../../../src/main/training/checkpoints/checkpoint-writer';
import { DataOrder } from '../../../src/main/training/data/data-order';
import { selectTrainingEngine } from '../../../src/main/training/tfjs/backends';
import { ModelParameters } from '../../../src/main/training/tfjs/parameters';
import { isTrainedGroup, Trainer, type StepReport, type TrainerSettings } from '../../../src/main/training/tfjs/trainer';
import { DEFAULT_OPTIMIZER } from '../../../src/shared/training';
import { expectedFile, FIXTURE_RATES, fixtureDir } from './fixtures';

const family = 'inline';
const settings: TrainerSettings = {
  optimizer: { ...DEFAULT_OPTIMIZER, learningRates: { ...FIXTURE_RATES, vision: 0 } },
  gradientAccumulationSteps: 2,
  schedule: { kind: 'cosine', maxSteps: 5 },
};
const single = () => readBatchFile(expectedFile(family));
const padded = () => readBatchFile(expectedFile(family), PADDED_BATCH_NAMES);
const microBatches = (step: number) => (step % 2 === 0 ? [single(), padded()] : [padded(), single()]);

function load(dir: string): Trainer {
  const checkpoint = openCheckpoint(dir);
  const parameters = ModelParameters.fromCheckpoint(checkpoint, isTrainedGroup(settings.optimizer.learningRates));
  checkpoint.close();
  return new Trainer(parameters, settings);
}

function close(trainer: Trainer): void {
  trainer.dispose();
  trainer.parameters.dispose();
}

let work: string;
beforeAll(async () => {
  await selectTrainingEngine('wasm');
  work = mkdtempSync(join(tmpdir(), 'nanovlm-resume-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('checkpoints and resume', () => {
  it('save → load → continue gives the same next step as uninterrupted training', async () => {
    const uninterrupted = load(fixtureDir(family));
    const reports: StepReport[] = [];
    for (let step = 0; step < 3; step++) reports.push(uninterrupted.trainStep(microBatches(step)));
    const finalLoss = uninterrupted.evaluate(single());
    close(uninterrupted);

    const first = load(fixtureDir(family));
    for (let step = 0; step < 2; step++) first.trainStep(microBatches(step));
    const order = DataOrder.start(10, 7);
    order.next(4);
    const dir = join(work, 'step-2');
    await writeCheckpoint(dir, first.parameters, first, order.snapshot());
    close(first);

    const resumed = load(dir);
    const savedOrder = restoreTrainerState(dir, resumed);
    expect(resumed.step).toBe(2);
    expect(new DataOrder(10, savedOrder!).next(6)).toEqual(order.next(6));
    const next = resumed.trainStep(microBatches(2));
    expect(next.step).toBe(reports[2]!.step);
    expect(next.loss).toBeCloseTo(reports[2]!.loss, 6);
    expect(next.gradNorm).toBeCloseTo(reports[2]!.gradNorm, 5);
    expect(next.learningRates).toEqual(reports[2]!.learningRates);
    expect(resumed.evaluate(single())).toBeCloseTo(finalLoss, 6);
    close(resumed);
  });

  it('writes nanoVLM’s format: the config as read, the tied head once, loadable again', async () => {
    const trainer = load(fixtureDir(family));
    const dir = join(work, 'export');
    await writeCheckpoint(dir, trainer.parameters);
    const written = SafetensorsFile.open(join(dir, 'model.safetensors'));
    expect(written.has(HEAD)).toBe(true);
    expect(written.has(TOKEN_EMBEDDING)).toBe(false);
    written.close();
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(fixtureDir(family), 'config.json'), 'utf8')));
    const reopened = openCheckpoint(dir);
    expect(reopened.family).toBe(family);
    const original = openCheckpoint(fixtureDir(family));
    expect(Array.from(reopened.read(TOKEN_EMBEDDING))).toEqual(Array.from(original.read(HEAD)));
    original.close();
    reopened.close();
    await writeCheckpoint(dir, trainer.parameters); // overwriting an existing folder works
    close(trainer);
  });

  it('keeps the number of live tensors constant from step to step', () => {
    const trainer = load(fixtureDir(family));
    trainer.trainStep(microBatches(0));
    const before = tf.memory().numTensors;
    trainer.trainStep(microBatches(1));
    trainer.trainStep(microBatches(2));
    expect(tf.memory().numTensors).toBe(before);
    close(trainer);
  });
});
