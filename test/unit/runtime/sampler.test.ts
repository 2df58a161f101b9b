import { describe, expect, it } from 'vitest';
import { argmax, Sampler, seededRandom } from '../../../src/main/runtime/sampler';

const logits = Float32Array.from([1, 3, 2, 0.5, 2.9]);

describe('Sampler', () => {
  it('greedy takes the argmax', () => {
    expect(new Sampler({ greedy: true }, 5).next(logits, [])).toBe(1);
    expect(argmax(logits)).toBe(1);
  });

  it('top-k 1 is greedy whatever the temperature', () => {
    const sampler = new Sampler({ temperature: 5, topK: 1, seed: 3 }, 5);
    for (let i = 0; i < 20; i++) expect(sampler.next(logits, [])).toBe(1);
  });

  it('top-p keeps only the nucleus', () => {
    // p(1) ≈ p(4) ≈ 0.36 each: top-p 0.5 keeps exactly those two
    const sampler = new Sampler({ temperature: 1, topP: 0.5, seed: 1 }, 5);
    const seen = new Set(Array.from({ length: 200 }, () => sampler.next(logits, [])));
    expect([...seen].sort()).toEqual([1, 4]);
  });

  it('repetition penalty lowers tokens already seen', () => {
    expect(new Sampler({ greedy: true, repetitionPenalty: 2 }, 5).next(logits, [1, 4])).toBe(2);
  });

  it('is reproducible per seed and follows the distribution', () => {
    const draw = (seed: number) => {
      const s = new Sampler({ temperature: 1, seed }, 5);
      return Array.from({ length: 2000 }, () => s.next(logits, []));
    };
    expect(draw(9)).toEqual(draw(9));
    const counts = new Array(5).fill(0);
    for (const id of draw(10)) counts[id]++;
    const z = Array.from(logits, (l) => Math.exp(l)).reduce((a, b) => a + b, 0);
    counts.forEach((c, id) => expect(Math.abs(c / 2000 - Math.exp(logits[id]!) / z)).toBeLessThan(0.04));
  });

  it('seededRandom is in [0, 1)', () => {
    const r = seededRandom(123);
    for (let i = 0; i < 1000; i++) {
      const v = r();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });
});
