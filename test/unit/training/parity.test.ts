// The trainer against nanoVLM's PyTorch training step (golden fixtures), on the ONNX Runtime
// engine and both TensorFlow.js CPU backends available here: loss within 1e-4, gradient norm
// within 1e-3 relative, loss after one AdamW step within 1e-3.
import { describe, expect, it } from 'vitest';
import { PADDED_BATCH_NAMES, readBatchFile, SINGLE_SAMPLE_NAMES } from '../../../src/main/cli/batch-file';
import { checkTrainingStep } from '../../../src/main/training/check-step';
import { selectTrainingEngine } from '../../../src/main/training/tfjs/backends';
import type { SelectedEngine } from '../../../src/main/training/engines/select-engine';
import type { TfjsEngineName } from '../../../src/shared/training';
import { onWebGpu, WEBGPU_AVAILABLE } from '../../helpers/webgpu';
import { expectedFile, FAMILIES, FIXTURE_RATES, fixtureDir, goldenCase, type GoldenStep } from './fixtures';

async function expectParity(family: (typeof FAMILIES)[number], names: typeof SINGLE_SAMPLE_NAMES, golden: GoldenStep, engine?: SelectedEngine): Promise<void> {
  const got = await checkTrainingStep(fixtureDir(family), readBatchFile(expectedFile(family), names), FIXTURE_RATES, 1.0, engine);
  expect(Math.abs(got.loss - golden.loss)).toBeLessThanOrEqual(1e-4);
  expect(Math.abs(got.grad_norm / golden.grad_norm_before_clip - 1)).toBeLessThanOrEqual(1e-3);
  expect(Math.abs(got.loss_after_step - golden.loss_after_one_step)).toBeLessThanOrEqual(1e-3);
}

describe.each<TfjsEngineName>(['wasm', 'cpu'])('training step parity on %s', (engine) => {
  it.each(FAMILIES)('%s: one sample', async (family) => {
    await selectTrainingEngine(engine);
    await expectParity(family, SINGLE_SAMPLE_NAMES, goldenCase(family).train_step);
  });

  it.each(FAMILIES.filter((f) => goldenCase(f).train_step_batch2))('%s: left-padded batch of two', async (family) => {
    await selectTrainingEngine(engine);
    await expectParity(family, PADDED_BATCH_NAMES, goldenCase(family).train_step_batch2!);
  });
});

describe('training step parity on onnxruntime (CPU provider)', () => {
  const engine: SelectedEngine = { engine: 'onnxruntime', provider: 'cpu', reason: 'test', skipped: [] };

  it.each(FAMILIES)('%s: one sample', async (family) => {
    await expectParity(family, SINGLE_SAMPLE_NAMES, goldenCase(family).train_step, engine);
  });

  it.each(FAMILIES.filter((f) => goldenCase(f).train_step_batch2))('%s: left-padded batch of two', async (family) => {
    await expectParity(family, PADDED_BATCH_NAMES, goldenCase(family).train_step_batch2!, engine);
  });
});

describe.skipIf(!WEBGPU_AVAILABLE)(onWebGpu('training step parity on onnxruntime (WebGPU provider)'), () => {
  const engine: SelectedEngine = { engine: 'onnxruntime', provider: 'webgpu', reason: 'test', skipped: [] };

  it.each(FAMILIES)('%s: one sample', async (family) => {
    await expectParity(family, SINGLE_SAMPLE_NAMES, goldenCase(family).train_step, engine);
  });

  it.each(FAMILIES.filter((f) => goldenCase(f).train_step_batch2))('%s: left-padded batch of two', async (family) => {
    await expectParity(family, PADDED_BATCH_NAMES, goldenCase(family).train_step_batch2!, engine);
  });
});
