import { describe, expect, it } from 'vitest';
import { argmax, MAX_GRAPH_CANDIDATES, Sampler, seededRandom } from '../../../src/main/runtime/sampler';

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

  it('needs only the best candidates for greedy and top-k sampling, every logit otherwise', () => {
    expect(new Sampler({ greedy: true }, 5).candidatesNeeded).toBe(1);
    expect(new Sampler({ temperature: 0 }, 5).candidatesNeeded).toBe(1);
    expect(new Sampler({ temperature: 0.7, topK: 50 }, 5).candidatesNeeded).toBe(50);
    expect(new Sampler({ temperature: 0.7 }, 5).candidatesNeeded).toBe(0);
    expect(new Sampler({ temperature: 0.7, topK: MAX_GRAPH_CANDIDATES + 1 }, 5).candidatesNeeded).toBe(0);
    expect(new Sampler({ greedy: true, repetitionPenalty: 1.2 }, 5).candidatesNeeded).toBe(0);
    expect(() => new Sampler({ temperature: 0.7 }, 5).fromCandidates({ ids: [1], scores: Float32Array.of(3) })).toThrow(/every logit/);
  });

  it('chooses from the best candidates exactly as from the whole logits row (same seed, same draws)', () => {
    const row = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i * 12.9898) * 4);
    row[17] = row[230] = 9; // a tie at the top: the lower id comes first
    const order = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]! || a - b);
    const best = (k: number) => ({ ids: order.slice(0, k), scores: Float32Array.from(order.slice(0, k), (id) => row[id]!) });
    expect(new Sampler({ greedy: true }, 300).fromCandidates(best(1))).toBe(17);
    for (const options of [
      { temperature: 0.8, topK: 40, topP: 0.9 },
      { temperature: 2, topK: 7 },
      { temperature: 1, topK: 300 },
    ]) {
      const fromLogits = new Sampler({ ...options, seed: 5 }, 300);
      const fromCandidates = new Sampler({ ...options, seed: 5 }, 300);
      const k = fromCandidates.candidatesNeeded;
      for (let i = 0; i < 200; i++) expect(fromCandidates.fromCandidates(best(k))).toBe(fromLogits.next(row, []));
    }
  });
});
