// Engine detection and selection, and the kernels supplied to the wasm backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { detectTrainingEngines, selectTrainingEngine } from '../../../src/main/training/tfjs/backends';

// With a native TensorFlow package installed, the choice depends on it (and on a GPU), not on this code.
const NATIVE_INSTALLED = detectTrainingEngines().some((e) => e.engine.startsWith('tfjs-node') && e.available);

describe('training engines', () => {
  it('detects the four engines cheaply, cpu always available', () => {
    const engines = detectTrainingEngines();
    expect(engines.map((e) => e.engine)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(engines.find((e) => e.engine === 'cpu')!.available).toBe(true);
    expect(engines.find((e) => e.engine === 'wasm')!.available).toBe(true);
    for (const e of engines) expect(e.detail).not.toBe('');
  });

  it('picks the best engine that starts, saying why the others were passed over', async () => {
    const selected = await selectTrainingEngine();
    expect(selected.reason).not.toBe('');
    expect(tf.getBackend()).toBe(selected.backend);
  });

  it.skipIf(NATIVE_INSTALLED)('picks wasm, passing over both native engines (runs where no tfjs-node package is installed)', async () => {
    const selected = await selectTrainingEngine();
    expect(selected.engine).toBe('wasm');
    expect(selected.skipped.map((s) => s.engine)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
  });

  it('supplies UnsortedSegmentSum to wasm: gather gradients match the cpu backend', async () => {
    const gatherGradient = () =>
      tf.tidy(() => {
        const table = tf.tensor2d([
          [1, 2],
          [3, 4],
          [5, 6],
        ]);
        const ids = tf.tensor1d([2, 0, 2, 1, 2], 'int32');
        const weights = tf.tensor2d([
          [1, 1],
          [2, 2],
          [3, 3],
          [4, 4],
          [5, 5],
        ]);
        return Array.from(
          tf
            .grad((t: tf.Tensor) => tf.gather(t, ids).mul(weights).sum())(table)
            .dataSync(),
        );
      });
    await selectTrainingEngine('cpu');
    const onCpu = gatherGradient();
    await selectTrainingEngine('wasm');
    expect(gatherGradient()).toEqual(onCpu);
    expect(onCpu).toEqual([2, 2, 4, 4, 9, 9]);
  });
});
