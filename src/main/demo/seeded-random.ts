// A seeded random source for everything that must come out the same for a seed (synthetic data,
// fresh weights): uniform, integer, choice and normal draws on top of mulberry32.
import { mulberry32 } from '../training/data/data-order';

export class SeededRandom {
  private readonly next: () => number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** uniform in [0, 1) */
  uniform(): number {
    return this.next();
  }

  /** uniform in [low, high) */
  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** integer in [low, high] */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `count` distinct items, in random order (partial Fisher–Yates). */
  distinct<T>(items: readonly T[], count: number): T[] {
    if (count > items.length) throw new Error(`cannot pick ${count} distinct items from ${items.length}`);
    const pool = [...items];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(this.next() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, count);
  }

  /** standard normal (Box–Muller; the second value of each pair is kept for the next call) */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}
