// The forward pass against nanoVLM's PyTorch outputs: encoder, projector and logits within 1e-4.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { SafetensorsFile } from '../../../src/main/model/safetensors';
import { selectTrainingEngine } from '../../../src/main/training/tfjs/backends';
import { visionTransformer } from '../../../src/main/training/tfjs/model/vision-transformer';
import { imageEmbeddings, vlmLogits } from '../../../src/main/training/tfjs/model/vision-language-model';
import { ModelParameters } from '../../../src/main/training/tfjs/parameters';
import { expectedFile, FAMILIES, fixtureDir } from './fixtures';

function maxAbsDiff(a: tf.Tensor, expected: Float32Array): number {
  const got = a.dataSync();
  expect(got.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i]! - expected[i]!));
  return max;
}

describe('forward parity (wasm)', () => {
  beforeAll(async () => {
    await selectTrainingEngine('wasm');
  });

  it.each(FAMILIES)('%s: vision_out, mp_out and logits within 1e-4', (family) => {
    const checkpoint = openCheckpoint(fixtureDir(family));
    const parameters = ModelParameters.fromCheckpoint(checkpoint, () => false);
    checkpoint.close();
    const expected = SafetensorsFile.open(expectedFile(family));
    const model = parameters.model();
    const [images, , size] = expected.info('pixel_values').shape as [number, number, number];
    const ids = Int32Array.from(expected.readInts('input_ids'));
    tf.tidy(() => {
      const pixels = tf.tensor4d(expected.readFloat32('pixel_values'), [images, 3, size, size]);
      expect(
        maxAbsDiff(visionTransformer(pixels, model.weights.scope('vision_encoder'), model.config), expected.readFloat32('vision_out')),
      ).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(imageEmbeddings(pixels, model), expected.readFloat32('mp_out'))).toBeLessThanOrEqual(1e-4);
    });
    if (family !== 'prefix') {
      // prefix logits include the image positions, which vlmLogits drops for the loss
      const batch = {
        inputIds: ids,
        targets: new Int32Array(ids.length),
        rows: 1,
        length: ids.length,
        pixelValues: expected.readFloat32('pixel_values'),
        imageCount: images,
      };
      tf.tidy(() => {
        expect(maxAbsDiff(vlmLogits(model, batch), expected.readFloat32('logits'))).toBeLessThanOrEqual(1e-4);
      });
    }
    expected.close();
    parameters.dispose();
  });
});
