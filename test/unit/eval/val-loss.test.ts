// Validation loss through the ONNX graphs equals nanoVLM's training loss on the golden fixtures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sequenceLoss } from '../../../src/main/eval/val-loss';
import { SafetensorsFile } from '../../../src/main/model/safetensors';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { exportFixture, FAMILIES, removeDir } from '../onnx/fixtures';
import { fixtureDir } from '../../helpers/fixture-paths';

describe.each(FAMILIES)('%s fixture', (family) => {
  it("gives nanoVLM's loss on the training step's sequence (within 1e-4)", async () => {
    const dir = exportFixture(family, { allLogits: true });
    const engine = await VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
    const expected = SafetensorsFile.open(join(fixtureDir(family), 'expected.safetensors'));
    try {
      const golden = (JSON.parse(readFileSync(join(fixtureDir(family), 'case.json'), 'utf8')) as { train_step: { loss: number } }).train_step.loss;
      const { sum, tokens } = await sequenceLoss(
        engine,
        expected.readInts('train_input_ids'),
        expected.readInts('train_targets'),
        expected.readFloat32('pixel_values'),
        expected.info('pixel_values').shape[0]!,
      );
      expect(tokens).toBeGreaterThan(0);
      expect(Math.abs(sum / tokens - golden)).toBeLessThan(1e-4);
    } finally {
      expected.close();
      await engine.dispose();
      removeDir(dir);
    }
  });
});
