// The trainer against nanoVLM's PyTorch training step (golden fixtures), on both CPU backends
// available here: loss within 1e-4, gradient norm within 1e-3 relative, loss after one AdamW
// step within 1e-3.
import { describe, expect, it } from 'vitest';
import { PADDED_BATCH_NAMES, readBatchFile, SINGLE_SAMPLE_NAMES } from '../../../src/main/cli/batch-file';
import { checkTrainingStep } from '../../../src/main/training/check-step';
import { selectTrainingEngine } from '../../../src/main/training/tfjs/backends';
import type { TrainingEngineName } from '../../../src/shared/training';
import { expectedFile, FAMILIES, FIXTURE_RATES, fixtureDir, goldenCase, type GoldenStep } from './fixtures';

function expectParity(family: (typeof FAMILIES)[number], names: typeof SINGLE_SAMPLE_NAMES, golden: GoldenStep): void {
  const got = checkTrainingStep(fixtureDir(family), readBatchFile(expectedFile(family), names), FIXTURE_RATES, 1.0);
  expect(Math.abs(got.loss - golden.loss)).toBeLessThanOrEqual(1e-4);
  expect(Math.abs(got.grad_norm / golden.grad_norm_before_clip - 1)).toBeLessThanOrEqual(1e-3);
  expect(Math.abs(got.loss_after_step - golden.loss_after_one_step)).toBeLessThanOrEqual(1e-3);
}

describe.each<TrainingEngineName>(['wasm', 'cpu'])('training step parity on %s', (engine) => {
  it.each(FAMILIES)('%s: one sample', async (family) => {
    await selectTrainingEngine(engine);
    expectParity(family, SINGLE_SAMPLE_NAMES, goldenCase(family).train_step);
  });

  it.each(FAMILIES.filter((f) => goldenCase(f).train_step_batch2))('%s: left-padded batch of two', async (family) => {
    await selectTrainingEngine(engine);
    expectParity(family, PADDED_BATCH_NAMES, goldenCase(family).train_step_batch2!);
  });
});
