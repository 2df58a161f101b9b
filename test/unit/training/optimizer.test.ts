// AdamW, the schedule and clipping against hand-computed PyTorch semantics.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/main/training/tfjs/adamw';
import { clipCoefficient, globalNorm } from '../../../src/main/training/tfjs/grad-clip';
import { cosineLearningRate, groupLearningRates, scheduledLearningRate } from '../../../src/main/training/optimizer/lr-schedule';
import { selectTrainingEngine } from '../../../src/main/training/tfjs/backends';

beforeAll(async () => {
  await selectTrainingEngine('wasm');
});

/** torch.optim.AdamW's single-tensor update, in double precision. */
function referenceAdamW(p: number[], grads: number[][], lr: number, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const out = [...p];
  grads.forEach((g, t) => {
    const step = t + 1;
    for (let i = 0; i < out.length; i++) {
      out[i]! *= 1 - lr * wd;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** step) + eps;
      out[i]! -= (lr / (1 - b1 ** step)) * (m[i]! / denom);
    }
  });
  return out;
}

describe('AdamW', () => {
  it.each(['engine', 'host'] as const)('matches PyTorch, weight decay on every parameter (moments kept on the %s)', async (place) => {
    const start = [0.5, -1.25, 2, 0];
    const grads = [
      [0.1, -0.2, 0.3, 1e-9],
      [-0.05, 0.4, 0.0, 0.2],
      [0.3, 0.3, -0.1, -0.2],
    ];
    const param = tf.variable(tf.tensor1d(start));
    const tensorsBefore = tf.memory().numTensors;
    const adam = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, place);
    for (const g of grads) tf.tidy(() => adam.update('p', param, tf.tensor1d(g), 1e-2));
    const expected = referenceAdamW(start, grads, 1e-2);
    const got = param.dataSync();
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
    expect(adam.state.get('p')!.step).toBe(3);
    const expAvg = await adam.state.get('p')!.expAvg.data();
    expect(expAvg[0]).toBeCloseTo(0.1 * (0.9 * 0.9 * 0.1 + 0.9 * -0.05 + 0.3), 6);
    // host moments leave nothing on the engine between updates
    expect(tf.memory().numTensors - tensorsBefore).toBe(place === 'host' ? 0 : 2);
    adam.dispose();
    param.dispose();
  });
});

describe('cosine schedule with warmup (nanoVLM get_lr)', () => {
  it('warms up linearly over 3% of the steps, then decays to 0.1·lr', () => {
    const max = 1e-3;
    expect(cosineLearningRate(0, max, 100)).toBeCloseTo(max / 3, 12);
    expect(cosineLearningRate(2, max, 100)).toBeCloseTo(max, 12);
    expect(cosineLearningRate(3, max, 100)).toBeCloseTo(max, 12);
    expect(cosineLearningRate(100, max, 100)).toBeCloseTo(0.1 * max, 12);
    const mid = cosineLearningRate(51.5, max, 100);
    expect(mid).toBeCloseTo(0.1 * max + 0.5 * 0.9 * max, 12);
  });

  it('never exceeds the peak when 3% of the steps is fractional', () => {
    for (let it = 0; it < 10; it++) expect(cosineLearningRate(it, 1, 10)).toBeLessThanOrEqual(1);
  });
});

describe('the other schedules a run may choose', () => {
  it('linear falls in a straight line to 0.1·lr; constant stays at lr; both share the warmup', () => {
    const max = 1e-3;
    const linear = { kind: 'linear' as const, maxSteps: 100, warmupFraction: 0.1 };
    expect(scheduledLearningRate(0, max, linear)).toBeCloseTo(max / 10, 12);
    expect(scheduledLearningRate(10, max, linear)).toBeCloseTo(max, 12);
    expect(scheduledLearningRate(55, max, linear)).toBeCloseTo(0.1 * max + 0.5 * 0.9 * max, 12);
    expect(scheduledLearningRate(100, max, linear)).toBeCloseTo(0.1 * max, 12);
    const constant = { kind: 'constant' as const, maxSteps: 100, warmupFraction: 0.05 };
    expect(scheduledLearningRate(0, max, constant)).toBeCloseTo(max / 5, 12);
    for (const it of [5, 50, 100, 200]) expect(scheduledLearningRate(it, max, constant)).toBe(max);
    expect(scheduledLearningRate(0, max, { kind: 'constant' })).toBe(max); // no steps known: no warmup
  });

  it("no warmup starts at the peak; the cosine default is nanoVLM's", () => {
    expect(scheduledLearningRate(0, 1, { kind: 'cosine', maxSteps: 100, warmupFraction: 0 })).toBe(1);
    for (const it of [0, 1, 3, 40, 99]) expect(scheduledLearningRate(it, 1, { kind: 'cosine', maxSteps: 100 })).toBe(cosineLearningRate(it, 1, 100));
    expect(groupLearningRates({ mp: 1, vision: 0, language: 2 }, { kind: 'linear', maxSteps: 10, warmupFraction: 0 }, 10)).toEqual({
      mp: 0.1,
      vision: 0,
      language: 0.2,
    });
  });
});

describe('global-norm clipping', () => {
  it('computes the norm over all gradients and clip_grad_norm_’s factor', () => {
    const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
    expect(globalNorm(grads)).toBeCloseTo(5, 6);
    expect(clipCoefficient(5, 1)).toBeCloseTo(1 / (5 + 1e-6), 12);
    expect(clipCoefficient(0.5, 1)).toBe(1);
    expect(clipCoefficient(5, null)).toBe(1);
    tf.dispose(grads);
  });
});
